//! Who is asking, over HTTP: the [`Reader`] of a request, from `Authorization: Bearer <token>` or,
//! without that header, the viewer's `daftar_token` cookie (so plain links to `/raw` and feeds work
//! in a browser). Without `[auth]` every request reads everything; with it, a token that matches
//! nothing is refused with 401 on every route that reads notes, and no token reads public notes.
//! What each reader may see is decided in [`crate::access`].

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::state::AppState;
use crate::access::{Denied, Reader};

/// The cookie the viewer keeps the token in.
pub const COOKIE: &str = "daftar_token";

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Reader, ApiError> {
        reader(&parts.headers, state)
    }
}

/// The reader of a request with these headers.
pub fn reader(headers: &HeaderMap, state: &AppState) -> Result<Reader, ApiError> {
    let Some(auth) = &state.config.auth else {
        return Ok(Reader::everyone());
    };
    let refused = |e: Denied| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", e.to_string());
    let token = token(headers).map_err(refused)?;
    auth.authenticate(token.as_deref()).map_err(refused)
}

/// The token a request carries: the Authorization header's, else the cookie's.
fn token(headers: &HeaderMap) -> Result<Option<String>, Denied> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| Denied::Malformed)?;
        let (scheme, token) = value.trim().split_once(' ').ok_or(Denied::Malformed)?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(Denied::Malformed);
        }
        return Ok(Some(token.trim().to_string()));
    }
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for pair in value.split(';') {
            if let Some((name, token)) = pair.trim().split_once('=') {
                if name == COOKIE && !token.is_empty() {
                    let token =
                        percent_encoding::percent_decode_str(token).decode_utf8().map_err(|_| Denied::Malformed)?;
                    return Ok(Some(token.into_owned()));
                }
            }
        }
    }
    Ok(None)
}

/// `GET /api/me`: who the server takes the caller for.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Whether `[auth]` is configured; without it everything is readable by everyone.
    pub access_control: bool,
    /// The token's name; `null` when anonymous or without access control.
    pub name: Option<String>,
    pub groups: Vec<String>,
    /// Nothing is hidden from this caller (no access control, or an admin token).
    pub sees_all: bool,
}

#[utoipa::path(get, path = "/api/me", tag = "operations",
    responses((status = 200, body = Me), (status = 401, body = super::api::ErrorBody)))]
pub async fn me(State(state): State<AppState>, reader: Reader) -> Json<Me> {
    Json(Me {
        access_control: state.config.auth.is_some(),
        sees_all: reader.sees_all(),
        name: reader.name,
        groups: reader.groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    #[test]
    fn tokens_come_from_the_header_then_the_cookie() {
        type Case<'a> = (&'a [(header::HeaderName, &'a str)], Result<Option<&'a str>, Denied>);
        let cases: &[Case] = &[
            (&[], Ok(None)),
            (&[(header::AUTHORIZATION, "Bearer abc")], Ok(Some("abc"))),
            (&[(header::AUTHORIZATION, "bearer  abc ")], Ok(Some("abc"))),
            (&[(header::AUTHORIZATION, "Basic abc")], Err(Denied::Malformed)),
            (&[(header::AUTHORIZATION, "Bearer")], Err(Denied::Malformed)),
            (&[(header::AUTHORIZATION, "Bearer ")], Err(Denied::Malformed)),
            (&[(header::COOKIE, "theme=dark; daftar_token=a%20b")], Ok(Some("a b"))),
            (&[(header::COOKIE, "theme=dark"), (header::COOKIE, "daftar_token=x")], Ok(Some("x"))),
            (&[(header::COOKIE, "daftar_token=")], Ok(None)),
            (&[(header::COOKIE, "xdaftar_token=y")], Ok(None)),
            // The header wins over the cookie.
            (&[(header::AUTHORIZATION, "Bearer h"), (header::COOKIE, "daftar_token=c")], Ok(Some("h"))),
        ];
        for (given, want) in cases {
            let got = token(&headers(given));
            assert_eq!(got.as_ref().map(|t| t.as_deref()), want.as_ref().map(|t| *t), "{given:?}");
        }
    }
}
