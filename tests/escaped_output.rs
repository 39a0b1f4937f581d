//! Text from inputs never reaches a terminal or a CI log raw: file names and values holding
//! newlines, ESC sequences or a leading `::` are shown escaped, and a one-line message stays one
//! line, on stdout and stderr alike.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use common::{stderr, stdout, Workspace};

/// A budget profile whose name (its file's stem) holds an ESC sequence, a newline and a
/// workflow command.
const HOSTILE: &str = "ev\u{1b}[2Jil\n::error::x";
/// How perfsuite shows it.
const SHOWN: &str = "ev\\u{1b}[2Jil\\n::error::x";

/// No raw ESC sequence from the input and no line that is a workflow command. (The table's own
/// colours, under `--color always`, are ESC sequences too, so the input's one is looked for.)
fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains("\u{1b}[2J"),
        "{what}: a raw ESC sequence: {text:?}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("::")),
        "{what}: a workflow command: {text:?}"
    );
}

/// A workspace whose scenario is judged by the hostile profile.
fn hostile_profile() -> Workspace {
    let ws = Workspace::new();
    ws.write("budgets/default.toml", "");
    ws.write(&format!("budgets/{HOSTILE}.toml"), "");
    ws.tiny_scenario(
        "btc",
        3000,
        "budget = \"ev\\u001b[2Jil\\n::error::x\"\nrepeats = 1\nwarmup = 0",
    );
    ws
}

#[test]
fn a_profile_name_with_control_characters_is_shown_escaped_by_check_and_list() {
    let ws = hostile_profile();
    let out = ws
        .perfsuite(["check", "--color", "always"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_clean("check", &text);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains(SHOWN), "{text}");

    let out = ws
        .perfsuite(["list", "--color", "always"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_clean("list", &text);
    assert!(common::squeeze(&text).contains(SHOWN), "{text}");
}

#[test]
fn an_error_naming_a_hostile_value_or_file_is_one_escaped_line() {
    let ws = Workspace::new();
    ws.write("budgets/default.toml", "");
    ws.tiny_scenario("btc", 3000, "budget = \"no\\u001b[2Jpe\\n::error::x\"");
    let out = ws.perfsuite(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert_clean("check", &text);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("no\\u{1b}[2Jpe\\n::error::x"), "{text}");

    let ws = Workspace::new();
    ws.write("budgets/default.toml", "");
    ws.write("s/bad\u{1b}[2J\n::error::x.toml", "candles = = 1\n");
    let out = ws.perfsuite(["check", "s"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert_clean("check", &text);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("bad\\u{1b}[2J\\n::error::x.toml"), "{text}");
}

#[test]
fn a_file_name_that_is_not_utf8_is_named_not_blank() {
    let ws = Workspace::new();
    ws.write("budgets/default.toml", "");
    let name = OsStr::from_bytes(b"caf\xe9.toml");
    std::fs::create_dir_all(ws.join("s")).unwrap();
    std::fs::write(ws.join("s").join(name), "candles = = 1\n").unwrap();
    let out = ws.perfsuite(["check", "s"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(text.starts_with(r"error: s/caf\xe9.toml:1:"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");

    // Valid TOML without a `name`: the scenario would be named after the file, whose stem is
    // no name. It was shown as "".
    std::fs::write(ws.join("s").join(name), "candles = 1000\n").unwrap();
    let out = ws.perfsuite(["check", "s"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(
        text.starts_with(r#"error: s/caf\xe9.toml: the file name "caf\xe9" is no valid"#),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn merge_and_run_show_a_hostile_profile_name_escaped_in_the_table_and_markdown() {
    let ws = hostile_profile();
    let out = ws
        .perfsuite(["run", "--out", "out", "--color", "always"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_clean("run", &stdout(&out));
    assert_clean("run", &stderr(&out));
    for format in ["table", "markdown"] {
        let out = ws
            .perfsuite(["compare", "out", "out", "--format", format])
            .output()
            .unwrap();
        assert_clean(format, &stdout(&out));
    }
    assert_clean("summary.md", &ws.read("out/summary.md"));
    let merged = ws
        .perfsuite(["merge", "--out", HOSTILE, "out"])
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert_clean("merge", &stdout(&merged));
    assert!(stdout(&merged).contains(SHOWN), "{}", stdout(&merged));
}
