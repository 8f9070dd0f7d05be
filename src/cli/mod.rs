//! The command line: argument parsing and the subcommands. Thin: the work is in the library.

mod check;
mod docs;
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
    Check(CheckArgs),
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
    /// any).
    #[arg(long)]
    diff: bool,
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
}

impl SourceArgs {
    fn lint_options(self, flags: crate::context::ContextLayer) -> crate::lint::LintOptions {
        crate::lint::LintOptions {
            flags,
            rule_paths: self.rules,
            config: self.config,
            no_config: self.no_config,
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
        Command::Check(a) => check::run(a),
        Command::Rules(a) => rules::list(a),
        Command::Explain(a) => rules::explain(a),
        Command::Test(a) => test::run(a),
        Command::Docs(a) => docs::run(a),
        Command::Lsp(a) => crate::lsp::run(a.sources.lint_options(Default::default())),
    })
    .unwrap_or(2);
    ExitCode::from(code)
}

/// Prints rule-loading errors the way findings are printed and returns exit status 2.
fn report_errors(errors: &[crate::error::SourceError]) -> u8 {
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let human = crate::report::HumanReporter::new(color);
    let mut err = std::io::stderr().lock();
    for e in errors {
        let _ = human.error(&mut err, e);
    }
    2
}
