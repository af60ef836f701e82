//! Front matter: split a note into its YAML (`---`) or TOML (`+++`) header and its body, parse the
//! header into a JSON value (the shape the JSON Schema validates), and remember on which line each
//! top-level key sits so problems can name it.

use serde_json::Value;

/// The header of a note, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// A note split at its front matter.
#[derive(Debug)]
pub struct Split<'a> {
    /// The header's text between the fences, if the note has one.
    pub header: Option<(Format, &'a str)>,
    /// The Markdown after the header.
    pub body: &'a str,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
}

/// Splits `text` (BOM already removed, any line endings) at a leading `---` or `+++` fence. An
/// opening fence without a closing one is not front matter: the whole text is body.
pub fn split(text: &str) -> Split<'_> {
    let whole = Split { header: None, body: text, body_line: 1 };
    let (fence, format) = if text.starts_with("---") {
        ("---", Format::Yaml)
    } else if text.starts_with("+++") {
        ("+++", Format::Toml)
    } else {
        return whole;
    };
    let Some(first_end) = text.find('\n') else {
        return whole;
    };
    if text[..first_end].trim_end() != fence {
        return whole;
    }
    let mut pos = first_end + 1;
    let mut line = 2;
    while pos <= text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let current = text[pos..end].trim_end_matches('\r');
        if current.trim_end() == fence || (format == Format::Yaml && current.trim_end() == "...") {
            let body_start = (end + 1).min(text.len());
            return Split {
                header: Some((format, &text[first_end + 1..pos])),
                body: &text[body_start..],
                body_line: line + 1,
            };
        }
        if end == text.len() {
            break;
        }
        pos = end + 1;
        line += 1;
    }
    whole
}

/// A header that could not be parsed: the message and the 1-based line within the header.
#[derive(Debug)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// Parses a header into JSON. YAML or TOML dates become strings (the schema checks their form).
pub fn parse(format: Format, header: &str) -> Result<Value, SyntaxError> {
    match format {
        Format::Yaml => {
            if header.trim().is_empty() {
                return Ok(Value::Object(Default::default()));
            }
            // The parser may notice an unclosed bracket only at the end: keep the line inside the header.
            let last_line = header.lines().count().max(1);
            let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(header).map_err(|e| SyntaxError {
                line: e.location().map_or(1, |l| l.line()).min(last_line),
                message: format!("invalid YAML front matter: {}", strip_location(&e.to_string())),
            })?;
            Ok(yaml_to_json(yaml))
        }
        Format::Toml => {
            let table: toml::Table = toml::from_str(header).map_err(|e| SyntaxError {
                line: e.span().map_or(1, |s| 1 + header[..s.start.min(header.len())].matches('\n').count()),
                message: format!("invalid TOML front matter: {}", e.message()),
            })?;
            Ok(toml_to_json(toml::Value::Table(table)))
        }
    }
}

fn strip_location(msg: &str) -> String {
    // serde_yaml_ng appends " at line L column C"; the caller reports the line itself.
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn yaml_to_json(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(map.into_iter().map(|(k, v)| (yaml_key(k), yaml_to_json(v))).collect()),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_key(k: serde_yaml_ng::Value) -> String {
    match k {
        serde_yaml_ng::Value::String(s) => s,
        other => serde_yaml_ng::to_string(&other).map(|s| s.trim().to_string()).unwrap_or_default(),
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

/// The 1-based header line on which each top-level key is written (`key:` in YAML, `key =` in TOML).
pub fn key_lines(format: Format, header: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (i, line) in header.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-', '[']) {
            continue;
        }
        let sep = if format == Format::Yaml { ':' } else { '=' };
        if let Some(pos) = line.find(sep) {
            let key = line[..pos].trim().trim_matches(['"', '\'']);
            if !key.is_empty() {
                out.push((key.to_string(), i + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cases() {
        let cases: &[(&str, Option<Format>, &str, usize)] = &[
            ("---\ntitle: a\n---\nbody", Some(Format::Yaml), "body", 4),
            ("---\r\ntitle: a\r\n---\r\nbody", Some(Format::Yaml), "body", 4),
            ("+++\ntitle = \"a\"\n+++\n# H", Some(Format::Toml), "# H", 4),
            ("---\ntitle: a\n", None, "---\ntitle: a\n", 1),
            ("no front matter", None, "no front matter", 1),
            ("---\n---\n", Some(Format::Yaml), "", 3),
            ("---\ntitle: a\n---", Some(Format::Yaml), "", 4),
            ("----\nx\n----\n", None, "----\nx\n----\n", 1),
        ];
        for (text, format, body, line) in cases {
            let s = split(text);
            assert_eq!(s.header.map(|h| h.0), *format, "{text:?}");
            assert_eq!(s.body, *body, "{text:?}");
            assert_eq!(s.body_line, *line, "{text:?}");
        }
    }

    #[test]
    fn yaml_errors_carry_a_line() {
        let e = parse(Format::Yaml, "title: a\ntags: [a, b\n").expect_err("unbalanced");
        assert!(e.line >= 2, "{e:?}");
        let e = parse(Format::Toml, "title = \"a\"\ndate = = 3\n").expect_err("bad toml");
        assert_eq!(e.line, 2, "{e:?}");
    }

    #[test]
    fn values_become_json() {
        let v = parse(Format::Toml, "date = 2026-01-10\nexperts = [\"a\"]\nkey = true").expect("toml");
        assert_eq!(v["date"], "2026-01-10");
        assert_eq!(v["key"], true);
        let v = parse(Format::Yaml, "date: 2026-01-10\nkey: yes\nn: 3").expect("yaml");
        assert_eq!(v["date"], "2026-01-10");
        assert_eq!(v["n"], 3);
    }

    #[test]
    fn lines_of_keys() {
        let lines = key_lines(Format::Yaml, "title: a\ntags:\n  - x\ndate: 2026-01-01\n");
        assert_eq!(lines, vec![("title".into(), 1), ("tags".into(), 2), ("date".into(), 4)]);
    }
}
