//! Access control: who may read which note. `[auth]` in `daftar.toml` lists tokens, each stored as
//! the SHA-256 of the token, with the groups it belongs to. Notes declare `visibility` and
//! `audience`. The rules, all in this module:
//! - without `[auth]`, everyone reads everything (a local, single-user setup);
//! - with it, an anonymous reader sees `public` notes, any valid token also sees `internal` ones,
//!   `restricted` notes need one of the token's groups in their `audience`, and an `admin` token
//!   sees everything;
//! - a note that declares no visibility is `internal`, and so is a file without front matter (PDF,
//!   DOCX, images), unless it sits under a folder named `public`;
//! - an unknown visibility, or front matter that cannot be read, counts as `restricted`: a typo
//!   must not publish a note.
//!
//! Each note is indexed with the [`grants`] that open it; a reader holds a set of grants, and the
//! index turns them into one filter added to every read, so hits, totals, facet counts and every
//! listing agree on what exists.

use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::analysis::fold_key;
use crate::error::{Error, Result};

/// The visibility given to a note whose front matter cannot be read: closed until fixed.
pub const UNREADABLE: &str = "unreadable";

/// Files under a folder of this name are public unless their front matter says otherwise.
pub const PUBLIC_FOLDER: &str = "public";

/// `[auth]` in `daftar.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    #[serde(default)]
    pub tokens: Vec<TokenConfig>,
}

/// One `[[auth.tokens]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub name: String,
    /// The hex SHA-256 of the token (the token itself is never stored).
    pub sha256: String,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Sees every note, and the operational detail that counts them all (stats, metrics).
    #[serde(default)]
    pub admin: bool,
}

/// The tokens, validated.
#[derive(Clone)]
pub struct Auth {
    tokens: Vec<Token>,
}

#[derive(Clone)]
struct Token {
    name: String,
    hash: [u8; 32],
    groups: Vec<String>,
    admin: bool,
}

impl std::fmt::Debug for Auth {
    /// Names only: hashes stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").field("tokens", &self.tokens.iter().map(|t| &t.name).collect::<Vec<_>>()).finish()
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("the Authorization header must be `Bearer <token>`")]
    Malformed,
    #[error("the token is not valid")]
    Unknown,
}

impl Auth {
    /// Validates `[auth]` from `file`: every hash is 64 hex digits, names and hashes are unique.
    pub fn from_config(config: &AuthConfig, file: &Path) -> Result<Auth> {
        let bad = |message: String| Error::invalid("bad_config", format!("{}: [auth] {message}", file.display()));
        let mut tokens: Vec<Token> = Vec::with_capacity(config.tokens.len());
        for t in &config.tokens {
            let name = t.name.trim();
            if name.is_empty() {
                return Err(bad("a token has an empty name".into()));
            }
            let hash = decode_hash(&t.sha256).ok_or_else(|| {
                bad(format!(
                    "token `{name}`: sha256 must be the 64 hex digits of the token's SHA-256 (`daftar token` prints one)"
                ))
            })?;
            if let Some(other) = tokens.iter().find(|o| o.name == name || o.hash == hash) {
                let what = if other.name == name { "name" } else { "hash" };
                return Err(bad(format!("tokens `{}` and `{name}` share a {what}", other.name)));
            }
            let groups = t.groups.iter().map(|g| fold_key(g)).filter(|g| !g.is_empty()).collect();
            tokens.push(Token { name: name.to_string(), hash, groups, admin: t.admin });
        }
        Ok(Auth { tokens })
    }

    /// The reader a request's token makes: anonymous without one, refused when it matches no token.
    pub fn authenticate(&self, token: Option<&str>) -> std::result::Result<Reader, Denied> {
        let Some(token) = token else {
            return Ok(Reader::anonymous());
        };
        let given: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        // Every hash is compared, in constant time: timing says nothing about which came close.
        let mut found = None;
        for t in &self.tokens {
            if bool::from(t.hash.ct_eq(&given)) {
                found = Some(t);
            }
        }
        let t = found.ok_or(Denied::Unknown)?;
        let grants = (!t.admin).then(|| {
            let mut g = vec![Grant::Public.term(), Grant::Internal.term()];
            g.extend(t.groups.iter().map(|group| Grant::Group(group.clone()).term()));
            g
        });
        Ok(Reader { name: Some(t.name.clone()), groups: t.groups.clone(), grants })
    }
}

fn decode_hash(hex: &str) -> Option<[u8; 32]> {
    crate::hex::decode(hex.trim()).and_then(|bytes| bytes.try_into().ok())
}

/// The hex SHA-256 of a token, as `[[auth.tokens]]` stores it.
pub fn hash_hex(token: &str) -> String {
    crate::hex::encode(&Sha256::digest(token.as_bytes()))
}

/// A fresh random token (256 bits, URL-safe hex) for `daftar token`.
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom(&mut bytes)?;
    Ok(crate::hex::encode(&bytes))
}

fn getrandom(buf: &mut [u8]) -> Result<()> {
    use std::io::Read;
    let path = Path::new("/dev/urandom");
    std::fs::File::open(path).and_then(|mut f| f.read_exact(buf)).map_err(|e| Error::io(path, e))
}

/// What opens a note: one of these terms, held by the reader, is indexed with the note.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Grant {
    Public,
    Internal,
    Group(String),
}

impl Grant {
    fn term(&self) -> String {
        match self {
            Grant::Public => "public".into(),
            Grant::Internal => "internal".into(),
            Grant::Group(g) => format!("group:{g}"),
        }
    }
}

/// The grants that open the file `id` with the given front matter (`visibility`, `audience`).
/// A restricted note without an audience has no grant: only admin tokens read it.
pub fn grants(visibility: Option<&str>, audience: &[String], id: &str) -> Vec<String> {
    match visibility.map(|v| v.trim().to_lowercase()).as_deref() {
        Some("public") => vec![Grant::Public.term()],
        Some("internal") => vec![Grant::Internal.term()],
        None if in_public_folder(id) => vec![Grant::Public.term()],
        None => vec![Grant::Internal.term()],
        // `restricted`, and any value we do not know.
        Some(_) => {
            audience.iter().map(|g| fold_key(g)).filter(|g| !g.is_empty()).map(|g| Grant::Group(g).term()).collect()
        }
    }
}

fn in_public_folder(id: &str) -> bool {
    let mut folders: Vec<&str> = id.split('/').collect();
    folders.pop();
    folders.iter().any(|f| f.eq_ignore_ascii_case(PUBLIC_FOLDER))
}

/// Who is reading: everyone (no access control), an anonymous client, or a token's holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    /// The token's name; `None` for anonymous clients and without access control.
    pub name: Option<String>,
    pub groups: Vec<String>,
    /// The grants held; `None` reads everything.
    grants: Option<Vec<String>>,
}

impl Reader {
    /// Reads everything: no access control, or the local command line.
    pub fn everyone() -> Reader {
        Reader { name: None, groups: Vec::new(), grants: None }
    }

    /// An anonymous client under access control: public notes only.
    pub fn anonymous() -> Reader {
        Reader { name: None, groups: Vec::new(), grants: Some(vec![Grant::Public.term()]) }
    }

    /// Whether nothing is hidden from this reader (no access control, or an admin token).
    pub fn sees_all(&self) -> bool {
        self.grants.is_none()
    }

    /// The grants held (`None`: everything).
    pub fn grants(&self) -> Option<&[String]> {
        self.grants.as_deref()
    }

    /// Whether a file opened by `grants` may be read.
    pub fn may_read(&self, grants: &[String]) -> bool {
        self.grants.as_ref().is_none_or(|held| grants.iter().any(|g| held.contains(g)))
    }

    /// Whether the file `id` with this front matter may be read.
    pub fn may_read_note(&self, visibility: Option<&str>, audience: &[String], id: &str) -> bool {
        self.sees_all() || self.may_read(&grants(visibility, audience, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> Auth {
        let config: AuthConfig = toml::from_str(&format!(
            "[[tokens]]\nname = \"team\"\nsha256 = \"{}\"\ngroups = [\"Team\"]\n\
             [[tokens]]\nname = \"board\"\nsha256 = \"{}\"\ngroups = [\"board\", \"هیئت مدیره\"]\n\
             [[tokens]]\nname = \"ops\"\nsha256 = \"{}\"\nadmin = true\n",
            hash_hex("t1"),
            hash_hex("t2").to_uppercase(),
            hash_hex("t3")
        ))
        .expect("parse");
        Auth::from_config(&config, Path::new("daftar.toml")).expect("valid")
    }

    #[test]
    fn the_rules_of_visibility() {
        let auth = auth();
        let anonymous = auth.authenticate(None).expect("anonymous");
        let team = auth.authenticate(Some("t1")).expect("team");
        let board = auth.authenticate(Some("t2")).expect("board");
        let admin = auth.authenticate(Some("t3")).expect("admin");
        assert_eq!(auth.authenticate(Some("t4")), Err(Denied::Unknown));
        assert_eq!(auth.authenticate(Some("")), Err(Denied::Unknown));
        assert_eq!(board.name.as_deref(), Some("board"));
        let board_only = ["board".to_string()];
        let persian_board = ["هيئت مديره".to_string()]; // Arabic yeh: the same group
                                                        // (visibility, audience, id) → who may read: anonymous, team, board, admin
        type Case<'a> = (Option<&'a str>, &'a [String], &'a str, [bool; 4]);
        let cases: &[Case] = &[
            (Some("public"), &[], "a.md", [true, true, true, true]),
            (Some("Public"), &[], "a.md", [true, true, true, true]),
            (Some("internal"), &[], "a.md", [false, true, true, true]),
            (None, &[], "a.md", [false, true, true, true]),
            (None, &[], "public/a.pdf", [true, true, true, true]),
            (None, &[], "p/Public/x/a.md", [true, true, true, true]),
            (None, &[], "public.md", [false, true, true, true]),
            (Some("internal"), &[], "public/a.md", [false, true, true, true]),
            (Some("restricted"), &board_only, "a.md", [false, false, true, true]),
            (Some("restricted"), &persian_board, "a.md", [false, false, true, true]),
            (Some("restricted"), &[], "a.md", [false, false, false, true]),
            (Some("secret"), &[], "public/a.md", [false, false, false, true]),
            (Some("secret"), &board_only, "a.md", [false, false, true, true]),
        ];
        for (visibility, audience, id, want) in cases {
            let got = [&anonymous, &team, &board, &admin].map(|r| r.may_read_note(*visibility, audience, id));
            assert_eq!(&got, want, "{visibility:?} {audience:?} {id}");
        }
        assert!(Reader::everyone().may_read_note(Some("restricted"), &[], "a.md"));
        assert!(admin.sees_all() && !board.sees_all() && !anonymous.sees_all());
    }

    #[test]
    fn bad_token_tables_are_refused_with_the_file_and_the_token() {
        let h = hash_hex("x");
        for (toml, needle) in [
            ("[[tokens]]\nname = \"a\"\nsha256 = \"abc\"\n".to_string(), "token `a`"),
            (format!("[[tokens]]\nname = \"a\"\nsha256 = \"{}\"\n", "zz".repeat(32)), "token `a`"),
            (format!("[[tokens]]\nname = \" \"\nsha256 = \"{h}\"\n"), "empty name"),
            (
                format!(
                    "[[tokens]]\nname = \"a\"\nsha256 = \"{h}\"\n[[tokens]]\nname = \"a\"\nsha256 = \"{}\"\n",
                    hash_hex("y")
                ),
                "share a name",
            ),
            (
                format!("[[tokens]]\nname = \"a\"\nsha256 = \"{h}\"\n[[tokens]]\nname = \"b\"\nsha256 = \"{h}\"\n"),
                "share a hash",
            ),
        ] {
            let config: AuthConfig = toml::from_str(&toml).expect("parse");
            let err = Auth::from_config(&config, Path::new("kb/daftar.toml")).expect_err(&toml).to_string();
            assert!(err.contains("kb/daftar.toml") && err.contains(needle), "{err}");
        }
        assert!(toml::from_str::<AuthConfig>("[[tokens]]\nname = \"a\"\ntoken = \"plain\"\n").is_err());
    }

    #[test]
    fn debug_output_names_tokens_but_never_their_hashes() {
        let shown = format!("{:?}", auth());
        assert!(shown.contains("board") && !shown.contains(&hash_hex("t1")), "{shown}");
    }

    #[test]
    fn new_tokens_are_random_and_hash_to_what_the_config_stores() {
        let (a, b) = (new_token().expect("token"), new_token().expect("token"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
