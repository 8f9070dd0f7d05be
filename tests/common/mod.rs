//! Helpers shared by the integration tests: running the real binary, temporary folders,
//! writing files. Each test file includes this with `mod common;`; not every file uses every
//! helper.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

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

/// The binary as CI runs it: colour switched neither on nor off by the environment, `CI` set
/// (the tests of colour and of CI-aware output).
pub fn ci_command(args: &[&str], dir: &Path) -> Command {
    let mut cmd = command(args, dir);
    cmd.env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env("CI", "true");
    cmd
}

/// Validates a SARIF document against the SARIF 2.1.0 schema (`tests/data/sarif/`).
pub fn validate_sarif(doc: &serde_json::Value) -> Result<(), String> {
    let path = root().join("tests/data/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("schema JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V7);
    compiler.enable_format_assertions();
    compiler
        .add_resource("sarif-schema-2.1.0.json", schema)
        .expect("add schema");
    let idx = compiler
        .compile("sarif-schema-2.1.0.json", &mut schemas)
        .expect("compile schema");
    schemas.validate(doc, idx).map_err(|e| format!("{e:#}"))
}

/// Starts `cmd` with its output piped, feeding it `stdin` (or nothing).
pub fn spawn(mut cmd: Command, stdin: Option<&[u8]>) -> Child {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn tactful");
    if let Some(input) = stdin {
        // Written from another thread, so a large input cannot deadlock against a large
        // output. A usage error exits before reading standard input: a broken pipe is expected
        // then.
        let mut pipe = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    child
}

/// Runs `cmd` to the end, feeding it `stdin` (or nothing).
pub fn run(cmd: Command, stdin: Option<&[u8]>) -> Output {
    spawn(cmd, stdin).wait_with_output().expect("wait")
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

/// The first file's diagnostics in the output of `tactful check --format json`.
pub fn first_file_diagnostics(out: &Output) -> Vec<serde_json::Value> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", stdout(out)));
    doc["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}
