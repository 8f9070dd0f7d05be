//! `tactful init`, `tactful completions SHELL` and `tactful man`: conveniences generated from
//! the same definitions as the rest of the CLI.

use super::Cli;
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// The config `tactful init` writes: every setting, commented, with its default.
pub const INIT_CONFIG: &str = r#"# tactful configuration: https://github.com/tactful-lint/tactful#in-ci-over-a-repository-of-templates
# Found from each checked file's folder upward; `tactful check --config FILE` names another.

# The context messages are written in, unless a message's front matter or a flag says otherwise.
context:
  stage: first-contact        # first-contact, follow-up, established
  channel: email              # email, linkedin, linkedin-connect, linkedin-inmail, other
  lang: auto                  # auto, or a language code: en es it nl pl he de fr pt
  # consent: [list]           # the readers agreed to a mailing list

# Severity per rule id or category: off, info, warning, error.
severity: {}
#  self-focus: warning
#  early-pitch/calendar-link: off

# Rule options (`tactful explain ID` lists a rule's options).
options: {}
#  channel-limit/connection-note: {max: 300}

# Extra rule folders, relative to this file.
rules: []

# Files read as mail-merge templates (placeholders expected).
templates: []
#  - 'templates/**'

# Paths a folder walk skips, on top of the defaults (.git, node_modules, target, vendor, dist,
# build, .venv …). `exclude:` replaces the defaults instead. A name matches anywhere; a path
# with a `/` matches from this file's folder.
extend-exclude: []
#  - 'archive/**'
#  - '*.draft.md'

# Settings for some files; later entries win.
overrides: []
#  - files: ['linkedin/**']
#    context: {channel: linkedin-connect}
"#;

pub fn init(path: &Path, force: bool) -> u8 {
    if path.exists() && !force {
        eprintln!(
            "error: {} already exists (use --force to replace it)",
            path.display()
        );
        return 2;
    }
    match std::fs::write(path, INIT_CONFIG) {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            0
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            2
        }
    }
}

pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "tactful", &mut out);
    u8::from(out.flush().is_err()) * 2
}

pub fn man() -> u8 {
    let page = clap_mangen::Man::new(Cli::command());
    let mut out = std::io::stdout().lock();
    match page.render(&mut out).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write the manual page: {e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file `init` writes is a valid config, and says what each part does.
    #[test]
    fn the_init_config_parses() {
        let c = crate::config::Config::parse(Path::new(".tactful.yaml"), INIT_CONFIG)
            .expect("init config");
        let registry = crate::rules::Registry::new(&Default::default()).expect("rules");
        c.check_names(&registry).expect("names");
        for key in [
            "context:",
            "severity:",
            "options:",
            "rules:",
            "templates:",
            "extend-exclude:",
            "overrides:",
        ] {
            assert!(INIT_CONFIG.contains(key), "{key}");
        }
    }
}
