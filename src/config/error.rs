//! Configuration errors, and how a byte span in a file becomes `path:line:col` and a key.
//!
//! Every error a user can cause in a scenario or budget file ends up here as one line naming the
//! file, the position, the key and what would be valid. toml reports malformed TOML, unknown
//! keys and wrong types with a byte span but in serde's words (`unknown field`, `expected i64`);
//! [`Source::parse`] rewrites those into the same voice as our own range checks.

use std::fmt::{self, Display};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

use crate::output::escape::shown;

/// An unreadable or invalid scenario or budget file.
///
/// Displays as one line, `scenarios/btc.toml:4:11: `repeats` must be at least 1, got 0`, or
/// `path: message` where no position applies (a missing file, a duplicate profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    path: PathBuf,
    location: Option<(usize, usize)>,
    message: String,
}

impl ConfigError {
    /// An error about a whole file or folder.
    pub(crate) fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            location: None,
            message: message.into(),
        }
    }

    /// The file or folder at fault.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Line and column (both 1-based, the column counted in characters), where the error has a
    /// position in the file.
    pub fn location(&self) -> Option<(usize, usize)> {
        self.location
    }

    /// What is wrong and what would be valid, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", shown(&self.path))?;
        if let Some((line, column)) = self.location {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// One file's text with its path: what every error inside that file is built from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    /// The path as the user gave it, or as discovery joined it.
    pub path: &'a Path,
    /// The whole file.
    pub text: &'a str,
}

/// `path:line:col` of many places in one file, for an error elsewhere that names where
/// something was first defined. Asked in file order, as a suite's names are, it walks the text
/// once: [`Source::line_col`] counts from the start every time, which made loading 100,000
/// scenarios of one file quadratic.
pub(crate) struct Places<'a> {
    src: Source<'a>,
    /// How far the text has been walked: a byte offset on a character boundary.
    offset: usize,
    /// The 1-based line at `offset`.
    line: usize,
    /// Where that line starts.
    line_start: usize,
}

impl<'a> Places<'a> {
    /// Places in `src`, from its start.
    pub fn new(src: Source<'a>) -> Self {
        Self {
            src,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// `path:line:col` of `span`, or the path alone without one. Equal to what
    /// [`Source::line_col`] gives; an offset before the last one asked starts over.
    pub fn place(&mut self, span: Option<Range<usize>>) -> String {
        let Some(span) = span else {
            return shown(self.src.path);
        };
        let text = self.src.text;
        let target = if text.is_char_boundary(span.start) {
            span.start
        } else {
            text.len()
        };
        if target < self.offset {
            *self = Self::new(self.src);
        }
        // cannot panic: line_start <= offset <= target <= len, all char boundaries.
        for (i, _) in text[self.offset..target].match_indices('\n') {
            self.line += 1;
            self.line_start = self.offset + i + 1;
        }
        self.offset = target;
        let column = text[self.line_start..target].chars().count() + 1;
        format!("{}:{}:{column}", shown(self.src.path), self.line)
    }
}

impl<'a> Source<'a> {
    /// The file at `path`, whose contents are `text`.
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Self { path, text }
    }

    /// Line and column (1-based, column in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (
            before.matches('\n').count() + 1,
            before[line_start..].chars().count() + 1,
        )
    }

    /// An error about the whole file.
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::file(self.path, message)
    }

    /// An error at the start of `span`.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.path.to_owned(),
            location: Some(self.line_col(span.start)),
            message: message.into(),
        }
    }

    /// An error at `span` if there is one, else about the whole file.
    pub fn error_near(
        &self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> ConfigError {
        match span {
            Some(span) => self.error_at(span, message),
            None => self.error(message),
        }
    }

    /// An error about the value at `span`: the message is the value's key, as a dotted path of
    /// the file's tables (`engine.batch_size`, `scenario.btc-1m.candles_per_sec.warn`), then
    /// `rest`. `key` is used only if the span lies on no key, which a span taken from the file
    /// never does.
    pub fn value_error(&self, span: Range<usize>, key: &str, rest: impl Display) -> ConfigError {
        let key = self.key_at(span.start).unwrap_or_else(|| key.to_owned());
        self.error_at(span, format!("`{key}` {rest}"))
    }

    /// Parses the file into its raw mirror `T`. Malformed TOML, unknown keys and values of the
    /// wrong type become errors at their position.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        let tree = DeTable::parse(self.text).map_err(|e| self.syntax_error(&e))?;
        T::deserialize(toml::de::Deserializer::from(tree)).map_err(|e| self.shape_error(&e))
    }

    fn syntax_error(&self, e: &toml::de::Error) -> ConfigError {
        let detail = e.message().trim_end();
        let message = match e.span().and_then(|span| self.key_of_line(span.start)) {
            Some(key) => format!("invalid TOML in the value of `{key}`: {detail}"),
            None => format!("invalid TOML: {detail}"),
        };
        match e.span() {
            Some(span) if e.message() == "duplicate key" => {
                let key = self.text.get(span.clone()).unwrap_or_default().trim();
                self.error_at(span, format!("duplicate key `{key}`"))
            }
            Some(span) => self.error_at(span, message),
            None => self.error(message),
        }
    }

    /// The key of a `key = value` line holding byte `offset`, read from the text alone: a file
    /// with a syntax error does not parse, yet its line usually still says which key it is.
    fn key_of_line(&self, offset: usize) -> Option<String> {
        let start = self.text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let (key, _) = self.text[start..end].split_once('=')?;
        let key = key.trim();
        let plain = |c: char| c.is_ascii_alphanumeric() || "_-.\"' ".contains(c);
        (!key.is_empty() && key.chars().all(plain)).then(|| key.to_owned())
    }

    /// A well-formed file whose keys or types do not fit the mirror.
    fn shape_error(&self, e: &toml::de::Error) -> ConfigError {
        let Some(span) = e.span() else {
            return self.error(e.message().to_owned());
        };
        let key = self.key_at(span.start);
        self.error_at(span, explain(e.message(), key.as_deref()))
    }

    /// The dotted key path of the key or value at byte `offset`, if there is one. Keys of
    /// arrays of tables (`[[scenario]]`) are left out: the line says which entry it is.
    ///
    /// The file is parsed again: this runs only on the way to an error.
    fn key_at(&self, offset: usize) -> Option<String> {
        let tree = DeTable::parse(self.text).ok()?;
        // A table's span is its header, which may also cover the keys of its parent tables
        // (`[scenario.a.engine]`): keys and plain values are looked for first.
        [false, true]
            .into_iter()
            .find_map(|headers| find_key(tree.get_ref(), offset, headers))
            .map(|path| path.join("."))
    }
}

/// The path of keys to the key or value at `offset`, depth first. The spans of tables (their
/// headers) count only with `headers`. A table's entries lie outside its span, so every table
/// is searched.
fn find_key(table: &DeTable<'_>, offset: usize, headers: bool) -> Option<Vec<String>> {
    table.iter().find_map(|(key, value)| {
        let name = || vec![key.get_ref().to_string()];
        let at_value = value.span().contains(&offset);
        if key.span().contains(&offset) {
            return Some(name());
        }
        match value.get_ref() {
            DeValue::Table(t) => find_key(t, offset, headers)
                .map(|inner| [name(), inner].concat())
                .or_else(|| (headers && at_value).then(name)),
            // Keys of arrays of tables are left out: the line says which entry it is.
            DeValue::Array(items) => items
                .iter()
                .find_map(|item| match item.get_ref() {
                    DeValue::Table(t) => find_key(t, offset, headers),
                    _ => None,
                })
                .or_else(|| at_value.then(name)),
            _ => at_value.then(name),
        }
    })
}

/// Rewrites serde's message about a value or key into ours, naming the key path.
fn explain(message: &str, key: Option<&str>) -> String {
    let quoted = |fallback: &str| format!("`{}`", key.unwrap_or(fallback));
    if let Some(rest) = message.strip_prefix("unknown field ") {
        // "`repets`, expected one of `name`, ..." or "`x`, there are no fields"
        let (field, tail) = rest.split_once(", ").unwrap_or((rest, ""));
        let name = key.map_or_else(|| field.to_owned(), |k| format!("`{k}`"));
        return match tail {
            "" => format!("unknown key {name}"),
            tail => format!("unknown key {name}, {tail}"),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        // "`max`, expected one of `min`, `median`"
        if let Some((got, valid)) = rest.split_once(", expected ") {
            return format!("{} must be {valid}, got {got}", quoted("value"));
        }
    }
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    if let Some((got, expected)) = rest.and_then(|r| r.rsplit_once(", expected ")) {
        let got = got.replace(" as i128", " (out of range)");
        return format!("{} must be {}, got {got}", quoted("value"), kind(expected));
    }
    match key {
        Some(key) => format!("`{key}`: {message}"),
        None => message.to_owned(),
    }
}

/// serde's name for what a raw field expected, in a user's words.
fn kind(expected: &str) -> &str {
    match expected {
        "i64" => "an integer",
        "f64" => "a number",
        "a sequence" => "an array",
        "a map" => "a table",
        e if e.starts_with("struct ") => "a table",
        e if e.starts_with("enum ") => "a string",
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn places_walked_in_any_order_agree_with_line_col_everywhere() {
        let text = "a = 1\nnamé = 'x'\n\n[[s]]\nname = 'é'\n";
        let src = Source::new(Path::new("f.toml"), text);
        let mut places = Places::new(src);
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let backwards = offsets.iter().rev().step_by(3);
        for &offset in offsets.iter().chain(backwards) {
            let (line, column) = src.line_col(offset);
            assert_eq!(
                places.place(Some(offset..offset + 1)),
                format!("f.toml:{line}:{column}"),
                "offset {offset}"
            );
        }
        assert_eq!(places.place(None), "f.toml");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Raw {
        repeats: Option<i64>,
        limit: Option<f64>,
        engine: Option<Engine>,
        scenario: Option<Vec<Raw>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Engine {
        batch_size: Option<i64>,
    }

    fn parse(text: &str) -> String {
        let path = Path::new("s.toml");
        Source::new(path, text)
            .parse::<Raw>()
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let src = Source::new(Path::new("x"), "a = 1\nbé = 2\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(6), (2, 1));
        assert_eq!(src.line_col(10), (2, 4));
    }

    #[test]
    fn unknown_keys_are_named_with_their_table() {
        assert_eq!(
            parse("[engine]\nbatch = 1\n"),
            "s.toml:2:1: unknown key `engine.batch`, expected `batch_size`"
        );
        let top = parse("repets = 3");
        assert!(top.starts_with("s.toml:1:1: unknown key `repets`, expected one of `repeats`"));
    }

    #[test]
    fn wrong_types_say_what_was_expected_and_what_was_found() {
        assert_eq!(
            parse("repeats = \"3\""),
            "s.toml:1:11: `repeats` must be an integer, got string \"3\""
        );
        assert_eq!(
            parse("limit = true"),
            "s.toml:1:9: `limit` must be a number, got boolean `true`"
        );
        assert_eq!(
            parse("engine = 3"),
            "s.toml:1:10: `engine` must be a table, got integer `3`"
        );
    }

    #[test]
    fn keys_inside_arrays_of_tables_are_named_without_the_array() {
        let text = "[[scenario]]\nrepeats = 1\n[[scenario]]\n[scenario.engine]\nbatch_size = 'x'\n";
        assert_eq!(
            parse(text),
            "s.toml:5:14: `engine.batch_size` must be an integer, got string \"x\""
        );
    }

    #[test]
    fn malformed_toml_and_duplicate_keys_are_located() {
        assert_eq!(
            parse("repeats = 3\nrepeats = 4\n"),
            "s.toml:2:1: duplicate key `repeats`"
        );
        let message = parse("repeats = \n");
        assert!(
            message.starts_with("s.toml:1:11: invalid TOML in the value of `repeats`: "),
            "{message}"
        );
    }

    #[test]
    fn integers_too_large_for_toml_are_called_out_of_range() {
        assert_eq!(
            parse("repeats = 99999999999999999999"),
            "s.toml:1:11: `repeats` must be an integer, got integer `99999999999999999999` (out of range)"
        );
    }
}
