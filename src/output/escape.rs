//! Text from input files, shown safely: the one function every message, table and log line
//! passes names, paths, reasons and other input-borne text through.
//!
//! Names come from files a stranger may have written. Raw, a newline splits a one-line error, an
//! ESC sequence rewrites the terminal, and a line starting `::error` is a workflow command in a
//! GitHub Actions log. So control characters (C0, DEL, C1) are shown as Rust escapes (`\n`,
//! `\u{1b}`), bytes that are not UTF-8 as `\xNN`, a backslash as `\\` (so an escape cannot be
//! forged), and a leading `::` gets a backslash before it. Plain text passes unchanged.

use std::borrow::Cow;
use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `text` with control characters, backslashes and a leading `::` escaped.
pub fn escaped(text: &str) -> Cow<'_, str> {
    let needs = text.starts_with("::") || text.chars().any(|c| c.is_control() || c == '\\');
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text);
    if out.starts_with("::") {
        out.insert(0, '\\');
    }
    Cow::Owned(out)
}

/// `line` made one safe line for a terminal or a CI log, whatever it holds: control characters
/// (newlines and ESC included) escaped as in [`escaped`], and a leading `::` too, but backslashes
/// left alone. This is the last guard where a message is written ([`super::stderr_line`]); its
/// parts were escaped with [`escaped`] or [`shown`] where they were put together, and escaping
/// their backslashes again would double them.
pub fn one_line(line: &str) -> Cow<'_, str> {
    if !line.starts_with("::") && !line.chars().any(char::is_control) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if c.is_control() {
            push_escaped(&mut out, c.encode_utf8(&mut [0; 4]));
        } else {
            out.push(c);
        }
    }
    if out.starts_with("::") {
        out.insert(0, '\\');
    }
    Cow::Owned(out)
}

/// A path for a message: its bytes, non-UTF-8 ones as `\xNN`, escaped as [`escaped`].
pub fn shown(path: &Path) -> String {
    let mut out = String::new();
    for chunk in path.as_os_str().as_bytes().utf8_chunks() {
        push_escaped(&mut out, chunk.valid());
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    if out.starts_with("::") {
        out.insert(0, '\\');
    }
    out
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn plain_text_passes_unchanged_and_is_not_copied() {
        assert!(matches!(escaped("btc-1m_v2.toml é"), Cow::Borrowed(_)));
    }

    #[test]
    fn control_characters_newlines_and_backslashes_are_escaped() {
        assert_eq!(escaped("a\nb"), "a\\nb");
        assert_eq!(escaped("\u{1b}[2Jx"), "\\u{1b}[2Jx");
        assert_eq!(escaped("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escaped("a\\nb"), "a\\\\nb", "a forged escape stays visible");
        assert_eq!(escaped("tab\there\r\u{7f}"), "tab\\there\\r\\u{7f}");
    }

    #[test]
    fn a_workflow_command_cannot_start_a_line() {
        assert_eq!(escaped("::error::boom"), "\\::error::boom");
        assert_eq!(escaped("x\n::error::boom"), "x\\n::error::boom");
        assert_eq!(shown(Path::new("::warning")), "\\::warning");
    }

    #[test]
    fn a_message_line_keeps_its_backslashes_and_loses_its_control_characters() {
        assert!(matches!(one_line("error: a\\b.toml"), Cow::Borrowed(_)));
        assert_eq!(one_line("error: a\nb\u{1b}[2J"), "error: a\\nb\\u{1b}[2J");
        assert_eq!(one_line("::error::x"), "\\::error::x");
    }

    #[test]
    fn paths_that_are_not_utf8_show_their_bytes() {
        let path = Path::new(OsStr::from_bytes(b"s/caf\xe9\n.toml"));
        assert_eq!(shown(path), "s/caf\\xe9\\n.toml");
    }

    #[test]
    fn every_escaped_text_is_one_line_without_control_characters() {
        let all: String = (0u32..0x200).filter_map(char::from_u32).collect();
        let out = escaped(&all);
        assert!(!out.chars().any(char::is_control), "{out}");
    }
}
