//! Query-string parameters, read strictly: repeated parameters are kept (`program=A&program=B`),
//! malformed percent-encoding or invalid UTF-8 is a 400 naming the parameter, and every number,
//! boolean and date is checked with a message that says what was expected.

use super::error::{ApiError, ApiResult};
use crate::note::date;

/// The decoded parameters of one request, in order.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

fn decode(part: &str, what: &str) -> ApiResult<String> {
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return Err(ApiError::bad_request("bad_encoding", format!("invalid percent-encoding in {what}")));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    let plus = part.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ApiError::bad_request("bad_encoding", format!("{what} is not valid UTF-8 once decoded")))
}

impl Params {
    pub fn parse(raw: Option<&str>) -> ApiResult<Params> {
        let mut out = Vec::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(k, "a parameter name")?;
            let value = decode(v, &format!("parameter `{key}`"))?;
            out.push((key, value));
        }
        Ok(Params(out))
    }

    /// The last non-empty value of `name`.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_string()).collect()
    }

    pub fn bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.one(name).map(|s| s.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) => match v.as_str() {
                "true" | "1" | "yes" | "on" => Ok(Some(true)),
                "false" | "0" | "no" | "off" => Ok(Some(false)),
                _ => Err(ApiError::bad_request("bad_parameter", format!("`{name}` must be true or false, not `{v}`"))),
            },
        }
    }

    pub fn number(&self, name: &str, default: usize, max: usize) -> ApiResult<usize> {
        match self.one(name) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n <= max => Ok(n),
                Ok(_) => Err(ApiError::bad_request("out_of_range", format!("`{name}` must be at most {max}"))),
                Err(_) => {
                    Err(ApiError::bad_request("bad_parameter", format!("`{name}` must be a whole number, not `{v}`")))
                }
            },
        }
    }

    pub fn date(&self, name: &str) -> ApiResult<Option<date::Instant>> {
        self.one(name)
            .map(|v| date::parse(v).map_err(|e| ApiError::bad_request("bad_date", format!("`{name}`: {e}"))))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_encoded() {
        let p = Params::parse(Some("program=A&program=B+C&q=%D8%B1%DB%8C%D8%B3%DA%A9&empty=")).expect("parse");
        assert_eq!(p.all("program"), ["A", "B C"]);
        assert_eq!(p.one("q"), Some("ریسک"));
        assert_eq!(p.one("empty"), None);
    }

    #[test]
    fn refusals() {
        for raw in ["q=%zz", "q=%4", "q=%ff%fe"] {
            assert!(Params::parse(Some(raw)).is_err(), "{raw}");
        }
        let p = Params::parse(Some("limit=abc&key=maybe&from=2026-13-45&offset=-1")).expect("parse");
        assert!(p.number("limit", 20, 100).is_err());
        assert!(p.number("offset", 0, 10).is_err());
        assert!(p.bool("key").is_err());
        assert!(p.date("from").is_err());
    }
}
