//! The README's examples are real: every ```` ```console ```` block is run (its `$` lines, in a
//! copy of the repository's scenarios, budgets and data, blocks in order) and the last command's output
//! must hold the same words as the README shows. Numbers are compared by shape only (timings
//! differ between machines) and words are compared as a multiset (a table wraps its cells
//! differently when its numbers are wider). Every link to a file in the repository must lead to
//! one.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The README's console blocks: each a list of commands and the output shown after the last.
fn console_blocks(readme: &str) -> Vec<(Vec<String>, String)> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let (mut commands, mut output) = (Vec::new(), String::new());
        for line in lines.by_ref().take_while(|l| l.trim() != "```") {
            match line.strip_prefix("$ ") {
                Some(command) => {
                    commands.push(command.to_owned());
                    output.clear();
                }
                None => output.push_str(&format!("{line}\n")),
            }
        }
        blocks.push((commands, output));
    }
    blocks
}

/// The words of `text` and how often each occurs: a word with a digit counts as `#`, a rule of
/// box-drawing characters as `rule`.
fn words(text: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for word in text.split_whitespace() {
        let word = if word.chars().any(|c| c.is_ascii_digit()) {
            "#".to_owned()
        } else if word.chars().all(|c| matches!(c, '─' | '═')) {
            "rule".to_owned()
        } else {
            word.to_owned()
        };
        *counts.entry(word).or_default() += 1;
    }
    counts
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_readme_examples_match_the_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let work = tempfile::tempdir().unwrap();
    for folder in ["scenarios", "budgets", "data"] {
        copy_dir(&root.join(folder), &work.path().join(folder));
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_perfsuite")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let blocks = console_blocks(&readme);
    assert!(blocks.len() >= 3, "the README lost its examples");
    for (commands, shown) in blocks {
        let mut real = String::new();
        for command in &commands {
            let out = Command::new("sh")
                .args(["-c", command])
                .current_dir(work.path())
                .env("PATH", &path)
                .env_remove("COLUMNS")
                .env_remove("NO_COLOR")
                .env_remove("GITHUB_ACTIONS")
                .output()
                .unwrap();
            assert!(out.status.success(), "`{command}` failed: {out:?}");
            real = String::from_utf8(out.stdout).unwrap();
        }
        assert_eq!(
            words(&shown),
            words(&real),
            "README output of `{}` drifted; the real output:\n{real}",
            commands.join(" && ")
        );
    }
}

#[test]
fn the_readme_links_lead_to_files_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for link in readme.split("](").skip(1) {
        let target = link.split(')').next().unwrap();
        let file = target.split('#').next().unwrap();
        if file.is_empty() || file.contains("://") {
            continue;
        }
        assert!(root.join(file).exists(), "README links to missing {target}");
    }
}

#[test]
fn the_readme_is_at_most_12_kb() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let size = std::fs::metadata(root.join("README.md")).unwrap().len();
    assert!(size <= 12 * 1024, "README.md is {size} bytes");
}
