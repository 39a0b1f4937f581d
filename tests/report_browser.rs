//! The HTML report in a real browser: headless Chromium loads the page `perfsuite report`
//! writes from a generated history, takes a screenshot that must not be blank, and dumps the
//! DOM it built, which must hold a chart for every scenario and the change points at their
//! commits. Prints "skipped" and passes when Chromium is not installed (`.ci/run` installs the
//! Debian package `chromium`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::history::{commit, write_result};
use common::{stderr, Workspace};

/// Chromium's binary, if installed.
fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs headless Chromium on `page` with `action` (`--screenshot=...` or `--dump-dom`), with a
/// profile folder of its own and nothing fetched from the network; returns its stdout.
fn headless(chromium: &Path, profile: &Path, page: &Path, action: &str) -> String {
    let out = Command::new("timeout")
        .arg("120")
        .arg(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1000,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    assert!(
        out.status.success(),
        "chromium {action} failed: {}",
        stderr(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Three scenarios, 40 runs each: `fast` drops 10 % at run 25, `steady` stays flat and `mem`
/// gains 8 % at run 20.
fn history(ws: &Workspace) {
    let mut dirs = Vec::new();
    for i in 0..40 {
        let dir = format!("runs/{i}");
        let wobble = 1.0 + 0.003 * ((i * 7 % 5) as f64 - 2.0);
        let c = commit(&format!("c{i:02}"));
        write_result(
            ws,
            &dir,
            "fast",
            i,
            &c,
            if i < 25 { 1_000.0 } else { 900.0 } * wobble,
        );
        write_result(ws, &dir, "steady", i, &c, 500.0 * wobble);
        write_result(
            ws,
            &dir,
            "mem",
            i,
            &c,
            if i < 20 { 2_000.0 } else { 2_160.0 } * wobble,
        );
        dirs.push(dir);
    }
    ws.perfsuite(
        ["history", "add"]
            .into_iter()
            .chain(dirs.iter().map(String::as_str)),
    )
    .assert()
    .success();
    ws.perfsuite(["report", "--out", "report.html"])
        .assert()
        .success();
}

#[test]
fn chromium_renders_a_chart_per_scenario_and_the_change_points() {
    let Some(chromium) = chromium() else {
        println!("skipped: chromium is not installed (Debian package `chromium`)");
        return;
    };
    let ws = Workspace::new();
    history(&ws);
    let page = ws.join("report.html");
    let shot = ws.join("shot.png");

    headless(
        &chromium,
        &ws.join("profile-1"),
        &page,
        &format!("--screenshot={}", shot.display()),
    );
    let (colours, inked) = pixels(&shot);
    assert!(colours >= 8, "only {colours} colours: a blank page");
    assert!(
        inked > 0.01,
        "only {:.2}% of the pixels are not background",
        inked * 100.0
    );

    let dom = headless(&chromium, &ws.join("profile-2"), &page, "--dump-dom");
    for scenario in ["fast", "steady", "mem"] {
        let section = section(&dom, scenario);
        assert!(
            section.contains(r#"<figure class="chart" data-metric="candles_per_sec">"#),
            "{scenario} has no throughput chart"
        );
        assert!(section.contains("<svg"), "{scenario}: the chart has no SVG");
    }
    let mark = |c: &str| format!(r#"data-commit="{}""#, &commit(c)[..7]);
    assert!(
        section(&dom, "fast").contains(&mark("c25")),
        "the drop at c25 is marked"
    );
    assert!(
        section(&dom, "mem").contains(&mark("c20")),
        "the rise at c20 is marked"
    );
    assert!(
        !section(&dom, "steady").contains(r#"<g class="change-point"#),
        "a flat series has no change point"
    );
}

/// The `<section>` of `scenario` in the DOM.
fn section<'a>(dom: &'a str, scenario: &str) -> &'a str {
    let start = dom
        .find(&format!(r#"data-scenario="{scenario}""#))
        .unwrap_or_else(|| panic!("no section for {scenario}"));
    let end = dom[start..].find("</section>").expect("a closed section");
    &dom[start..start + end]
}

/// The distinct colours of a PNG and the share of its pixels that differ from the most common
/// one (the background).
fn pixels(png_path: &Path) -> (usize, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).expect("chromium wrote the screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sized PNG")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut counts = std::collections::HashMap::<&[u8], usize>::new();
    for px in bytes.chunks_exact(step) {
        *counts.entry(&px[..3.min(step)]).or_default() += 1;
    }
    let total = bytes.len() / step;
    let background = counts.values().copied().max().unwrap_or(0);
    (counts.len(), (total - background) as f64 / total as f64)
}
