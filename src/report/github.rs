//! `--format github`: GitHub Actions workflow commands, one per finding, which the runner turns
//! into annotations on the pull request's diff:
//! `::error file=a.txt,line=4,col=9,endLine=4,endColumn=40,title=early-pitch/demo-request::…`.
//!
//! Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message `%`, CR
//! and LF are percent-encoded; in properties also `:` and `,`, which would otherwise end the
//! property.

use super::{Reporter, Summary};
use crate::finding::{FileResult, Severity};
use crate::text::position::LineIndex;
use std::io::{self, Write};

pub struct GithubReporter;

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

impl Reporter for GithubReporter {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        // Annotations want paths relative to the repository, where the run usually starts.
        let rel = |p: &str| super::sarif::relative_to_cwd(p).unwrap_or_else(|| p.to_string());
        let file = escape_property(&rel(&r.path));
        for e in &r.errors {
            let mut props = format!("file={}", escape_property(&rel(&e.path)));
            if let Some((l, c)) = e.line_col() {
                props.push_str(&format!(",line={l},col={c}"));
            }
            let mut msg = e.message.clone();
            if let Some(h) = &e.help {
                msg.push_str(&format!("\n{h}"));
            }
            writeln!(out, "::error {props},title=tactful::{}", escape_data(&msg))?;
        }
        let idx = LineIndex::new(&r.source);
        for f in &r.findings {
            let (l, c) = idx.line_col(f.span.start);
            let (el, ec) = idx.line_col(f.span.end);
            let mut msg = f.message.to_string();
            if !f.label.is_empty() && f.label != f.message {
                msg.push_str(&format!(": {}", f.label));
            }
            for rel in &f.related {
                let (rl, rc) = idx.line_col(rel.span.start);
                msg.push_str(&format!("\n{rl}:{rc}: {}", rel.label));
            }
            if !f.help.is_empty() {
                msg.push_str(&format!("\nhelp: {}", f.help.trim()));
            }
            if let Some(s) = &f.suggestion {
                msg.push_str(&format!("\nsuggestion: \"{}\"", s.replacement));
            }
            writeln!(
                out,
                "::{} file={file},line={l},col={c},endLine={el},endColumn={ec},title={}::{}",
                command(f.severity),
                escape_property(&f.rule),
                escape_data(&msg)
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(escape_data("50% off\r\nnow"), "50%25 off%0D%0Anow");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // Already-escaped looking text is escaped again, so it shows as written.
        assert_eq!(escape_data("%0A"), "%250A");
    }
}
