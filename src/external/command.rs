//! An external engine's command line, as a scenario's `engine.command` names it, and where it
//! runs: in the folder of the scenario file, so `["python3", "bench.py"]` finds `bench.py` beside
//! the scenario, and a program written with a `/` (`./bench`, `tools/bench`) is taken relative
//! to that folder too. A program without a `/` is looked up on `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

/// An external backtester: the program and its own arguments, and the folder it runs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalCommand {
    /// The program, then its arguments, as written in the scenario.
    pub argv: Vec<String>,
    /// The working folder: the scenario file's folder.
    pub dir: PathBuf,
}

impl ExternalCommand {
    /// The program to start: found on `PATH`, or relative to [`ExternalCommand::dir`] when
    /// written with a `/`. Errors say what was looked for, and where.
    pub fn locate(&self) -> Result<PathBuf, String> {
        let program = self.argv.first().map(String::as_str).unwrap_or_default();
        if program.is_empty() {
            return Err("the program name is empty".to_owned());
        }
        if program.contains('/') {
            let path = self.dir.join(program);
            return if is_executable(&path) {
                Ok(path)
            } else {
                Err(format!(
                    "`{program}` is no executable file (looked for {})",
                    path.display()
                ))
            };
        }
        let paths = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| is_executable(p))
            .ok_or_else(|| format!("`{program}` is not on PATH"))
    }

    /// The command for `args` (the runbook's arguments), running in [`ExternalCommand::dir`].
    pub fn command(&self, program: &Path, args: &[std::ffi::OsString]) -> Command {
        let mut cmd = Command::new(program);
        let own_args = self.argv.get(1..).unwrap_or_default();
        cmd.args(own_args).args(args).current_dir(&self.dir);
        cmd
    }

    /// The command line as one string, for messages: `python3 bench.py`.
    pub fn display(&self) -> String {
        self.argv.join(" ")
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(argv: &[&str], dir: &Path) -> ExternalCommand {
        ExternalCommand {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            dir: dir.to_owned(),
        }
    }

    #[test]
    fn a_bare_program_is_found_on_path_and_a_relative_one_in_the_scenario_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(cmd(&["sh", "-c", "true"], dir.path())
            .locate()
            .unwrap()
            .is_absolute());
        let script = dir.path().join("bench");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        let err = cmd(&["./bench"], dir.path()).locate().unwrap_err();
        assert!(err.starts_with("`./bench` is no executable file"), "{err}");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(
            cmd(&["./bench"], dir.path()).locate().unwrap(),
            dir.path().join("./bench")
        );
        let err = cmd(&["no-such-backtester-xyz"], dir.path())
            .locate()
            .unwrap_err();
        assert_eq!(err, "`no-such-backtester-xyz` is not on PATH");
    }
}
