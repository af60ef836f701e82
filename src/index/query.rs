//! The query language of `q`, parsed into a small tree before anything touches tantivy: words,
//! `"exact phrases"`, `-word` / `-"phrase"` to exclude, `field:value` / `field:"value"`, `OR`
//! between terms, and `( … )` groups. Malformed input is a client error naming what is wrong;
//! a lone `-` is read leniently (ignored).

use crate::error::Error;

/// Fields a `field:value` clause may name (besides `meta.<key>`).
pub const FIELDS: &[&str] = &["program", "project", "expert", "kind", "tag", "status", "title", "portfolio", "author"];

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most clauses a query may hold.
pub const MAX_CLAUSES: usize = 64;

/// One clause of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Word(String),
    Phrase(String),
    /// `field:value`; `field` is one of [`FIELDS`] or `meta.<key>`.
    Field(String, String),
    /// Any of these (written with `OR`).
    Any(Vec<Clause>),
    /// A parenthesised group: all of these count together.
    Group(Vec<Clause>),
    Not(Box<Clause>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Text(String),
    Quoted(String),
    Minus,
    Colon,
    Or,
    Open,
    Close,
}

fn syntax(message: impl Into<String>) -> Error {
    Error::invalid("bad_query", message)
}

fn lex(q: &str) -> Result<Vec<Tok>, Error> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Tok>| {
        if !word.is_empty() {
            let w = std::mem::take(word);
            out.push(if w == "OR" { Tok::Or } else { Tok::Text(w) });
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' | '«' | '»' | '“' | '”' => {
                flush(&mut word, &mut out);
                let mut phrase = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if matches!(c, '"' | '»' | '”' | '«' | '“') {
                        closed = true;
                        break;
                    }
                    phrase.push(c);
                }
                if !closed {
                    return Err(syntax("unbalanced quote: a phrase opened with \" is never closed"));
                }
                out.push(Tok::Quoted(phrase));
            }
            '(' => {
                flush(&mut word, &mut out);
                out.push(Tok::Open);
            }
            ')' => {
                flush(&mut word, &mut out);
                out.push(Tok::Close);
            }
            '-' if word.is_empty() => out.push(Tok::Minus),
            ':' if !word.is_empty() && is_field_name(&word) && chars.peek() != Some(&'/') => {
                flush(&mut word, &mut out);
                out.push(Tok::Colon);
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    Ok(out)
}

fn is_field_name(w: &str) -> bool {
    w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    clauses: usize,
}

/// Parses `q` into its top-level clauses.
pub fn parse(q: &str) -> Result<Vec<Clause>, Error> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::invalid("query_too_long", format!("q is longer than {MAX_QUERY_CHARS} characters")));
    }
    let mut p = Parser { toks: lex(q)?, pos: 0, clauses: 0 };
    let out = p.sequence(false)?;
    if p.pos < p.toks.len() {
        return Err(syntax("unbalanced parenthesis: `)` without a matching `(`"));
    }
    Ok(out)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn sequence(&mut self, nested: bool) -> Result<Vec<Clause>, Error> {
        let mut out = Vec::new();
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Close if nested => return Ok(out),
                Tok::Close => return Err(syntax("unbalanced parenthesis: `)` without a matching `(`")),
                Tok::Or => {
                    // A leading or doubled OR is read as nothing.
                    self.pos += 1;
                }
                _ => {
                    if let Some(c) = self.any()? {
                        out.push(c);
                    }
                }
            }
        }
        if nested {
            return Err(syntax("unbalanced parenthesis: `(` is never closed"));
        }
        Ok(out)
    }

    fn any(&mut self) -> Result<Option<Clause>, Error> {
        let Some(first) = self.unary()? else {
            return Ok(None);
        };
        let mut alternatives = vec![first];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            if let Some(next) = self.unary()? {
                alternatives.push(next);
            }
        }
        Ok(Some(if alternatives.len() == 1 { alternatives.remove(0) } else { Clause::Any(alternatives) }))
    }

    fn unary(&mut self) -> Result<Option<Clause>, Error> {
        let mut negate = false;
        while self.peek() == Some(&Tok::Minus) {
            self.pos += 1;
            negate = !negate;
        }
        let Some(c) = self.primary()? else {
            return Ok(None);
        };
        self.clauses += 1;
        if self.clauses > MAX_CLAUSES {
            return Err(Error::invalid("query_too_complex", format!("the query has more than {MAX_CLAUSES} terms")));
        }
        Ok(Some(if negate { Clause::Not(Box::new(c)) } else { c }))
    }

    fn primary(&mut self) -> Result<Option<Clause>, Error> {
        let Some(tok) = self.peek().cloned() else {
            return Ok(None);
        };
        match tok {
            Tok::Text(w) => {
                self.pos += 1;
                if self.peek() == Some(&Tok::Colon) {
                    self.pos += 1;
                    return self.field(w).map(Some);
                }
                Ok(Some(Clause::Word(w)))
            }
            Tok::Quoted(p) => {
                self.pos += 1;
                Ok((!p.trim().is_empty()).then_some(Clause::Phrase(p)))
            }
            Tok::Open => {
                self.pos += 1;
                let inner = self.sequence(true)?;
                self.pos += 1; // the `)` that `sequence` stopped at
                Ok(match inner.len() {
                    0 => None,
                    1 => inner.into_iter().next(),
                    _ => Some(Clause::Group(inner)),
                })
            }
            Tok::Or | Tok::Close | Tok::Minus | Tok::Colon => {
                self.pos += 1;
                Ok(None)
            }
        }
    }

    fn field(&mut self, name: String) -> Result<Clause, Error> {
        let lower = name.to_ascii_lowercase();
        let known = FIELDS.contains(&lower.as_str()) || lower.strip_prefix("meta.").is_some_and(|k| !k.is_empty());
        if !known {
            return Err(Error::invalid(
                "unknown_field",
                format!("unknown field `{name}:`; use one of {} or meta.<key>", FIELDS.join(", ")),
            ));
        }
        match self.peek().cloned() {
            Some(Tok::Text(v)) => {
                self.pos += 1;
                Ok(Clause::Field(lower, v))
            }
            Some(Tok::Quoted(v)) if !v.trim().is_empty() => {
                self.pos += 1;
                Ok(Clause::Field(lower, v))
            }
            _ => Err(Error::invalid("empty_field", format!("`{name}:` needs a value, e.g. {name}:value"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Clause::*;

    fn w(s: &str) -> Clause {
        Word(s.into())
    }

    #[test]
    fn parses_the_language() {
        let cases: Vec<(&str, Vec<Clause>)> = vec![
            ("vendor onboarding", vec![w("vendor"), w("onboarding")]),
            ("\"vendor onboarding\" delay", vec![Phrase("vendor onboarding".into()), w("delay")]),
            ("risk -draft", vec![w("risk"), Not(Box::new(w("draft")))]),
            (
                "program:ERP kind:\"lesson learned\"",
                vec![Field("program".into(), "ERP".into()), Field("kind".into(), "lesson learned".into())],
            ),
            ("meta.budget_code:FIN-204", vec![Field("meta.budget_code".into(), "FIN-204".into())]),
            ("a OR b c", vec![Any(vec![w("a"), w("b")]), w("c")]),
            ("(a b) OR c", vec![Any(vec![Group(vec![w("a"), w("b")]), w("c")])]),
            ("-", vec![]),
            ("e-mail", vec![w("e-mail")]),
            ("ریسک «مدیریت دانش»", vec![w("ریسک"), Phrase("مدیریت دانش".into())]),
            ("http://x.org", vec![w("http://x.org")]),
            ("", vec![]),
        ];
        for (q, want) in cases {
            assert_eq!(parse(q).expect(q), want, "{q}");
        }
    }

    #[test]
    fn refuses_malformed_queries() {
        let cases = [
            ("\"open", "bad_query"),
            ("(a b", "bad_query"),
            ("a)", "bad_query"),
            ("program:", "empty_field"),
            ("colour:red", "unknown_field"),
        ];
        for (q, code) in cases {
            match parse(q) {
                Err(Error::Invalid { code: got, .. }) => assert_eq!(got, code, "{q}"),
                other => panic!("{q}: {other:?}"),
            }
        }
        let long = "a ".repeat(600);
        assert!(parse(&long).is_err());
    }
}
