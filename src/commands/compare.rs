//! `perfsuite compare BASE HEAD`.

use std::path::Path;

use crate::cli::{CompareArgs, Format};
use crate::commands::emit;
use crate::compare::{self, load_result_set, render, Comparison, ResultSet};
use crate::error::{Error, EXIT_BUDGET_FAILED, EXIT_OK};
use crate::output::github::Files;

/// Runs the command.
pub fn run(args: CompareArgs) -> Result<u8, Error> {
    let load = |path| load_result_set(path).map_err(Error::from);
    let (base, head) = (load(&args.base)?, load(&args.head)?);
    let how = Output {
        format: args.format,
        strict: args.strict,
        quiet: false,
        junit: args.junit.as_deref(),
    };
    let (_, code) = compare_sets(&base, &head, &how, &Files::new(), [])?;
    Ok(code)
}

/// How a comparison is printed and written.
pub struct Output<'a> {
    /// The format on stdout.
    pub format: Format,
    /// Whether a regression past its fail threshold or a changed fingerprint exits 1.
    pub strict: bool,
    /// Print nothing on stdout.
    pub quiet: bool,
    /// Where to write the JUnit report, if anywhere.
    pub junit: Option<&'a Path>,
}

/// Compares, prints (unless `quiet`), annotates under GitHub Actions, writes the JUnit report
/// (the comparison's test suite after `suites`), and returns the comparison and the exit code:
/// 1 under `strict` for a regression past its fail threshold or a changed fingerprint, else 0.
pub fn compare_sets(
    base: &ResultSet,
    head: &ResultSet,
    how: &Output,
    files: &Files,
    suites: impl IntoIterator<Item = quick_junit::TestSuite>,
) -> Result<(Comparison, u8), Error> {
    let comparison = compare::compare(base, head);
    let printed = emit::print(None, Some(&comparison), how.format, how.quiet, files);
    let suites = suites
        .into_iter()
        .chain([render::junit::comparison("perfsuite compare", &comparison)]);
    emit::write_junit(how.junit, suites)?;
    printed?;
    let code = if how.strict && comparison.should_fail_strict() {
        EXIT_BUDGET_FAILED
    } else {
        EXIT_OK
    };
    Ok((comparison, code))
}
