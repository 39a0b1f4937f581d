//! The perfsuite binary: everything lives in the library; see `perfsuite::app`.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(perfsuite::app::main_with(std::env::args_os()))
}
