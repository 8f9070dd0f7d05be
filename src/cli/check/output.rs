//! Where each checked input goes: the report (stdout, or stderr when stdout carries fixed
//! text), a unified diff, or the fixed file itself; and the exit status the run ends with.

use super::fixing::{write_fixed, Checked, FixMode};
use super::inputs::Input;
use crate::finding::{FileResult, Severity};
use crate::report::{Reporter, Summary};
use crate::rules::catalog::RuleMeta;
use std::io::{BufWriter, StderrLock, StdoutLock, Write};

pub(super) struct Output {
    out: BufWriter<StdoutLock<'static>>,
    err: StderrLock<'static>,
    reporter: Box<dyn Reporter>,
    mode: FixMode,
    /// With `--fix -` standard output carries the fixed text, so the report goes to stderr.
    report_to_stderr: bool,
    deny: Severity,
    summary: Summary,
    failing: bool,
    broken: bool,
    fixed_count: usize,
    fixed_files: usize,
    diffs: usize,
}

impl Output {
    pub(super) fn new(
        reporter: Box<dyn Reporter>,
        mode: FixMode,
        deny: Severity,
        report_to_stderr: bool,
    ) -> Output {
        Output {
            out: BufWriter::new(std::io::stdout().lock()),
            err: std::io::stderr().lock(),
            reporter,
            mode,
            report_to_stderr,
            deny,
            summary: Summary::default(),
            failing: false,
            broken: false,
            fixed_count: 0,
            fixed_files: 0,
            diffs: 0,
        }
    }

    /// Routes one checked input. `Err` carries the exit status when output cannot be written.
    pub(super) fn file(
        &mut self,
        input: &Input,
        checked: Checked,
        stdin_bytes: Option<&[u8]>,
    ) -> Result<(), u8> {
        let r = match (self.mode, checked.fixed) {
            (FixMode::Off, _) | (_, None) => {
                if self.mode == FixMode::Write && matches!(input, Input::Stdin) {
                    // Nothing to fix (or unreadable): the input goes through unchanged, so
                    // an editor filtering a buffer never loses it.
                    let _ = self.out.write_all(stdin_bytes.unwrap_or_default());
                }
                checked.result
            }
            (FixMode::Diff, Some(f)) => {
                self.diffs += 1;
                self.fixed_count += f.applied;
                let diff =
                    crate::fix::unified_diff(&checked.result.path, &checked.result.source, &f.text);
                if let Err(e) = self.out.write_all(diff.as_bytes()) {
                    return Err(self.write_failed(&e));
                }
                checked.result
            }
            (FixMode::Write, Some(f)) => match input {
                Input::Stdin => {
                    let _ = self.out.write_all(f.text.as_bytes());
                    self.fixed_count += f.applied;
                    self.fixed_files += 1;
                    f.result
                }
                Input::File(p) => match write_fixed(p, &checked.result.source, &f.text) {
                    Ok(()) => {
                        self.fixed_count += f.applied;
                        self.fixed_files += 1;
                        f.result
                    }
                    Err(e) => {
                        let mut r = checked.result;
                        r.errors.push(e);
                        r
                    }
                },
                Input::Missing(..) => checked.result,
            },
        };
        self.report(&r)
    }

    fn report(&mut self, r: &FileResult) -> Result<(), u8> {
        self.summary.add(r);
        self.broken |= !r.errors.is_empty();
        self.failing |= r.findings.iter().any(|f| f.severity >= self.deny);
        let written = if self.mode == FixMode::Diff {
            r.errors
                .iter()
                .try_for_each(|e| writeln!(self.err, "error: {e}"))
        } else if self.report_to_stderr {
            self.reporter.file(&mut self.err, r)
        } else {
            self.reporter.file(&mut self.out, r)
        };
        written.map_err(|e| self.write_failed(&e))
    }

    /// Ends the report (summary, SARIF's rule list) and returns the exit status.
    pub(super) fn finish(mut self, rules: impl FnOnce() -> Vec<RuleMeta>) -> u8 {
        match self.mode {
            FixMode::Diff => {
                let _ = self.out.flush();
                if self.fixed_count > 0 {
                    let _ = writeln!(
                        self.err,
                        "{} in {}; run with --fix to apply",
                        plural(self.fixed_count, "fix"),
                        plural(self.diffs, "file")
                    );
                }
                return if self.broken {
                    2
                } else {
                    u8::from(self.diffs > 0)
                };
            }
            FixMode::Write => {
                let _ = writeln!(
                    self.err,
                    "fixed {} in {}",
                    plural(self.fixed_count, "problem"),
                    plural(self.fixed_files, "file")
                );
            }
            FixMode::Off => {}
        }
        if self.reporter.wants_rules() {
            self.reporter.set_rules(rules());
        }
        let _ = if self.report_to_stderr {
            self.reporter.finish(&mut self.err, &self.summary)
        } else {
            self.reporter.finish(&mut self.out, &self.summary)
        };
        let _ = self.out.flush();
        if self.broken {
            2
        } else if self.failing {
            1
        } else {
            0
        }
    }

    fn write_failed(&self, e: &std::io::Error) -> u8 {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return if self.broken {
                2
            } else {
                u8::from(self.failing)
            };
        }
        eprintln!("error: cannot write output: {e}");
        2
    }
}

fn plural(n: usize, word: &str) -> String {
    let s = if n == 1 {
        ""
    } else if word.ends_with('x') {
        "es"
    } else {
        "s"
    };
    format!("{n} {word}{s}")
}
