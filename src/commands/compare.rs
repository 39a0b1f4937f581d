//! `perfsuite compare BASE HEAD`.

use crate::cli::{CompareArgs, Format};
use crate::compare::{self, load_result_set, ResultSet};
use crate::error::{Error, EXIT_BUDGET_FAILED, EXIT_OK};

/// Runs the command.
pub fn run(args: CompareArgs) -> Result<u8, Error> {
    let load = |path| load_result_set(path).map_err(|e| Error::Input(e.to_string()));
    let (base, head) = (load(&args.base)?, load(&args.head)?);
    Ok(compare_sets(&base, &head, args.format, args.strict, false))
}

/// Compares, prints (unless `quiet`) and returns the exit code: 1 under `strict` for a
/// regression past its fail threshold or a changed fingerprint, else 0.
pub fn compare_sets(
    base: &ResultSet,
    head: &ResultSet,
    format: Format,
    strict: bool,
    quiet: bool,
) -> u8 {
    let comparison = compare::compare(base, head);
    if !quiet {
        crate::output::print_stdout(&compare::render(&comparison, format.into()));
    }
    if strict && comparison.should_fail_strict() {
        EXIT_BUDGET_FAILED
    } else {
        EXIT_OK
    }
}
