//! The web viewer, embedded in the binary: nothing is fetched from outside, so it works air-gapped.
//!
//! Every viewer URL (`/`, `/notes/{id}`, `/reports`) answers the same HTML shell; the page reads its
//! state from the URL. The shell is rendered in the reader's language (the `daftar-lang` cookie the
//! language switch sets, else `Accept-Language`) so `<html lang dir>` is right before any script
//! runs. Assets live under `/assets/{version}/…`, where the version is a hash of all of them: the
//! ES modules import each other relatively and so stay in the same version, and every asset can be
//! cached forever. A strict Content-Security-Policy on the shell means that even a sanitiser slip
//! in a note's HTML cannot run script.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// One embedded file under `viewer/`.
struct Asset {
    path: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

macro_rules! assets {
    ($($path:literal => $mime:expr),* $(,)?) => {
        &[$(Asset { path: $path, mime: $mime, bytes: include_bytes!(concat!("../../viewer/", $path)) }),*]
    };
}

const JS: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = assets! {
    "app.js" => JS,
    "api.js" => JS,
    "dom.js" => JS,
    "i18n.js" => JS,
    "search.js" => JS,
    "note.js" => JS,
    "reports.js" => JS,
    "charts.js" => JS,
    "session.js" => JS,
    "style.css" => "text/css; charset=utf-8",
    "icon.svg" => "image/svg+xml",
    "fonts/vazirmatn-arabic.woff2" => "font/woff2",
    "fonts/OFL.txt" => "text/plain; charset=utf-8",
};

const SHELL: &str = include_str!("../../viewer/index.html");

/// Same-origin everything; no inline script or style; PDFs from `/raw` may be framed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// The viewer's interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fa,
    En,
}

impl Lang {
    /// The cookie set by the language switch, else the first of Persian or English the browser
    /// asks for, else English.
    pub fn of(headers: &HeaderMap) -> Lang {
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == "daftar-lang")
            .map(|(_, value)| value.trim());
        match cookie {
            Some("fa") => return Lang::Fa,
            Some("en") => return Lang::En,
            _ => {}
        }
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        for tag in accept.split(',').map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase()) {
            if tag == "fa" || tag.starts_with("fa-") {
                return Lang::Fa;
            }
            if tag == "en" || tag.starts_with("en-") {
                return Lang::En;
            }
        }
        Lang::En
    }

    fn code(self) -> &'static str {
        match self {
            Lang::Fa => "fa",
            Lang::En => "en",
        }
    }

    fn dir(self) -> &'static str {
        match self {
            Lang::Fa => "rtl",
            Lang::En => "ltr",
        }
    }
}

/// A hash of one asset, its ETag.
fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// The assets' version: a hash of all of them, so a changed file gets a new URL.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let all: Vec<u8> = ASSETS.iter().flat_map(|a| a.path.bytes().chain(a.bytes.iter().copied())).collect();
        hash(&all)[..12].to_string()
    })
}

fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| ASSETS.iter().map(|a| format!("\"{}\"", hash(a.bytes))).collect())
}

/// The shell in one language, with the asset version filled in.
fn shell(lang: Lang) -> &'static str {
    static SHELLS: OnceLock<[String; 2]> = OnceLock::new();
    let render = |lang: Lang| {
        // The Persian font is needed at once in the Persian interface; elsewhere it loads only
        // when Persian text appears (its @font-face has an Arabic-script unicode-range).
        let preload = match lang {
            Lang::Fa => {
                "<link rel=\"preload\" href=\"/assets/{{version}}/fonts/vazirmatn-arabic.woff2\" as=\"font\" type=\"font/woff2\" crossorigin>"
            }
            Lang::En => "",
        };
        SHELL
            .replace("{{preload}}", preload)
            .replace("{{lang}}", lang.code())
            .replace("{{dir}}", lang.dir())
            .replace("{{version}}", version())
    };
    let shells = SHELLS.get_or_init(|| [render(Lang::Fa), render(Lang::En)]);
    match lang {
        Lang::Fa => &shells[0],
        Lang::En => &shells[1],
    }
}

/// The viewer shell, for every viewer URL.
pub async fn page(headers: HeaderMap) -> Response {
    let lang = Lang::of(&headers);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::REFERRER_POLICY, "same-origin"),
            (header::VARY, "Cookie, Accept-Language"),
        ],
        shell(lang),
    )
        .into_response()
}

/// `GET /assets/{version}/{path}`: an embedded asset. The current version is cached for good; any
/// other version (a page loaded before an upgrade) gets today's file, revalidated each time.
pub async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some((requested, name)) = path.split_once('/') else {
        return ApiError::not_found("no such asset").into_response();
    };
    let Some(i) = ASSETS.iter().position(|a| a.path == name) else {
        return ApiError::not_found("no such asset").into_response();
    };
    let asset = &ASSETS[i];
    let etag = &etags()[i];
    let cache = if requested == version() { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.mime)], asset.bytes).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_str(v).expect("header value"));
        }
        h
    }

    #[test]
    fn language_from_cookie_then_accept_language() {
        let cases: &[(&[(header::HeaderName, &str)], Lang)] = &[
            (&[], Lang::En),
            (&[(header::ACCEPT_LANGUAGE, "fa-IR,fa;q=0.9,en;q=0.8")], Lang::Fa),
            (&[(header::ACCEPT_LANGUAGE, "de-DE, en;q=0.5, fa;q=0.4")], Lang::En),
            (&[(header::ACCEPT_LANGUAGE, "de")], Lang::En),
            (&[(header::ACCEPT_LANGUAGE, "fa"), (header::COOKIE, "a=b; daftar-lang=en")], Lang::En),
            (&[(header::ACCEPT_LANGUAGE, "en-US"), (header::COOKIE, "daftar-lang=fa")], Lang::Fa),
            (&[(header::ACCEPT_LANGUAGE, "fa"), (header::COOKIE, "daftar-lang=xx")], Lang::Fa),
        ];
        for (h, want) in cases {
            assert_eq!(Lang::of(&headers(h)), *want, "{h:?}");
        }
    }

    #[test]
    fn shell_has_no_placeholders_left() {
        for lang in [Lang::Fa, Lang::En] {
            let s = shell(lang);
            assert!(!s.contains("{{"), "{s}");
            assert!(s.contains(&format!("/assets/{}/app.js", version())));
        }
        assert!(shell(Lang::Fa).contains("<html lang=\"fa\" dir=\"rtl\">"));
        assert!(shell(Lang::En).contains("<html lang=\"en\" dir=\"ltr\">"));
    }

    #[test]
    fn every_file_of_the_viewer_is_embedded() {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("read viewer/") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else if let Ok(rel) = path.strip_prefix(base) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("viewer");
        let mut files = Vec::new();
        walk(&base, &base, &mut files);
        for file in files.iter().filter(|f| *f != "index.html" && *f != "README.md") {
            assert!(ASSETS.iter().any(|a| a.path == file), "viewer/{file} is not listed in ASSETS");
        }
    }

    #[test]
    fn every_asset_the_shell_names_is_embedded() {
        let s = shell(Lang::Fa);
        let prefix = format!("/assets/{}/", version());
        for part in s.split(&prefix).skip(1) {
            let name = part.split('"').next().unwrap_or("");
            assert!(ASSETS.iter().any(|a| a.path == name), "{name} is not embedded");
        }
    }
}
