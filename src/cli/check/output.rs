//! Where each checked input goes: the report (stdout, or stderr when stdout carries fixed
//! text), a unified diff, or the fixed file itself; and the exit status the run ends with.

use super::fixing::{write_fixed, Checked, FixMode};
use super::inputs::Source;
use crate::finding::{FileResult, Severity};
use crate::report::{Reporter, Summary};
use crate::rules::catalog::RuleMeta;
use std::collections::BTreeMap;
use std::io::{BufWriter, StderrLock, StdoutLock, Write};

/// How the run reports, from the command line.
pub(super) struct Options {
    pub(super) mode: FixMode,
    pub(super) deny: Severity,
    /// With `--fix -` standard output carries the fixed text, so the report goes to stderr.
    pub(super) report_to_stderr: bool,
    /// `--quiet`: the findings and nothing else.
    pub(super) quiet: bool,
    /// `--statistics`: counts by rule instead of each finding.
    pub(super) statistics: bool,
    /// `--exit-zero`: findings do not fail the run.
    pub(super) exit_zero: bool,
    /// The report is one machine-readable document: nothing else may go into its stream.
    pub(super) machine: bool,
}

pub(super) struct Output {
    out: BufWriter<StdoutLock<'static>>,
    /// `--output-file`: the report goes there instead of standard output.
    report_file: Option<BufWriter<std::fs::File>>,
    err: StderrLock<'static>,
    reporter: Box<dyn Reporter>,
    mode: FixMode,
    report_to_stderr: bool,
    quiet: bool,
    exit_zero: bool,
    machine: bool,
    /// `--statistics`: findings counted by rule (with severity and message), not printed.
    statistics: Option<BTreeMap<String, (usize, Severity, String)>>,
    deny: Severity,
    /// Errors about other files (a config, a rule file) already shown.
    seen_errors: std::collections::HashSet<String>,
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
        o: Options,
        report_file: Option<std::fs::File>,
    ) -> Output {
        Output {
            out: BufWriter::new(std::io::stdout().lock()),
            report_file: report_file.map(BufWriter::new),
            err: std::io::stderr().lock(),
            reporter,
            mode: o.mode,
            report_to_stderr: o.report_to_stderr,
            quiet: o.quiet,
            exit_zero: o.exit_zero,
            machine: o.machine,
            statistics: o.statistics.then(BTreeMap::new),
            deny: o.deny,
            seen_errors: std::collections::HashSet::new(),
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
        input: Source,
        checked: Checked,
        stdin_bytes: Option<&[u8]>,
        max_per_rule: usize,
    ) -> Result<(), u8> {
        let r = match (self.mode, checked.fixed) {
            (FixMode::Off, _) | (_, None) => {
                if self.mode == FixMode::Write && matches!(input, Source::Stdin) {
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
                // What would be left once the diff is applied decides the exit status.
                f.result
            }
            (FixMode::Write, Some(f)) => match input {
                Source::Stdin => {
                    let _ = self.out.write_all(f.text.as_bytes());
                    self.fixed_count += f.applied;
                    self.fixed_files += 1;
                    f.result
                }
                Source::File(p) => match write_fixed(p, &checked.result.source, &f.text) {
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
                Source::Missing => checked.result,
            },
        };
        self.report(r, max_per_rule)
    }

    fn report(&mut self, mut r: FileResult, max_per_rule: usize) -> Result<(), u8> {
        self.summary.add(&r);
        self.broken |= !r.errors.is_empty();
        self.failing |= r.findings.iter().any(|f| f.severity >= self.deny);
        if let Some(stats) = &mut self.statistics {
            for f in &r.findings {
                let e = stats.entry(f.rule.to_string()).or_insert((
                    0,
                    f.severity,
                    f.message.to_string(),
                ));
                e.0 += 1;
                e.1 = e.1.max(f.severity);
            }
            let errors = r
                .errors
                .iter()
                .try_for_each(|e| writeln!(self.err, "error: {e}"));
            return errors.map_err(|e| self.write_failed(&e));
        }
        // Totals, statistics and the exit status above count every finding; the report lists
        // the first few of each rule and says how many more there are (see `crate::cap`).
        self.summary.hidden += crate::cap::apply_to(&mut r, max_per_rule);
        // A broken config or rule file breaks every file under it: a reader needs it once.
        // (Machine formats keep one entry per file, each with its error.)
        let mut deduped;
        let r = if self.machine || r.errors.is_empty() {
            &r
        } else {
            deduped = r.clone();
            let path = r.path.clone();
            let seen = &mut self.seen_errors;
            deduped
                .errors
                .retain(|e| e.path == path || seen.insert(e.to_string()));
            &deduped
        };
        let written = if self.mode == FixMode::Diff {
            r.errors
                .iter()
                .try_for_each(|e| writeln!(self.err, "error: {e}"))
        } else if self.report_to_stderr {
            self.reporter.file(&mut self.err, r)
        } else if let Some(f) = &mut self.report_file {
            self.reporter.file(f, r)
        } else {
            self.reporter.file(&mut self.out, r)
        };
        written.map_err(|e| self.write_failed(&e))
    }

    /// Writes what is buffered (before a progress bar is drawn again).
    pub(super) fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// `--statistics`: one line per rule, most frequent first, then the summary line.
    fn print_statistics(&mut self) -> std::io::Result<()> {
        let Some(stats) = self.statistics.take() else {
            return Ok(());
        };
        let mut rows: Vec<_> = stats.into_iter().collect();
        rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        let mut text = String::new();
        if self.machine {
            // Machine formats get the counts as one JSON document.
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(rule, (n, sev, message))| {
                    serde_json::json!({"rule": rule, "count": n, "severity": sev.as_str(), "message": message})
                })
                .collect();
            let doc = serde_json::json!({"statistics": list, "summary": self.summary});
            text.push_str(&doc.to_string());
            text.push('\n');
        } else {
            let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
            for (rule, (n, sev, message)) in rows {
                text.push_str(&format!(
                    "{n:>5}  {rule:<width$}  {:<7}  {message}\n",
                    sev.as_str()
                ));
            }
            if !self.quiet {
                text.push_str(&self.summary.line());
                text.push('\n');
            }
        }
        match &mut self.report_file {
            Some(f) => f.write_all(text.as_bytes()),
            None => self.out.write_all(text.as_bytes()),
        }
    }

    /// Ends the report (summary, SARIF's rule list) and returns the exit status.
    pub(super) fn finish(mut self, rules: impl FnOnce() -> Vec<RuleMeta>) -> u8 {
        let status = match self.mode {
            FixMode::Diff => {
                let _ = self.out.flush();
                if self.fixed_count > 0 && !self.quiet {
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
                    u8::from((self.diffs > 0 || self.failing) && !self.exit_zero)
                };
            }
            FixMode::Write => Some(format!(
                "fixed {} in {}",
                plural(self.fixed_count, "problem"),
                plural(self.fixed_files, "file")
            )),
            FixMode::Off => None,
        };
        if self.statistics.is_some() {
            let _ = self.print_statistics();
        } else {
            if self.reporter.wants_rules() {
                self.reporter.set_rules(rules());
            }
            // --quiet leaves out the human summary line; a machine document must stay whole.
            if !self.quiet || self.machine {
                let _ = if self.report_to_stderr {
                    self.reporter.finish(&mut self.err, &self.summary)
                } else if let Some(f) = &mut self.report_file {
                    self.reporter.finish(f, &self.summary)
                } else {
                    self.reporter.finish(&mut self.out, &self.summary)
                };
            }
        }
        let _ = self.out.flush();
        if let Some(f) = &mut self.report_file {
            if let Err(e) = f.flush() {
                eprintln!("error: cannot write the report: {e}");
                return 2;
            }
        }
        // The status line comes after the report, and never inside a machine-readable
        // report on the same stream.
        if let Some(status) = status {
            let inside_report = self.report_to_stderr && self.machine;
            if !self.quiet && !inside_report {
                let _ = writeln!(self.err, "{status}");
            }
        }
        if self.broken {
            2
        } else if self.failing && !self.exit_zero {
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
