//! Helpers shared by the integration tests: running the real binary, temporary folders,
//! writing files. Each test file includes this with `mod common;`; not every file uses every
//! helper.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The small rule folder the CLI and LSP tests check with (`tests/data/rules`).
pub const TEST_RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rules");

/// The repository's root (where `fixtures/`, `rules/` and `tests/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Writes `content` to `dir/name`, creating folders on the way; returns the path.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, content).expect("write");
    p
}

/// The binary with `args`, run in `dir`, with no colour or backtrace settings inherited.
pub fn command(args: &[&str], dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tactful"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("RUST_BACKTRACE");
    cmd
}

/// Runs `cmd` to the end, feeding it `stdin` (or nothing).
pub fn run(mut cmd: Command, stdin: Option<&[u8]>) -> Output {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn tactful");
    if let Some(input) = stdin {
        // A usage error exits before reading standard input: a broken pipe is expected then.
        let _ = child.stdin.take().expect("stdin").write_all(input);
    }
    child.wait_with_output().expect("wait")
}

/// `tactful ARGS` in `dir`, with `stdin` on its standard input.
pub fn tactful(args: &[&str], dir: &Path, stdin: Option<&[u8]>) -> Output {
    run(command(args, dir), stdin)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
