//! Validation of front matter against `schemas/note.schema.json`, the one source of the
//! front-matter rules. Each violation becomes a message a person understands, on the line of the
//! offending key.

use std::sync::OnceLock;

use serde_json::Value;

/// The schema, compiled into the binary so `check` and the indexer always agree.
pub const NOTE_SCHEMA: &str = include_str!("../../schemas/note.schema.json");

fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(NOTE_SCHEMA).ok()?;
            jsonschema::options().should_validate_formats(true).build(&schema).ok()
        })
        .as_ref()
}

/// One violation: the top-level key it concerns (`None` for the whole header) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub key: Option<String>,
    pub message: String,
}

/// Validates a parsed header. An invalid built-in schema is a bug caught by the tests, so here it
/// yields no violations rather than failing every note.
pub fn validate(front: &Value) -> Vec<Violation> {
    let Some(validator) = validator() else {
        return Vec::new();
    };
    let mut out: Vec<Violation> = Vec::new();
    for error in validator.iter_errors(front) {
        let path = error.instance_path().as_str().to_string();
        let key = path.trim_start_matches('/').split('/').next().filter(|k| !k.is_empty()).map(unescape);
        let message = match &key {
            Some(k) => describe(k, front.get(k.as_str())),
            None => "front matter must be a mapping of `key: value` lines".to_string(),
        };
        if !out.iter().any(|v| v.key == key) {
            out.push(Violation { key, message });
        }
    }
    out
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// A message for an invalid value of `key`, using the schema's own description of the key.
fn describe(key: &str, value: Option<&Value>) -> String {
    let shown = match value {
        Some(Value::String(s)) => format!("`{s}`"),
        Some(v) => format!("`{v}`"),
        None => "the value".to_string(),
    };
    let expected = match key {
        "date" | "review_by" => "a date: YYYY-MM-DD or RFC 3339, or a Jalali date such as 1403-02-15".to_string(),
        "key" => "true or false".to_string(),
        "status" => "one of draft, approved, superseded, archived".to_string(),
        "visibility" => "one of public, internal, restricted".to_string(),
        "experts" | "author" | "authors" | "audience" | "tags" => "a name or a list of names".to_string(),
        "kind" => "a single word such as lesson, decision, risk, issue, report, guideline, meeting, reference, charter"
            .to_string(),
        _ => "non-empty text".to_string(),
    };
    format!("{key}: {shown} is not valid; expected {expected}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_schema_compiles() {
        assert!(validator().is_some(), "schemas/note.schema.json must compile");
    }

    #[test]
    fn violations_name_their_key() {
        let cases = [
            (json!({"title": "ok", "date": "2026-03-14"}), vec![]),
            (json!({"date": "1403-02-15", "review_by": "۱۴۰۳/۰۲/۱۵"}), vec![]),
            (json!({"date": "2026-03-14T10:00:00+03:30"}), vec![]),
            (json!({"date": "2026-13-45"}), vec!["date"]),
            (json!({"key": "yes please"}), vec!["key"]),
            (json!({"status": "done", "visibility": "secret"}), vec!["status", "visibility"]),
            (json!({"experts": "Sara", "tags": ["a", 3]}), vec!["tags"]),
            (json!({"title": ""}), vec!["title"]),
            (json!({"budget_code": "FIN-204", "phase": 3}), vec![]),
        ];
        for (front, keys) in cases {
            let got: Vec<String> = validate(&front).into_iter().filter_map(|v| v.key).collect();
            assert_eq!(got, keys, "{front}");
        }
        let whole = validate(&json!(["a list"]));
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].key, None);
    }
}
