//! Search: a parsed query becomes one tantivy query per counted word, combined so that notes with
//! every word rank above notes with some (and those above notes with fewer), with facets whose
//! counts are disjunctive, exact totals and `<mark>`-only snippets. Read-only: a searcher per call.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, DocSet, Order, Score, Searcher, SegmentReader, TantivyDocument, Term, TERMINATED};

use super::card::Card;
use super::excluded::Excluded;
use super::facets::FacetCounter;
use super::query::{self, Clause};
use super::snippet::{self, Marks};
use super::{Fields, Index};
use crate::access::Reader;
use crate::analysis::{self, fold_key};
use crate::error::{Error, Result};
use crate::note::date::Instant as Day;

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset one request may ask for.
pub const MAX_OFFSET: usize = 10_000;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

/// Filters: values within a field are OR'ed, fields are AND'ed.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub program: Vec<String>,
    pub project: Vec<String>,
    pub expert: Vec<String>,
    pub kind: Vec<String>,
    pub tag: Vec<String>,
    pub status: Vec<String>,
    pub key: Option<bool>,
    pub from: Option<Day>,
    pub to: Option<Day>,
}

/// A search as asked.
#[derive(Debug, Clone)]
pub struct Request {
    pub q: String,
    pub filters: Filters,
    pub sort: Sort,
    pub match_all: bool,
    pub prefix: bool,
    pub limit: usize,
    pub offset: usize,
    pub facets: bool,
    /// Favour recent notes: a relevance bonus that halves every [`RECENCY_HALF_LIFE_DAYS`].
    pub recency: bool,
    /// Word lengths (in letters) from which one and two typos are forgiven.
    pub typos: Typos,
    /// Who asks: notes they may not see are filtered out like any other filter, so hits, `total`
    /// and facet counts never reveal them.
    pub reader: Reader,
}

/// Word lengths from which typos are forgiven (Meilisearch's defaults: 5 and 9 letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Typos {
    pub one: usize,
    pub two: usize,
}

impl Default for Typos {
    fn default() -> Self {
        Typos { one: 5, two: 9 }
    }
}

impl Typos {
    /// Edits forgiven for a word of `chars` letters.
    pub fn distance(&self, chars: usize) -> u8 {
        if chars >= self.two {
            2
        } else if chars >= self.one {
            1
        } else {
            0
        }
    }
}

/// The age at which the recency bonus has halved.
pub const RECENCY_HALF_LIFE_DAYS: f32 = 180.0;

impl Default for Request {
    fn default() -> Self {
        Request {
            q: String::new(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            match_all: false,
            prefix: false,
            limit: 20,
            offset: 0,
            facets: true,
            recency: false,
            typos: Typos::default(),
            // The library's caller reads the folder itself; the server always says who asks.
            reader: Reader::everyone(),
        }
    }
}

/// One hit, in the API's shape.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    #[serde(flatten)]
    pub card: Card,
    pub score: f32,
    /// How many of the query's words this note matched.
    pub matched: usize,
    /// HTML whose only tags are `<mark>`.
    pub snippet: String,
}

/// A facet value with its count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Response {
    pub query: String,
    pub total: usize,
    /// Words of the query that count for `matched` (stop words aside).
    pub words: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<FacetValue>>,
}

/// The facet dimensions: name in the API, facet field, key field for filtering.
fn dimensions(f: &Fields) -> [(&'static str, Field, Field); 6] {
    [
        ("program", f.program_f, f.program_k),
        ("project", f.project_f, f.project_k),
        ("expert", f.expert_f, f.expert_k),
        ("kind", f.kind_f, f.kind_k),
        ("tag", f.tag_f, f.tag_k),
        ("status", f.status_f, f.status_k),
    ]
}

fn filter_values<'a>(filters: &'a Filters, dim: &str) -> &'a [String] {
    match dim {
        "program" => &filters.program,
        "project" => &filters.project,
        "expert" => &filters.expert,
        "kind" => &filters.kind,
        "tag" => &filters.tag,
        "status" => &filters.status,
        _ => &[],
    }
}

/// The compiled query: the tantivy query plus what ranking, counting and snippets need.
pub struct Compiled {
    pub query: Box<dyn Query>,
    /// One query per counted word (stop words aside unless every word is one).
    pub units: Vec<Box<dyn Query>>,
    pub marks: Marks,
    /// Filters from `field:value` clauses and negations, applied with the request's filters.
    extra: Vec<(Occur, Box<dyn Query>)>,
    /// How many counted words every hit matches, when that is known without looking (every word
    /// required, or a single word): ranking then needs no per-note count.
    uniform: Option<usize>,
}

fn term_q(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

fn boost(q: Box<dyn Query>, b: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, b))
}

fn any_of(qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(qs.into_iter().map(|q| (Occur::Should, q)).collect()))
}

/// A phrase, or a term when it has one token; `None` when it has none.
fn phrase_q(field: Field, tokens: &[String], slop: u32) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [one] => Some(term_q(field, one)),
        many => {
            let terms = many.iter().enumerate().map(|(i, t)| (i, Term::from_field_text(field, t))).collect();
            Some(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
        }
    }
}

/// Tokens of a text, one per position (the first token at each position).
fn positions(tokens: &[analysis::AnalyzedToken]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut last = usize::MAX;
    for t in tokens {
        if t.position != last {
            out.push(t.text.clone());
            last = t.position;
        }
    }
    out
}

/// Token sequences a phrase may take: as typed, with half-spaced words split into their parts,
/// and with adjacent Persian words joined (people type `برنامه ریزی` for `برنامه‌ریزی`).
fn phrase_forms(text: &str) -> Vec<Vec<String>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut forms: Vec<Vec<String>> = vec![Vec::new()];
    for (i, w) in words.iter().enumerate() {
        let joined = positions(&analysis::main_tokens(w));
        let parts: Vec<String> = w.split('\u{200C}').flat_map(|p| positions(&analysis::main_tokens(p))).collect();
        let mut next = Vec::new();
        for form in &forms {
            let mut a = form.clone();
            a.extend(joined.iter().cloned());
            next.push(a);
            if parts != joined && parts.len() > 1 {
                let mut b = form.clone();
                b.extend(parts.iter().cloned());
                next.push(b);
            }
            if i > 0 && is_persian(words[i - 1]) && is_persian(w) && joined.len() == 1 {
                if let Some(prev) = form.last() {
                    let mut c = form[..form.len() - 1].to_vec();
                    c.push(format!("{prev}{}", joined[0]));
                    next.push(c);
                }
            }
        }
        next.dedup();
        next.truncate(16);
        forms = next;
    }
    forms.retain(|f| !f.is_empty());
    forms
}

fn is_persian(w: &str) -> bool {
    w.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// Which terms the knowledge base holds (in the body field), for query-time decisions.
pub struct Lexicon<'a> {
    pub searcher: &'a Searcher,
    pub field: Field,
    pub typos: Typos,
}

impl Lexicon<'_> {
    /// True when some note's body holds `term`.
    pub fn has(&self, term: &str) -> bool {
        let term = Term::from_field_text(self.field, term);
        self.searcher.segment_readers().iter().any(|segment| {
            segment.inverted_index(self.field).is_ok_and(|ii| ii.get_term_info(&term).ok().flatten().is_some())
        })
    }

    /// True when `term` is in so many notes' bodies (at least [`COMMON_NOTES`], and 1 in
    /// [`COMMON_SHARE`]) that it was typed as meant: it gets no typo tolerance.
    ///
    /// A misspelling of a common word only ever ranks below the notes that spell it right, far
    /// past the first page, while finding it costs a Levenshtein automaton run over the whole term
    /// dictionary of two fields in every segment: a fifth of a search at 100,000 notes
    /// (BENCHMARKS.md). A word typed wrong is rare or absent, and keeps its tolerance.
    pub fn common(&self, term: &str) -> bool {
        let notes = self.searcher.doc_freq(&Term::from_field_text(self.field, term)).unwrap_or(0);
        notes >= COMMON_NOTES && notes.saturating_mul(COMMON_SHARE) >= self.searcher.num_docs()
    }

    /// Splits of a joined Persian word into two known words of at least two letters each.
    pub fn splits(&self, word: &str) -> Vec<(String, String)> {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() < 5 || chars.len() > 30 || !chars.iter().all(|(_, c)| ('\u{0620}'..='\u{06FF}').contains(c)) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for &(at, _) in &chars[2..chars.len() - 1] {
            let (a, b) = word.split_at(at);
            if b.chars().count() >= 2 && self.has(a) && self.has(b) {
                out.push((a.to_string(), b.to_string()));
            }
        }
        out.truncate(3);
        out
    }
}

/// Fewest notes, and smallest share of them (one in this many), whose bodies hold a word for it to
/// count as typed as meant ([`Lexicon::common`]).
pub const COMMON_NOTES: u64 = 50;
pub const COMMON_SHARE: u64 = 100;

/// Most words of one query that get typo tolerance. Each is a Levenshtein automaton intersected with
/// the term dictionaries of two fields in every pass over the index, and a fuzzy mark every snippet
/// compares each token with: about 20 ms a word at 100k notes on 2 cores, so a pasted paragraph of
/// 64 long words took over a second (issue #9). Later words match as typed (with their spelling
/// variants); negated words draw on the same allowance.
pub const MAX_FUZZY_WORDS: usize = 5;
/// Most phrase forms one query matches by position: quoted phrases and the other ways a Persian
/// phrase may be written, words of several tokens (`e-mail`, `vendor-onboarding`, a Jalali date),
/// half-spaced words found typed with a space, and joined Persian words found split. Each form is a
/// positional match on four fields in every pass over the index: a phrase of two common words
/// costs 100–150 ms at 100k notes on 2 cores, and 45 such phrases, 64 hyphenated words or a quoted
/// Persian phrase with its 16 forms took seconds (issue #9). Past the allowance a phrase's other
/// forms are dropped, and a phrase or word of several tokens with no form left matches notes that
/// hold all of its words, anywhere; a half-spaced or joined word keeps its other matches (its
/// expanded forms hold its parts, so a note that typed it with a space is still found, ranked by
/// the words rather than the phrase).
pub const MAX_PHRASE_FORMS: usize = 2;

/// What one query may still spend on the expensive kinds of matching.
#[derive(Debug)]
pub struct Budget {
    pub fuzzy_words: usize,
    pub phrase_forms: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { fuzzy_words: MAX_FUZZY_WORDS, phrase_forms: MAX_PHRASE_FORMS }
    }
}

/// Takes one from `left`; false when nothing is left.
fn spend(left: &mut usize) -> bool {
    let ok = *left > 0;
    *left = left.saturating_sub(1);
    ok
}

/// Main-field weights: title > summary and tags > headings > body.
fn main_fields(f: &Fields) -> [(Field, f32); 4] {
    [(f.title, 4.0), (f.lead, 2.5), (f.headings, 1.8), (f.body, 1.0)]
}

fn expanded_fields(f: &Fields) -> [(Field, f32); 3] {
    [(f.title_x, 1.6), (f.lead_x, 1.0), (f.body_x, 0.45)]
}

/// The query for one word; its terms are added to `marks` for snippets.
fn word_query(
    f: &Fields,
    lex: &Lexicon,
    word: &str,
    prefix: bool,
    marks: &mut Marks,
    budget: &mut Budget,
) -> Option<Box<dyn Query>> {
    word_query_with(f, lex, word, &[], prefix, marks, budget)
}

/// [`word_query`], also matching `joined`: the word glued to its neighbour in the query, for notes
/// that wrote the two as one (`برنامهریزی` for the query `برنامه ریزی`).
fn word_query_with(
    f: &Fields,
    lex: &Lexicon,
    word: &str,
    joined: &[String],
    prefix: bool,
    marks: &mut Marks,
    budget: &mut Budget,
) -> Option<Box<dyn Query>> {
    let typos = lex.typos;
    let main = analysis::main_tokens(word);
    let tokens = positions(&main);
    if tokens.is_empty() {
        return None;
    }
    marks.word();
    let mut disjuncts: Vec<Box<dyn Query>> = Vec::new();
    for j in joined {
        marks.form(j.clone());
        for (field, w) in main_fields(f) {
            disjuncts.push(boost(term_q(field, j), w * 0.8));
        }
    }
    if tokens.len() > 1 {
        // `e-mail`, a Jalali date with its parts...: the word is a phrase of its tokens.
        return phrase_query(f, word, marks, budget);
    }
    let t = &tokens[0];
    for same in main.iter().map(|t| &t.text) {
        marks.form(same.clone());
        for (field, w) in main_fields(f) {
            disjuncts.push(boost(term_q(field, same), w));
        }
    }
    for v in analysis::variants(t) {
        marks.form(v.clone());
        for (field, w) in main_fields(f) {
            disjuncts.push(boost(term_q(field, &v), w * 0.9));
        }
    }
    let mut expanded: Vec<String> = analysis::expanded_tokens(word).into_iter().map(|t| t.text).collect();
    expanded.sort();
    expanded.dedup();
    for x in &expanded {
        marks.expanded(x.clone());
        for (field, w) in expanded_fields(f) {
            disjuncts.push(boost(term_q(field, x), w));
        }
    }
    if word.contains('\u{200C}') && spend(&mut budget.phrase_forms) {
        // Written with a half-space, found where it was typed with a space.
        let parts: Vec<String> = word.split('\u{200C}').flat_map(|p| positions(&analysis::main_tokens(p))).collect();
        for (field, w) in main_fields(f) {
            if let Some(q) = phrase_q(field, &parts, 0) {
                disjuncts.push(boost(q, w * 0.9));
            }
        }
        parts.into_iter().for_each(|p| marks.part(p));
    }
    // Written joined, found where it was typed with a space (`برنامهریزی` for `برنامه ریزی`):
    // every split into two words the knowledge base knows becomes a phrase.
    let splits = if budget.phrase_forms > 0 { lex.splits(t) } else { Vec::new() };
    for (a, b) in splits {
        if !spend(&mut budget.phrase_forms) {
            break;
        }
        for (field, w) in main_fields(f) {
            if let Some(q) = phrase_q(field, &[a.clone(), b.clone()], 0) {
                disjuncts.push(boost(q, w * 0.8));
            }
        }
        marks.part(a);
        marks.part(b);
    }
    let chars = t.chars().count();
    let distance = typos.distance(chars);
    // Only words get typo tolerance: a code with digits (FIN-204, ISO27001, zz3) means exactly itself,
    // and a word many notes use was typed as meant.
    if distance > 0 && t.chars().all(char::is_alphabetic) && !lex.common(t) && spend(&mut budget.fuzzy_words) {
        marks.fuzzy(t.clone(), distance);
        for (field, w) in [(f.title, 0.9), (f.body, 0.35)] {
            let q = FuzzyTermQuery::new(Term::from_field_text(field, t), distance, true);
            disjuncts.push(boost(Box::new(q), w));
        }
    }
    if prefix {
        marks.prefix(t.clone());
        for (field, w) in [(f.title, 1.2), (f.lead, 0.8), (f.body, 0.5)] {
            let mut q = PhrasePrefixQuery::new(vec![Term::from_field_text(field, t)]);
            q.set_max_expansions(50);
            disjuncts.push(boost(Box::new(q), w));
        }
    }
    Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, 0.3)))
}

/// The query for a phrase in every form it may be written, as far as the budget allows; with no
/// form left, its words anywhere.
fn phrase_query(f: &Fields, text: &str, marks: &mut Marks, budget: &mut Budget) -> Option<Box<dyn Query>> {
    let forms = phrase_forms(text);
    if budget.phrase_forms == 0 {
        return forms.first().and_then(|form| every_token(f, form, marks));
    }
    let mut disjuncts: Vec<Box<dyn Query>> = Vec::new();
    for form in &forms {
        if !spend(&mut budget.phrase_forms) {
            break;
        }
        form.iter().for_each(|t| marks.part(t.clone()));
        for (field, w) in main_fields(f) {
            if let Some(q) = phrase_q(field, form, 0) {
                disjuncts.push(boost(q, w));
            }
        }
    }
    (!disjuncts.is_empty()).then(|| Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, 0.3)) as Box<dyn Query>)
}

/// Notes holding every one of `tokens` in a main field, anywhere: a phrase once the phrase
/// allowance is spent.
fn every_token(f: &Fields, tokens: &[String], marks: &mut Marks) -> Option<Box<dyn Query>> {
    tokens.iter().for_each(|t| marks.part(t.clone()));
    let each = tokens.iter().map(|t| {
        let fields = main_fields(f).into_iter().map(|(field, w)| boost(term_q(field, t), w)).collect();
        (Occur::Must, Box::new(DisjunctionMaxQuery::with_tie_breaker(fields, 0.3)) as Box<dyn Query>)
    });
    Some(Box::new(BooleanQuery::new(each.collect())))
}

/// A `field:value` clause as a filter.
fn field_query(f: &Fields, field: &str, value: &str, marks: &mut Marks) -> Option<Box<dyn Query>> {
    let key = fold_key(value);
    let target = match field {
        "program" => f.program_k,
        "project" => f.project_k,
        "expert" => f.expert_k,
        // Anyone who knows the note: its experts and its commit authors.
        "author" => f.author_k,
        "kind" => f.kind_k,
        "tag" => f.tag_k,
        "status" => f.status_k,
        "portfolio" => f.portfolio_k,
        "title" => {
            let tokens = positions(&analysis::main_tokens(value));
            tokens.iter().for_each(|t| marks.part(t.clone()));
            return phrase_q(f.title, &tokens, 0);
        }
        meta => {
            let k = meta.strip_prefix("meta.").unwrap_or(meta);
            return Some(term_q(f.meta_k, &format!("{}={key}", fold_key(k))));
        }
    };
    Some(term_q(target, &key))
}

/// Compiles the clauses of `q`.
pub fn compile(f: &Fields, lex: &Lexicon, req: &Request) -> Result<Compiled> {
    let clauses = query::parse(&req.q)?;
    let mut marks = Marks::default();
    let mut budget = Budget::default();
    let mut units: Vec<(bool, Box<dyn Query>)> = Vec::new();
    let mut extra: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut words_text: Vec<String> = Vec::new();
    let last_word = clauses.iter().rposition(|c| matches!(c, Clause::Word(_)));
    let joins = adjacent_joins(lex, &clauses);
    for (i, clause) in clauses.iter().enumerate() {
        let prefix = req.prefix && Some(i) == last_word && i + 1 == clauses.len();
        match clause {
            Clause::Field(field, value) => {
                if let Some(q) = field_query(f, field, value, &mut marks) {
                    extra.push((Occur::Must, q));
                }
            }
            Clause::Not(inner) => {
                let mut ignored = Marks::default();
                if let Some(q) = clause_query(f, lex, inner, false, &mut ignored, &mut budget) {
                    extra.push((Occur::MustNot, Excluded::boxed(q)));
                }
            }
            other => {
                if let Clause::Word(w) = other {
                    words_text.push(w.clone());
                }
                let stop = matches!(other, Clause::Word(w) if is_stop(w));
                let q = match other {
                    Clause::Word(w) => word_query_with(f, lex, w, &joins[i], prefix, &mut marks, &mut budget),
                    other => clause_query(f, lex, other, prefix, &mut marks, &mut budget),
                };
                if let Some(q) = q {
                    units.push((stop, q));
                }
            }
        }
    }
    let single = units.len() == 1;
    let mut counted: Vec<Box<dyn Query>> = Vec::new();
    let mut all_units: Vec<Box<dyn Query>> = Vec::new();
    let every_unit_is_stop = units.iter().all(|(stop, _)| *stop);
    for (stop, q) in units {
        if !stop || every_unit_is_stop {
            counted.push(q.box_clone());
        }
        all_units.push(q);
    }
    // Every hit matches every word when all are required, and the one word when there is one.
    let uniform = (req.match_all || single).then_some(counted.len());
    let mut top: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !all_units.is_empty() {
        let occur = if req.match_all { Occur::Must } else { Occur::Should };
        let words: Vec<(Occur, Box<dyn Query>)> = all_units.into_iter().map(|q| (occur, q)).collect();
        top.push((Occur::Must, Box::new(BooleanQuery::new(words))));
        if words_text.len() > 1 {
            // Proximity: the words near one another rank higher.
            let tokens: Vec<String> = words_text.iter().flat_map(|w| positions(&analysis::main_tokens(w))).collect();
            for (field, w) in [(f.title, 1.5), (f.body, 1.0)] {
                if let Some(q) = phrase_q(field, &tokens, 3) {
                    top.push((Occur::Should, boost(q, w)));
                }
            }
        }
    }
    let query: Box<dyn Query> = if top.is_empty() { Box::new(AllQuery) } else { Box::new(BooleanQuery::new(top)) };
    Ok(Compiled { query, units: counted, marks, extra, uniform })
}

/// For each clause, the joined forms of it with a neighbouring Persian word that some note holds.
fn adjacent_joins(lex: &Lexicon, clauses: &[Clause]) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new(); clauses.len()];
    let single = |c: &Clause| match c {
        Clause::Word(w) if is_persian(w) => match positions(&analysis::main_tokens(w)).as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        },
        _ => None,
    };
    for i in 1..clauses.len() {
        if let (Some(a), Some(b)) = (single(&clauses[i - 1]), single(&clauses[i])) {
            let joined = format!("{a}{b}");
            if lex.has(&joined) {
                out[i - 1].push(joined.clone());
                out[i].push(joined);
            }
        }
    }
    out
}

fn is_stop(word: &str) -> bool {
    let tokens = positions(&analysis::main_tokens(word));
    !tokens.is_empty() && tokens.iter().all(|t| analysis::is_stop_word(t))
}

fn clause_query(
    f: &Fields,
    lex: &Lexicon,
    clause: &Clause,
    prefix: bool,
    marks: &mut Marks,
    budget: &mut Budget,
) -> Option<Box<dyn Query>> {
    match clause {
        Clause::Word(w) => word_query(f, lex, w, prefix, marks, budget),
        Clause::Phrase(p) => phrase_query(f, p, marks, budget),
        Clause::Field(field, value) => field_query(f, field, value, marks),
        Clause::Any(alternatives) => {
            let qs: Vec<_> =
                alternatives.iter().filter_map(|c| clause_query(f, lex, c, false, marks, budget)).collect();
            (!qs.is_empty()).then(|| any_of(qs))
        }
        Clause::Group(items) => {
            let mut must = Vec::new();
            for c in items {
                match c {
                    Clause::Not(inner) => {
                        let mut ignored = Marks::default();
                        if let Some(q) = clause_query(f, lex, inner, false, &mut ignored, budget) {
                            must.push((Occur::MustNot, Excluded::boxed(q)));
                        }
                    }
                    c => {
                        if let Some(q) = clause_query(f, lex, c, false, marks, budget) {
                            must.push((Occur::Must, q));
                        }
                    }
                }
            }
            (!must.is_empty()).then(|| Box::new(BooleanQuery::new(must)) as Box<dyn Query>)
        }
        Clause::Not(inner) => {
            let mut ignored = Marks::default();
            let q = clause_query(f, lex, inner, false, &mut ignored, budget)?;
            Some(Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, Excluded::boxed(q)),
            ])))
        }
    }
}

/// The filters of the request (all of them, or all but one facet's own for disjunctive counts).
fn filter_clauses(f: &Fields, req: &Request, except: Option<&str>) -> Vec<(Occur, Box<dyn Query>)> {
    let filters = &req.filters;
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !req.reader.sees_all() {
        out.push((Occur::Must, super::browse::visible(f, &req.reader)));
    }
    for (dim, _, key_field) in dimensions(f) {
        let values = filter_values(filters, dim);
        if values.is_empty() || except == Some(dim) {
            continue;
        }
        out.push((Occur::Must, any_of(values.iter().map(|v| term_q(key_field, &fold_key(v))).collect())));
    }
    if let Some(key) = filters.key {
        out.push((Occur::Must, Box::new(TermQuery::new(Term::from_field_bool(f.key, key), IndexRecordOption::Basic))));
    }
    if filters.from.is_some() || filters.to.is_some() {
        let bound = |d: &Option<Day>, end: bool| match d {
            Some(d) => {
                let secs = if end { d.timestamp() + 86_399 } else { d.timestamp() };
                Bound::Included(Term::from_field_date(f.date, tantivy::DateTime::from_timestamp_secs(secs)))
            }
            None => Bound::Unbounded,
        };
        out.push((Occur::Must, Box::new(RangeQuery::new(bound(&filters.from, false), bound(&filters.to, true)))));
    }
    out
}

fn with_filters(
    base: &dyn Query,
    extra: &[(Occur, Box<dyn Query>)],
    filters: Vec<(Occur, Box<dyn Query>)>,
) -> Box<dyn Query> {
    if extra.is_empty() && filters.is_empty() {
        return base.box_clone();
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, base.box_clone())];
    clauses.extend(extra.iter().map(|(o, q)| (*o, q.box_clone())));
    clauses.extend(filters);
    Box::new(BooleanQuery::new(clauses))
}

/// Counts, per document, how many of the counted word queries it matches.
struct Matcher {
    weights: Vec<Box<dyn Weight>>,
}

impl Matcher {
    fn new(searcher: &Searcher, units: &[Box<dyn Query>]) -> Result<Matcher> {
        let scoring = EnableScoring::disabled_from_searcher(searcher);
        let weights = units.iter().map(|q| q.weight(scoring)).collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Matcher { weights })
    }

    /// A counter for one segment; docs must be asked in increasing order.
    fn segment(&self, reader: &SegmentReader) -> Result<SegmentMatcher> {
        let scorers = self.weights.iter().map(|w| w.scorer(reader, 1.0)).collect::<tantivy::Result<Vec<_>>>()?;
        Ok(SegmentMatcher { scorers: RefCell::new(scorers) })
    }
}

struct SegmentMatcher {
    scorers: RefCell<Vec<Box<dyn tantivy::query::Scorer>>>,
}

impl SegmentMatcher {
    fn count(&self, doc: DocId) -> usize {
        let mut scorers = self.scorers.borrow_mut();
        let mut n = 0;
        for s in scorers.iter_mut() {
            let at = if s.doc() < doc { s.seek(doc) } else { s.doc() };
            if at == doc && at != TERMINATED {
                n += 1;
            }
        }
        n
    }
}

/// Runs a search.
pub fn search(index: &Index, req: &Request) -> Result<Response> {
    let started = Instant::now();
    if req.limit > MAX_LIMIT {
        return Err(Error::invalid("bad_limit", format!("limit must be at most {MAX_LIMIT}")));
    }
    if req.offset > MAX_OFFSET {
        return Err(Error::invalid("bad_offset", format!("offset must be at most {MAX_OFFSET}")));
    }
    let f = index.fields();
    let searcher = index.searcher();
    let lex = Lexicon { searcher: &searcher, field: f.body, typos: req.typos };
    let compiled = compile(f, &lex, req)?;
    let full = with_filters(compiled.query.as_ref(), &compiled.extra, filter_clauses(f, req, None));
    // One pass over the matching notes counts them, ranks them and counts the facets no filter
    // narrows (each pass re-runs the query's scorers: three passes cost about three times one).
    let unfiltered: Vec<&str> = if req.facets {
        dimensions(f).iter().map(|d| d.0).filter(|dim| filter_values(&req.filters, dim).is_empty()).collect()
    } else {
        Vec::new()
    };
    let facets = FacetCounter::new(index.facet_cache(), &searcher, &unfiltered);

    let (total, ranked, mut facets) = if compiled.units.is_empty() || req.sort == Sort::Date {
        let top = TopDocs::with_limit(req.limit.max(1)).and_offset(req.offset).order_by_fast_field("date", Order::Desc);
        let (total, docs, fruits): (usize, Vec<(Option<tantivy::DateTime>, DocAddress)>, _) =
            searcher.search(full.as_ref(), &(Count, top, facets))?;
        let matched = matched_counts(&searcher, &compiled.units, docs.iter().map(|d| d.1).collect())?;
        (total, docs.into_iter().zip(matched).map(|((_, addr), m)| (m, 0.0, addr)).collect::<Vec<_>>(), fruits)
    } else {
        // Only when the count is not known already: building the words' weights compiles their
        // typo automata.
        let matcher = match compiled.uniform {
            None => Some(Arc::new(Matcher::new(&searcher, &compiled.units)?)),
            Some(_) => None,
        };
        let now = chrono::Utc::now().timestamp();
        let recency = req.recency;
        let uniform = compiled.uniform;
        let every = compiled.units.len();
        let page = req.limit.max(1) + req.offset;
        let collector =
            TopDocs::with_limit(req.limit.max(1)).and_offset(req.offset).tweak_score(move |reader: &SegmentReader| {
                let counter = matcher.as_ref().and_then(|m| m.segment(reader).ok());
                let dates = if recency { reader.fast_fields().date("date").ok() } else { None };
                let best = RefCell::new(Leaders::new(page));
                move |doc: DocId, score: Score| {
                    let bonus = dates.as_ref().and_then(|d| d.first(doc)).map_or(1.0, |d| {
                        let days = (now - d.into_timestamp_secs()).max(0) as f32 / 86_400.0;
                        1.0 + 0.5 * (-days / RECENCY_HALF_LIFE_DAYS * std::f32::consts::LN_2).exp()
                    });
                    let score = score * bonus;
                    let Some(counter) = counter.as_ref() else {
                        return (uniform.unwrap_or(0), score);
                    };
                    // Counting a note's words seeks every word's scorer (15% of a three-word
                    // search at 100k). A note scoring below a page of this segment's notes that
                    // match every word ranks below all of them whatever it matches: not counted.
                    let mut best = best.borrow_mut();
                    if best.excludes(score) {
                        return (0, score);
                    }
                    let matched = counter.count(doc);
                    if matched == every {
                        best.add(score);
                    }
                    (matched, score)
                }
            });
        let (total, docs, fruits) = searcher.search(full.as_ref(), &(Count, collector, facets))?;
        let docs: Vec<((usize, Score), DocAddress)> = docs;
        (total, docs.into_iter().map(|((m, s), addr)| (m, s, addr)).collect(), fruits)
    };

    // Each hit's snippet scans its whole body: the hits share the cores, as the segments did.
    let cards = super::browse::CardReader::new(&searcher)?;
    let hit = |(matched, score, addr): (usize, Score, DocAddress)| -> tantivy::Result<Hit> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let card = cards.get(addr);
        let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
        let snippet = snippet::render(body, &compiled.marks, card.summary.as_deref());
        Ok(Hit { card: Card { problems: Vec::new(), ..card }, score, matched, snippet })
    };
    let hits = searcher.index().search_executor().map(hit, ranked.into_iter().take(req.limit))?;

    if req.facets {
        facets.extend(disjunctive_facets(index, &searcher, &compiled, req)?);
    }
    Ok(Response {
        query: req.q.clone(),
        total,
        words: compiled.units.len(),
        took_ms: (started.elapsed().as_secs_f64() * 1e5).round() / 100.0,
        hits,
        facets,
    })
}

/// The `page` best scores seen among a segment's notes that match every counted word.
struct Leaders {
    page: usize,
    /// Smallest first.
    scores: std::collections::BinaryHeap<std::cmp::Reverse<Ranked>>,
}

/// A score ordered by `f32::total_cmp`.
#[derive(Clone, Copy, PartialEq)]
struct Ranked(Score);

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Leaders {
    fn new(page: usize) -> Leaders {
        Leaders { page, scores: std::collections::BinaryHeap::new() }
    }

    /// Whether a note scoring `score` ranks below a whole page of leaders, however many words it
    /// matches (strictly below: equal keys are ordered by note, which this does not know).
    fn excludes(&self, score: Score) -> bool {
        self.scores.len() >= self.page && self.scores.peek().is_some_and(|least| score < least.0 .0)
    }

    fn add(&mut self, score: Score) {
        self.scores.push(std::cmp::Reverse(Ranked(score)));
        if self.scores.len() > self.page {
            self.scores.pop();
        }
    }
}

/// How many counted words each of `docs` matches.
fn matched_counts(searcher: &Searcher, units: &[Box<dyn Query>], docs: Vec<DocAddress>) -> Result<Vec<usize>> {
    if units.is_empty() {
        return Ok(vec![0; docs.len()]);
    }
    let matcher = Matcher::new(searcher, units)?;
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| (docs[i].segment_ord, docs[i].doc_id));
    let mut out = vec![0; docs.len()];
    let mut current: Option<(u32, SegmentMatcher)> = None;
    for i in order {
        let addr = docs[i];
        if current.as_ref().map(|c| c.0) != Some(addr.segment_ord) {
            let reader = searcher.segment_reader(addr.segment_ord);
            current = Some((addr.segment_ord, matcher.segment(reader)?));
        }
        if let Some((_, m)) = &current {
            out[i] = m.count(addr.doc_id);
        }
    }
    Ok(out)
}

/// The facet dimensions as the cache lays them out: API name and facet field.
pub(super) fn facet_fields(f: &Fields) -> Vec<(&'static str, Field)> {
    dimensions(f).iter().map(|&(dim, field, _)| (dim, field)).collect()
}

/// Counts of the facets the request filters on: each applies every filter except its own
/// (disjunctive), so the other values of a filtered field stay in view with their counts.
fn disjunctive_facets(
    index: &Index,
    searcher: &Searcher,
    compiled: &Compiled,
    req: &Request,
) -> Result<BTreeMap<String, Vec<FacetValue>>> {
    let f = index.fields();
    let mut out = BTreeMap::new();
    for (dim, _, _) in dimensions(f) {
        if filter_values(&req.filters, dim).is_empty() {
            continue;
        }
        let q = with_filters(compiled.query.as_ref(), &compiled.extra, filter_clauses(f, req, Some(dim)));
        let counter = FacetCounter::new(index.facet_cache(), searcher, &[dim]);
        out.extend(searcher.search(q.as_ref(), &counter)?);
    }
    Ok(out)
}

/// Facet values with their counts, one per [`fold_key`]: the spellings of one value (half-space or
/// space, Arabic or Persian letters, case) are counted together under the most used one, as the
/// filter on that value finds them all. Most notes first, then by value.
pub fn merge_spellings(values: impl IntoIterator<Item = (String, u64)>) -> Vec<FacetValue> {
    let values: Vec<(String, u64)> = values.into_iter().collect();
    merge_groups(values.iter().map(|(value, count)| (fold_key(value), value.as_str(), *count)))
}

/// [`merge_spellings`] of values whose spelling group is known already (any key that orders), so
/// none is folded again: the facet cache numbers the groups once per index.
pub fn merge_groups<'a, K: Ord>(values: impl IntoIterator<Item = (K, &'a str, u64)>) -> Vec<FacetValue> {
    // key → (total, spelling with its own count)
    let mut groups: BTreeMap<K, (u64, &'a str, u64)> = BTreeMap::new();
    for (key, value, count) in values {
        let group = groups.entry(key).or_insert((0, value, 0));
        group.0 += count;
        if count > group.2 || (count == group.2 && value < group.1) {
            group.1 = value;
            group.2 = count;
        }
    }
    let mut out: Vec<FacetValue> =
        groups.into_values().map(|(count, value, _)| FacetValue { value: value.to_string(), count }).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles `q` against an empty index (the bounds hold whatever the index holds).
    fn compiled(q: &str) -> Compiled {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), false).expect("index");
        let searcher = index.searcher();
        let lex = Lexicon { searcher: &searcher, field: index.fields().body, typos: Typos::default() };
        compile(index.fields(), &lex, &Request { q: q.to_string(), ..Default::default() }).expect("compile")
    }

    /// How many times a kind of tantivy query occurs in the compiled query and its filters.
    fn count(c: &Compiled, kind: &str) -> usize {
        let all = format!("{:?} {:?}", c.query, c.extra.iter().map(|(_, q)| q).collect::<Vec<_>>());
        all.matches(&format!("{kind} {{")).count()
    }

    fn words(n: usize, f: impl Fn(usize) -> String) -> String {
        (0..n).map(f).collect::<Vec<_>>().join(" ")
    }

    /// A letters-only word of 10 letters, unique per `i` (every one long enough for two typos).
    fn long_word(i: usize) -> String {
        let mut w = String::from("stakehold");
        w.push(char::from(b'a' + (i % 26) as u8));
        w.push(char::from(b'a' + (i / 26 % 26) as u8));
        w
    }

    #[test]
    fn a_word_many_notes_hold_is_taken_as_typed() {
        use crate::index::writer::Stamp;
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), true).expect("open");
        let mut w = index.writer().expect("writer");
        let mut add = |id: String, body: &str| {
            let text = format!("# Note\n\n{body}\n");
            w.upsert(crate::note::parse(&id, text.as_bytes()), Stamp::default()).expect("upsert");
        };
        add("typo.md".into(), "the vendro was late");
        for i in 0..10 {
            add(format!("rare-{i}.md"), "a planner wrote this");
        }
        for i in 0..COMMON_NOTES {
            add(format!("common-{i}.md"), "the vendor was late");
        }
        w.commit().expect("commit");
        let searcher = index.searcher();
        let lex = Lexicon { searcher: &searcher, field: index.fields().body, typos: Typos::default() };
        let run = |q: &str| {
            let req = Request { q: q.into(), limit: 100, facets: false, ..Default::default() };
            let compiled = compile(index.fields(), &lex, &req).expect("compile");
            let res = search(&index, &req).expect("search");
            (count(&compiled, "FuzzyTermQuery"), res.total, res.hits.iter().any(|h| h.card.id == "typo.md"))
        };
        // In 50 of 61 notes: typed as meant, no automaton, the misspelt note is not among them.
        assert!(lex.common("vendor"));
        assert_eq!(run("vendor"), (0, COMMON_NOTES as usize, false));
        // A rare word keeps its tolerance: `planer` finds `planner`; so does the misspelling,
        // which finds the common word's notes.
        assert!(!lex.common("planner") && !lex.common("vendro"));
        assert_eq!(run("planer"), (2, 10, false));
        assert_eq!(run("vendro"), (2, COMMON_NOTES as usize + 1, true));
    }

    #[test]
    fn pages_rank_as_the_whole_list_does_when_words_go_uncounted() {
        use crate::index::writer::Stamp;
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), true).expect("open");
        let mut w = index.writer().expect("writer");
        // Notes matching one, two or all three words, at many scores, and equal twins, whose
        // order is by note. Notes holding fewer words often score higher (short, repeated words)
        // than notes holding all three (long, the words apart): they rank below them all the same.
        let words = ["data", "migration", "testing"];
        for i in 0..45 {
            let held = 1 + i % 3;
            let mut body: Vec<String> = Vec::new();
            for k in 0..held {
                body.push(words[(i + k) % 3].to_string());
                body.extend((0..(i * 7) % 11 * (held / 3) * 3).map(|j| format!("filler{j}")));
            }
            body.extend(std::iter::repeat_n(words[i % 3].to_string(), (i % 5) * (3 - held)));
            let text = format!("# Note\n\n{}\n", body.join(" "));
            for twin in ["a", "b"] {
                let id = format!("p/n{i:03}{twin}.md");
                w.upsert(crate::note::parse(&id, text.as_bytes()), Stamp::default()).expect("upsert");
            }
        }
        w.commit().expect("commit");
        let page = |limit: usize, offset: usize| {
            let req =
                Request { q: "data migration testing".into(), limit, offset, facets: false, ..Default::default() };
            let res = search(&index, &req).expect("search");
            res.hits.into_iter().map(|h| (h.card.id, h.matched)).collect::<Vec<_>>()
        };
        // A page of 100 is more than the 30 notes holding every word: each is counted.
        let all = page(100, 0);
        assert_eq!(all.len(), 90);
        assert_eq!(all.iter().filter(|h| h.1 == 3).count(), 30);
        assert!(all[0].1 == 3 && all[89].1 == 1, "more words first: {:?} … {:?}", all[0], all[89]);
        for (limit, offset) in [(1, 0), (2, 0), (5, 0), (10, 0), (5, 20), (7, 28), (20, 30), (3, 87)] {
            assert_eq!(page(limit, offset), all[offset..offset + limit], "limit {limit}, offset {offset}");
        }
    }

    #[test]
    fn typo_tolerance_is_bounded_per_query() {
        // Each fuzzy word is an automaton on two fields.
        assert_eq!(count(&compiled("stakeholdr"), "FuzzyTermQuery"), 2);
        let c = compiled(&words(64, long_word));
        assert_eq!(count(&c, "FuzzyTermQuery"), 2 * MAX_FUZZY_WORDS);
        assert_eq!(c.marks.fuzzy_words(), MAX_FUZZY_WORDS);
        assert_eq!(c.units.len(), 64, "every word still counts");
        // Excluded words draw on the same allowance.
        let c = compiled(&format!("vendor {}", words(63, |i| format!("-{}", long_word(i)))));
        assert_eq!(count(&c, "FuzzyTermQuery"), 2 * MAX_FUZZY_WORDS);
        let c = compiled(&words(21, |i| format!("({} {})", long_word(2 * i), long_word(2 * i + 1))));
        assert_eq!(count(&c, "FuzzyTermQuery"), 2 * MAX_FUZZY_WORDS);
    }

    #[test]
    fn positional_matching_is_bounded_per_query() {
        // A phrase is a positional match on the four main fields.
        assert_eq!(count(&compiled("\"of the\""), "PhraseQuery"), 4);
        let phrases = ["of the", "in the", "to the", "and the", "for the", "on the", "with the", "at the"];
        let q = phrases.iter().cycle().take(45).map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(" ");
        let c = compiled(&q);
        assert_eq!(count(&c, "PhraseQuery"), 4 * MAX_PHRASE_FORMS);
        assert_eq!(c.units.len(), 45, "every phrase still counts");
        // Words of several tokens are phrases too; past the allowance they need all their tokens
        // (besides the proximity bonus on title and body, two more).
        let c = compiled(&words(64, |i| format!("e-{}", long_word(i))));
        assert_eq!(count(&c, "PhraseQuery"), 4 * MAX_PHRASE_FORMS + 2);
        // A Persian phrase with many ways to write it, and half-spaced words found typed with a space.
        let c = compiled("\"برنامه\u{200C}ریزی زمان\u{200C}بندی درس\u{200C}آموخته پیش\u{200C}بینی\"");
        assert_eq!(count(&c, "PhraseQuery"), 4 * MAX_PHRASE_FORMS);
        let c = compiled(&words(64, |i| format!("از\u{200C}این{}", "ا".repeat(i % 5))));
        assert!(count(&c, "PhraseQuery") <= 4 * MAX_PHRASE_FORMS + 2);
    }
}
