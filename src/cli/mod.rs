//! The command line: argument parsing and the subcommands. Thin: the work is in the library.

mod check;
mod docs;
mod extras;
mod rules;
mod test;

use crate::context::{Channel, Consent, Stage};
use crate::report::OutputFormat;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "tactful",
    version,
    about = "A linter for outreach messages: cold emails, LinkedIn notes, follow-ups and mail-merge templates",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check message files, folders, or `-` for standard input.
    Check(Box<CheckArgs>),
    /// List every rule (id, category, language, severity, message).
    Rules(RulesArgs),
    /// Explain a category or a rule: what it catches, why, an example, what to write instead.
    Explain(ExplainArgs),
    /// Run the examples inside rule files as tests (the built-in rules when no path is given).
    Test(TestArgs),
    /// Run a language server on standard input and output (for editors; see docs/editors.md).
    Lsp(LspArgs),
    /// Write the rule and category pages under docs/rules/ (for maintainers).
    #[command(hide = true)]
    Docs(DocsArgs),
    /// Write a commented `.tactful.yaml` in the current folder (or at --path).
    Init(InitArgs),
    /// Print a shell completion script: `tactful completions bash > /etc/bash_completion.d/tactful`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `tactful man > tactful.1 && man ./tactful.1`.
    Man,
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Where to write the config file.
    #[arg(long, default_value = ".tactful.yaml")]
    path: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    Error,
    Warning,
    Info,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check; `-` reads standard input. Default: the current folder.
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: OutputFormat,
    /// Colour in human output (NO_COLOR is respected).
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Relationship stage with the recipient.
    #[arg(long, value_parser = keyword_parser(Stage::WORDS, str::parse::<Stage>))]
    stage: Option<Stage>,
    /// Where the message is sent.
    #[arg(long, value_parser = keyword_parser(Channel::WORDS, str::parse::<Channel>))]
    channel: Option<Channel>,
    /// Language of the messages: `auto` (detect it per message and paragraph) or a language
    /// code with a rule pack: en, es, it, nl, pl, he, de, fr, pt (or one added with --rules).
    /// A region tag is read as its language (`pt-BR` → pt).
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// What the recipient agreed to (repeatable), e.g. `--consent list`.
    #[arg(long, value_parser = keyword_parser(Consent::WORDS, str::parse::<Consent>))]
    consent: Vec<Consent>,
    /// The sender has LinkedIn Premium / Sales Navigator (longer connection notes).
    #[arg(long)]
    premium: bool,
    /// The recipient's name, for suggested greetings ("Hi Ana," for "Dear Sir or Madam,").
    #[arg(long, value_name = "NAME")]
    recipient: Option<String>,
    /// Treat the inputs as mail-merge templates (placeholders expected).
    #[arg(long)]
    template: bool,
    #[command(flatten)]
    sources: SourceArgs,
    /// Fail (exit 1) on findings at or above this level.
    #[arg(long, value_enum, default_value = "error")]
    deny: DenyLevel,
    /// The name to show for standard input (also used to find its config and format).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Apply the rewrites that rules mark safe, then report what is left. Files are replaced
    /// atomically; files without a safe fix are not touched. With `-`, the fixed text goes to
    /// standard output and the report to standard error.
    #[arg(long)]
    fix: bool,
    /// Print the safe rewrites as a unified diff instead of writing them (exit 1 when there are
    /// any, or when findings at the failing level remain).
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// Report only these rules: rule ids or categories, comma-separated or repeated
    /// (default: every rule).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    select: Vec<String>,
    /// Report these rules too, on top of --select or the default.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Do not report these rules (ids or categories). The more specific of a --select and an
    /// --ignore wins; at equal specificity --ignore does.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Skip paths matching this glob when walking folders, on top of the config's `exclude:`
    /// (repeatable). `name` matches a file or folder of that name anywhere; `dir/*.txt`
    /// matches from the working folder. Files named on the command line are always checked.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Do not read `.gitignore`, `.ignore` or git's exclude files when walking folders.
    #[arg(long)]
    no_ignore: bool,
    /// Exit 0 even when findings at the failing level remain (2 still means broken input).
    #[arg(long)]
    exit_zero: bool,
    /// Print how many findings each rule produced instead of each finding.
    #[arg(long)]
    statistics: bool,
    /// Print the findings and nothing else: no summary line, no status line, no progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Check this many files at once (default: one per core).
    #[arg(short, long, value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
    /// Every pattern as compiled, one regex a line (to run ripgrep on the same patterns).
    Patterns,
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "human")]
    format: RulesFormat,
    /// Only this language (`any` for language-neutral rules).
    #[arg(long)]
    lang: Option<String>,
    /// Extra rule file or folder (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A category (`early-pitch`) or a rule id (`early-pitch/demo-request`).
    id: String,
    /// Which language's rule to show when several packs have the id (default: en, else the first).
    #[arg(long)]
    lang: Option<String>,
    /// Extra rule file or folder (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct DocsArgs {
    /// The folder to write the pages to.
    #[arg(long, default_value = "docs/rules")]
    out: PathBuf,
    /// Only compare: exit 1 when a page is missing, different or no longer generated.
    #[arg(long)]
    check: bool,
}

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Rule files or folders; the built-in rules when none is given.
    paths: Vec<PathBuf>,
    /// Only rules whose id contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// `json`: every example's outcome and the words each finding covers, for scripts (the
    /// learned layer's training reads which sentence of a bad example its rule flags).
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
    /// Also list each pattern (a `match` pattern, a signal's pattern) that none of its rule's
    /// bad examples matches, each exception no good example matches, each pattern that can end
    /// on a lone digit, and each that cuts a word short: untested, and often dead. Does not
    /// change the exit status.
    #[arg(long)]
    coverage: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
}

/// A parser for a context keyword that lists its values in `--help` and in errors.
fn keyword_parser<T: Clone + Send + Sync + 'static>(
    words: &'static [&'static str],
    parse: fn(&str) -> Result<T, String>,
) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(words).try_map(move |s| parse(&s))
}

/// Where rules and config come from, for `check` and `lsp`.
#[derive(clap::Args, Debug, Clone)]
pub struct SourceArgs {
    /// Extra rule file or folder (repeatable), added to the built-in rules.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Use this config file instead of discovering `.tactful.yaml` from each file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Do not read any config file.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// List at most N findings of one rule per file, then one finding that says how many more
    /// there are (0: list all). Default: `max-per-rule` in the config, else 50.
    #[arg(long, value_name = "N")]
    max_per_rule: Option<usize>,
    /// Turn off the learned sentence layer: pattern rules only.
    #[arg(long)]
    no_learned: bool,
}

impl SourceArgs {
    fn lint_options(self, flags: crate::context::ContextLayer) -> crate::lint::LintOptions {
        crate::lint::LintOptions {
            flags,
            rule_paths: self.rules,
            config: self.config,
            no_config: self.no_config,
            selection: Default::default(),
            max_per_rule: self.max_per_rule,
            no_learned: self.no_learned,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct LspArgs {
    #[command(flatten)]
    sources: SourceArgs,
    /// Accepted for clients that pass it; standard input and output are always used.
    #[arg(long, hide = true)]
    stdio: bool,
}

/// Parses arguments and runs; the exit code follows the contract (0, 1, 2).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A bug must still end in a clear message and exit status 2, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("error: internal error in tactful{at}: {what}\nPlease report this with the input that caused it.");
    }));
    let code = std::panic::catch_unwind(move || match cli.command {
        Command::Check(a) => check::run(*a),
        Command::Rules(a) => rules::list(a),
        Command::Explain(a) => rules::explain(a),
        Command::Test(a) => test::run(a),
        Command::Docs(a) => docs::run(a),
        Command::Lsp(a) => crate::lsp::run(a.sources.lint_options(Default::default())),
        Command::Init(a) => extras::init(&a.path, a.force),
        Command::Completions(a) => extras::completions(a.shell),
        Command::Man => extras::man(),
    })
    .unwrap_or(2);
    ExitCode::from(code)
}

/// Whether to colour output, as the CLI colour conventions say (the same order as Rust's
/// `anstream`): `--color always|never` first; then `FORCE_COLOR` or `CLICOLOR_FORCE` (set, not
/// `0`) force colour even into a pipe; `NO_COLOR` (set, not empty), `TERM=dumb` and
/// `CLICOLOR=0` turn it off; otherwise colour only on a terminal.
fn use_color(choice: ColorChoice, terminal: bool, env: impl Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| env(k).filter(|v| !v.is_empty());
    let on = |k: &str| set(k).is_some_and(|v| v != "0" && v != "false");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if on("FORCE_COLOR") || on("CLICOLOR_FORCE") {
                true
            } else if set("NO_COLOR").is_some()
                || env("TERM").as_deref() == Some("dumb")
                || set("CLICOLOR").as_deref() == Some("0")
            {
                false
            } else {
                terminal
            }
        }
    }
}

/// [`use_color`] with the process environment.
fn color_for(choice: ColorChoice, terminal: bool) -> bool {
    use_color(choice, terminal, |k| std::env::var(k).ok())
}

/// Prints rule-loading errors the way findings are printed and returns exit status 2.
fn report_errors(errors: &[crate::error::SourceError]) -> u8 {
    let color = color_for(
        ColorChoice::Auto,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    let human = crate::report::HumanReporter::new(color);
    let mut err = std::io::stderr().lock();
    for e in errors {
        let _ = human.error(&mut err, e);
    }
    2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn color(choice: ColorChoice, terminal: bool, vars: &[(&str, &str)]) -> bool {
        use_color(choice, terminal, |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn colour_follows_the_conventions() {
        assert!(color(ColorChoice::Auto, true, &[]));
        assert!(!color(ColorChoice::Auto, false, &[]));
        assert!(color(ColorChoice::Auto, false, &[("FORCE_COLOR", "1")]));
        assert!(color(ColorChoice::Auto, false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!color(ColorChoice::Auto, false, &[("FORCE_COLOR", "0")]));
        assert!(!color(ColorChoice::Auto, true, &[("NO_COLOR", "1")]));
        assert!(color(ColorChoice::Auto, true, &[("NO_COLOR", "")]));
        assert!(!color(ColorChoice::Auto, true, &[("TERM", "dumb")]));
        assert!(!color(ColorChoice::Auto, true, &[("CLICOLOR", "0")]));
        assert!(color(ColorChoice::Always, false, &[("NO_COLOR", "1")]));
        assert!(!color(ColorChoice::Never, true, &[("FORCE_COLOR", "1")]));
    }
}
