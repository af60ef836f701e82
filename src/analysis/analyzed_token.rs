//! `AnalyzedToken`: a token as the analyzers index it, for the query layer.

/// One token: its indexed text, its byte span in the analysed text, and its position.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AnalyzedToken {
    /// The term as indexed (normalised).
    pub text: String,
    /// Byte offset of the first source character (`&text[from..to]` is what the user wrote).
    pub from: usize,
    /// Byte offset one past the last source character.
    pub to: usize,
    /// Word position; tokens derived from the same source word share it.
    pub position: usize,
}
