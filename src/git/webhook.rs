//! Who may ask the server to pull: a request signed with the shared secret, in the form of any of
//! the common forges. GitHub sends `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`,
//! Gitea (and Forgejo) `X-Gitea-Signature: <hex HMAC-SHA256>`, GitLab `X-Gitlab-Token: <the secret
//! itself>`. Every comparison is constant-time, so timing tells an attacker nothing.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the request carries no signature (X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token)")]
    Missing,
    #[error("the signature does not match the configured secret")]
    Invalid,
}

/// The signature headers of one request, as sent (names are matched case-insensitively upstream).
#[derive(Debug, Default, Clone, Copy)]
pub struct Signatures<'a> {
    pub github: Option<&'a str>,
    pub gitea: Option<&'a str>,
    pub gitlab: Option<&'a str>,
}

/// Checks a request: any one valid signature admits it; a present but wrong one refuses it.
pub fn verify(secret: &str, body: &[u8], sig: Signatures<'_>) -> Result<(), Refusal> {
    if sig.github.is_none() && sig.gitea.is_none() && sig.gitlab.is_none() {
        return Err(Refusal::Missing);
    }
    let hex_ok = |given: &str| crate::hex::decode(given.trim()).is_some_and(|mac| hmac_matches(secret, body, &mac));
    let github = sig.github.is_some_and(|s| s.trim().strip_prefix("sha256=").is_some_and(hex_ok));
    let gitea = sig.gitea.is_some_and(hex_ok);
    let gitlab = sig.gitlab.is_some_and(|token| same_secret(token, secret));
    if github || gitea || gitlab {
        Ok(())
    } else {
        Err(Refusal::Invalid)
    }
}

fn hmac_matches(secret: &str, body: &[u8], given: &[u8]) -> bool {
    // Any key length is accepted; `verify_slice` compares in constant time.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(given).is_ok()
}

/// Compares a token with the secret in constant time (hashing first hides the length too).
fn same_secret(token: &str, secret: &str) -> bool {
    let a = Sha256::digest(token.as_bytes());
    let b = Sha256::digest(secret.as_bytes());
    bool::from(a.as_slice().ct_eq(b.as_slice()))
}

/// The GitHub-style signature of `body` (`sha256=<hex>`), for clients and tests.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let hex = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map(|mut mac| {
            mac.update(body);
            crate::hex::encode(&mac.finalize().into_bytes())
        })
        .unwrap_or_default();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_gitea_and_gitlab() {
        let body = br#"{"ref":"refs/heads/main"}"#;
        // RFC 4231-style known answer: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            sign("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        let good = sign("s3cret", body);
        let hex = good.trim_start_matches("sha256=").to_string();
        let ok = |s: Signatures| verify("s3cret", body, s);
        assert_eq!(ok(Signatures { github: Some(&good), ..Default::default() }), Ok(()));
        assert_eq!(ok(Signatures { gitea: Some(&hex), ..Default::default() }), Ok(()));
        assert_eq!(ok(Signatures { gitlab: Some("s3cret"), ..Default::default() }), Ok(()));
        let cases = [
            (Signatures::default(), Err(Refusal::Missing)),
            (Signatures { github: Some(&hex), ..Default::default() }, Err(Refusal::Invalid)),
            (Signatures { github: Some("sha256=00"), ..Default::default() }, Err(Refusal::Invalid)),
            (Signatures { github: Some("sha256=zz"), ..Default::default() }, Err(Refusal::Invalid)),
            (Signatures { gitea: Some(&sign("other", body)[7..]), ..Default::default() }, Err(Refusal::Invalid)),
            (Signatures { gitlab: Some("s3cret "), ..Default::default() }, Err(Refusal::Invalid)),
            (Signatures { gitlab: Some(""), ..Default::default() }, Err(Refusal::Invalid)),
        ];
        for (sig, want) in cases {
            assert_eq!(ok(sig), want, "{sig:?}");
        }
        // The body is what is signed.
        assert_eq!(
            verify("s3cret", b"{}", Signatures { github: Some(&good), ..Default::default() }),
            Err(Refusal::Invalid)
        );
    }
}
