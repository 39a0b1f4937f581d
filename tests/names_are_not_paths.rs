//! Scenario names become folder names under `--out`, so a name that is a path could write
//! anywhere. Every such name is refused when the scenarios are read, before anything is written;
//! and a result file whose scenario is a path is refused by `compare` and `merge`.

mod common;

use common::Fixture;

/// Names a scenario file may try; TOML escapes, as written between double quotes.
const PATH_LIKE: &[&str] = &[
    "../escape",
    "../../escape",
    "../../../escape",
    "..",
    ".",
    "a/../../escape",
    "sub/dir",
    "/tmp/absolute",
    "a\\\\b",
    "..\\\\escape",
    ".hidden",
    "a..b",
    "tab\\there",
    "line\\nbreak",
    "bell\\u0007",
    "nul\\u0000",
    "del\\u007f",
    "",
    "spa ce",
    "ünïcode",
];

#[test]
fn a_scenario_name_that_is_a_path_is_refused_and_nothing_is_written_anywhere() {
    let exe = env!("CARGO_BIN_EXE_perfsuite");
    let mut tried = 0;
    for name in PATH_LIKE {
        for (file, text, at) in [
            ("s/x.toml", format!("name = \"{name}\"\ncandles = 3000\n"), "1:8"),
            (
                "s/x.toml",
                format!("[defaults]\ncandles = 3000\n[[scenario]]\nname = 'ok'\n[[scenario]]\nname = \"{name}\"\n"),
                "6:8",
            ),
        ] {
            // perfsuite runs in sandbox/, writing into sandbox/deep/out: a name escaping by up
            // to three levels would land inside the fixture, where the tree shows it.
            let f = Fixture::new(&[(&format!("sandbox/{file}"), text.as_str())]);
            let before = f.tree();
            for command in [
                &["run", "s", "--out", "deep/out"][..],
                &["check", "s"],
                &["list", "s"],
                &["ab", "--base", exe, "s", "--out", "deep/out"],
            ] {
                let outcome = {
                    let mut cmd = f.perfsuite(command);
                    cmd.current_dir(f.path("sandbox"));
                    common::finish(cmd.spawn().unwrap())
                };
                tried += 1;
                assert_eq!(outcome.code(), 2, "{name:?} {command:?}: {}", outcome.stderr);
                assert!(
                    outcome
                        .stderr
                        .starts_with(&format!("error: {file}:{at}: `name` must be 1 to 100 ASCII letters")),
                    "{name:?} {command:?}: {}",
                    outcome.stderr
                );
            }
            assert_eq!(f.tree(), before, "{name:?}: something was written");
        }
    }
    eprintln!("path-like scenario names tried: {tried}");
}

#[test]
fn a_file_whose_stem_is_no_plain_name_must_name_its_scenario() {
    let f = Fixture::new(&[("s/bad name.toml", "candles = 3000\n")]);
    let outcome = f.run(&["run", "s", "--out", "out"]);
    assert_eq!(outcome.code(), 2);
    assert!(
        outcome.stderr.starts_with(
            "error: s/bad name.toml: the file name \"bad name\" is no valid scenario name"
        ),
        "{}",
        outcome.stderr
    );
    assert!(!f.path("out").exists());
}

#[test]
fn a_plain_name_with_dots_dashes_and_underscores_writes_exactly_its_folder() {
    let f = Fixture::new(&[(
        "s/x.toml",
        "name = 'v1.2_btc-5k'\ncandles = 3000\nrepeats = 1\nwarmup = 0\n",
    )]);
    let outcome = f.run(&["run", "s", "--out", "out", "-q"]);
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    assert_eq!(
        f.tree(),
        [
            "out/",
            "out/.perfsuite-manifest",
            "out/summary.json",
            "out/summary.md",
            "out/v1.2_btc-5k/",
            "out/v1.2_btc-5k/bench.json",
            "s/",
            "s/x.toml"
        ]
    );
}

#[test]
fn compare_and_merge_refuse_a_result_whose_scenario_is_a_path() {
    let f = Fixture::new(&[(
        "s/x.toml",
        "name = 'evil'\ncandles = 3000\nrepeats = 1\nwarmup = 0\n",
    )]);
    assert_eq!(f.run(&["run", "s", "--out", "shard", "-q"]).code(), 0);
    let bench = std::fs::read_to_string(f.path("shard/evil/bench.json")).unwrap();
    let summary = std::fs::read_to_string(f.path("shard/summary.json")).unwrap();
    for name in [
        "../../evil",
        "/tmp/evil",
        "a/b",
        ".evil",
        "a..b",
        "a\u{1b}[2Jb",
    ] {
        let quoted = serde_json::to_string(name).unwrap();
        f.write("shard/evil/bench.json", bench.replace("\"evil\"", &quoted));
        // The summary still names `evil`: the bench.json is what lies.
        f.write("shard/summary.json", &summary);
        for command in [
            &["compare", "shard", "shard"][..],
            &["merge", "shard", "--out", "merged"],
        ] {
            let outcome = f.run(command);
            assert_eq!(
                outcome.code(),
                2,
                "{name:?} {command:?}: {}",
                outcome.stderr
            );
            assert!(
                outcome.stderr.starts_with(&format!(
                    "error: shard/evil/bench.json: `scenario` {name:?} "
                )),
                "{name:?} {command:?}: {}",
                outcome.stderr
            );
        }
        // Now the summary lies too, with an error row (merge copies error rows unread).
        f.write(
            "shard/summary.json",
            summary
                .replace("\"evil\"", &quoted)
                .replace("\"pass\"", "\"error\""),
        );
        let outcome = f.run(&["merge", "shard", "--out", "merged"]);
        assert_eq!(outcome.code(), 2, "{name:?}: {}", outcome.stderr);
        assert!(
            outcome.stderr.starts_with("error: shard/summary.json: "),
            "{}",
            outcome.stderr
        );
        assert!(!f.path("merged/evil").exists());
        assert!(!f.root().join("evil").exists());
    }
}
