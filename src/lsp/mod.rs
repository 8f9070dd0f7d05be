//! `tactful lsp`: a language server over standard input and output.
//!
//! It checks every open document on open, change and save (full-text sync; one message checks
//! in about a millisecond, so there is nothing to debounce), publishes diagnostics with the rule
//! id, severity, UTF-16 range, related labels and a link to the category's documentation, and
//! offers code actions that apply a rule's suggested rewrite (plus one "fix all" action for
//! the safe ones). Config and rule files are re-read when they change: each check compares the
//! files that could affect it (the `.tactful.yaml` candidates above the document, the rule
//! files) with what the last check saw, and `workspace/didChangeWatchedFiles` or saving a YAML
//! file re-checks every open document at once.
//!
//! Built on `lsp-server` and `lsp-types`, rust-analyzer's synchronous crates.

pub mod position;

use crate::config::{Config, FILE_NAMES};
use crate::finding::Finding;
use crate::lint::{FileResult, LintOptions, Linter};
use crate::rules::catalog::docs_url;
use crate::rules::Severity;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeDescription, Diagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams, Location,
    NumberOrString, PublishDiagnosticsParams, TextEdit, Uri, WorkspaceEdit,
};
use position::LineIndex16;
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::SystemTime;

const FIX_ALL: &str = "source.fixAll.tactful";

/// Runs the server until the client says `exit`. Returns the process exit status.
pub fn run(options: LintOptions) -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection, options) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("tactful lsp: {e}");
            1
        }
    };
    drop(connection);
    let _ = io_threads.join();
    code
}

fn capabilities() -> serde_json::Value {
    json!({
        "positionEncoding": "utf-16",
        "textDocumentSync": {"openClose": true, "change": 1, "save": {"includeText": false}},
        "codeActionProvider": {"codeActionKinds": [CodeActionKind::QUICKFIX.as_str(), FIX_ALL]},
    })
}

/// Serves one client on `connection` (stdio in production, memory in tests).
pub fn serve(connection: &Connection, options: LintOptions) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let watch = params
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let result = json!({
        "capabilities": capabilities(),
        "serverInfo": {"name": "tactful", "version": env!("CARGO_PKG_VERSION")},
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(connection, options);
    if watch {
        server.register_watchers();
    }
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                server.request(req);
            }
            Message::Notification(n) => {
                if n.method == lsp_types::notification::Exit::METHOD {
                    return Err("exit without shutdown".into());
                }
                server.notification(n);
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// What the last check of a document saw of the files that configure it.
type Stamp = Vec<(PathBuf, Option<(Option<SystemTime>, u64)>)>;

struct Doc {
    text: String,
    version: Option<i32>,
    path: Option<PathBuf>,
    /// The name in messages (the path, or the URI for unsaved buffers).
    shown: String,
    result: Option<FileResult>,
    stamp: Stamp,
}

struct Server<'c> {
    connection: &'c Connection,
    options: LintOptions,
    linter: Linter,
    docs: HashMap<Uri, Doc>,
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The path of a `file:` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    let path_part = &rest[rest.find('/')?..];
    let path_part = path_part.split(['?', '#']).next().unwrap_or(path_part);
    let decoded = percent_decode(path_part)?;
    // file:///C:/x on Windows
    if cfg!(windows) && decoded.len() > 2 && decoded.as_bytes()[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let abs = std::path::absolute(path).ok()?;
    let mut s = abs.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    Uri::from_str(&format!("file://{}", crate::report::sarif::encode_path(&s))).ok()
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, options: LintOptions) -> Self {
        Server {
            connection,
            linter: Linter::new(options.clone()),
            options,
            docs: HashMap::new(),
        }
    }

    fn send(&self, msg: Message) {
        // The client has gone when this fails; the receive loop ends on its own then.
        let _ = self.connection.sender.send(msg);
    }

    fn register_watchers(&self) {
        let params = json!({"registrations": [{
            "id": "tactful-config-and-rules",
            "method": lsp_types::notification::DidChangeWatchedFiles::METHOD,
            "registerOptions": {"watchers": [
                {"globPattern": "**/.tactful.{yaml,yml}"},
                {"globPattern": "**/*.{yaml,yml}"},
            ]},
        }]});
        self.send(Message::Request(Request::new(
            RequestId::from("tactful/register-watchers".to_string()),
            lsp_types::request::RegisterCapability::METHOD.to_string(),
            params,
        )));
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification::*;
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    self.open(d.uri, d.text, Some(d.version));
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    // Full sync: the last change holds the whole text.
                    if let Some(c) = p.content_changes.into_iter().last() {
                        let uri = p.text_document.uri;
                        if let Some(doc) = self.docs.get_mut(&uri) {
                            doc.text = c.text;
                            doc.version = Some(p.text_document.version);
                        }
                        self.check(&uri);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) {
                    let saved_yaml = uri_to_path(&p.text_document.uri).is_some_and(|p| is_yaml(&p));
                    if saved_yaml {
                        self.reload();
                    } else {
                        self.check(&p.text_document.uri);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    if self.docs.remove(&p.text_document.uri).is_some() {
                        self.publish(p.text_document.uri, Vec::new(), None);
                    }
                }
            }
            DidChangeWatchedFiles::METHOD => self.reload(),
            _ => {}
        }
    }

    fn request(&mut self, req: Request) {
        let response = match req.method.as_str() {
            lsp_types::request::CodeActionRequest::METHOD => match serde_json::from_value::<
                CodeActionParams,
            >(req.params)
            {
                Ok(p) => Response::new_ok(req.id, self.code_actions(&p)),
                Err(e) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string()),
            },
            _ => Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request `{}`", req.method),
            ),
        };
        self.send(Message::Response(response));
    }

    fn open(&mut self, uri: Uri, text: String, version: Option<i32>) {
        let path = uri_to_path(&uri);
        if path.as_deref().is_some_and(is_yaml) {
            return; // config and rule files are not messages
        }
        let shown = path
            .as_ref()
            .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
        self.docs.insert(
            uri.clone(),
            Doc {
                text,
                version,
                path,
                shown,
                result: None,
                stamp: Vec::new(),
            },
        );
        self.check(&uri);
    }

    /// Drops cached config and rules and re-checks every open document.
    fn reload(&mut self) {
        self.linter = Linter::new(self.options.clone());
        let uris: Vec<Uri> = self.docs.keys().cloned().collect();
        for uri in uris {
            if let Some(d) = self.docs.get_mut(&uri) {
                d.stamp.clear();
            }
            self.check(&uri);
        }
    }

    /// The files that decide how a document is checked, with their sizes and times.
    fn stamp(&self, path: Option<&Path>) -> Stamp {
        let mut files: Vec<PathBuf> = Vec::new();
        let mut rule_roots = self.options.rule_paths.clone();
        let config = if self.options.no_config {
            None
        } else if let Some(c) = &self.options.config {
            files.push(c.clone());
            Some(c.clone())
        } else {
            let start =
                path.and_then(|p| std::path::absolute(p).ok()?.parent().map(Path::to_path_buf));
            let start = start.or_else(|| std::env::current_dir().ok());
            let mut found = None;
            for dir in start.iter().flat_map(|d| d.ancestors()) {
                for name in FILE_NAMES {
                    let candidate = dir.join(name);
                    let exists = candidate.is_file();
                    files.push(candidate.clone());
                    if exists && found.is_none() {
                        found = Some(candidate);
                    }
                }
                if found.is_some() {
                    break;
                }
            }
            found
        };
        if let Some(c) = config.and_then(|c| Config::load(&c).ok()) {
            rule_roots.extend(c.rule_paths);
        }
        for root in rule_roots {
            files.push(root.clone());
            if root.is_dir() {
                for e in ignore::WalkBuilder::new(&root)
                    .standard_filters(true)
                    .build()
                    .flatten()
                {
                    if e.path().is_dir() || is_yaml(e.path()) {
                        files.push(e.path().to_path_buf());
                    }
                }
            }
        }
        files
            .into_iter()
            .map(|f| {
                let meta = std::fs::metadata(&f)
                    .ok()
                    .map(|m| (m.modified().ok(), m.len()));
                (f, meta)
            })
            .collect()
    }

    fn check(&mut self, uri: &Uri) {
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let stamp = self.stamp(doc.path.as_deref());
        if !doc.stamp.is_empty() && doc.stamp != stamp {
            // A config or rule file changed since this document was last checked.
            self.linter = Linter::new(self.options.clone());
        }
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        let linter = &self.linter;
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            linter.check(
                &doc.shown,
                doc.path.as_deref(),
                doc.text.clone().into_bytes(),
                None,
            )
        }));
        // A bug must not take the editor's session down with it: report it on the document
        // and start the next check from a fresh linter (its caches may be half-built).
        let (result, crashed) = match checked {
            Ok(r) => (r, false),
            Err(_) => {
                let e = crate::error::SourceError::whole(
                    &doc.shown,
                    "internal error while checking this document",
                )
                .with_help("please report it to tactful with the text that caused it");
                (FileResult::failed(&doc.shown, vec![e]), true)
            }
        };
        doc.stamp = stamp;
        let diagnostics = diagnostics(uri, &doc.text, &result);
        let version = doc.version;
        doc.result = Some(result);
        if crashed {
            self.linter = Linter::new(self.options.clone());
        }
        self.publish(uri.clone(), diagnostics, version);
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Message::Notification(Notification::new(
            lsp_types::notification::PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }

    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &p.text_document.uri;
        let Some(doc) = self.docs.get(uri) else {
            return Vec::new();
        };
        let Some(result) = &doc.result else {
            return Vec::new();
        };
        let idx = LineIndex16::new(&doc.text);
        let (start, end) = (idx.offset(p.range.start), idx.offset(p.range.end));
        let only = p.context.only.as_ref();
        let wants = |kind: &CodeActionKind| {
            only.is_none_or(|o| {
                o.iter().any(|k| {
                    kind.as_str() == k.as_str()
                        || kind.as_str().starts_with(&format!("{}.", k.as_str()))
                })
            })
        };
        let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        };
        let mut out = Vec::new();
        if wants(&CodeActionKind::QUICKFIX) {
            for f in &result.findings {
                let Some(s) = &f.suggestion else { continue };
                let touches = f.span.start <= end && start <= f.span.end;
                if !touches {
                    continue;
                }
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Replace with \"{}\" ({})", s.replacement, f.rule),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic(uri, &idx, f)]),
                    edit: Some(edit(vec![TextEdit::new(
                        idx.range(&s.span),
                        s.replacement.clone(),
                    )])),
                    is_preferred: Some(s.safe),
                    ..Default::default()
                }));
            }
        }
        let fix_all = CodeActionKind::from(FIX_ALL.to_string());
        if wants(&fix_all) {
            let plan = crate::fix::plan(&doc.text, &result.findings);
            if !plan.is_empty() {
                let edits = plan
                    .edits
                    .iter()
                    .map(|e| TextEdit::new(idx.range(&e.span), e.replacement.clone()))
                    .collect();
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!(
                        "Apply {} safe tactful fix{}",
                        plan.edits.len(),
                        if plan.edits.len() == 1 { "" } else { "es" }
                    ),
                    kind: Some(fix_all),
                    edit: Some(edit(edits)),
                    ..Default::default()
                }));
            }
        }
        out
    }
}

fn diagnostic(uri: &Uri, idx: &LineIndex16, f: &Finding) -> Diagnostic {
    let mut message = f.message.clone();
    if !f.label.is_empty() && f.label != f.message {
        message.push_str(&format!(": {}", f.label));
    }
    if !f.help.is_empty() {
        message.push_str(&format!("\nhelp: {}", f.help.trim()));
    }
    if let Some(s) = &f.suggestion {
        message.push_str(&format!("\nsuggestion: \"{}\"", s.replacement));
    }
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), idx.range(&r.span)),
            message: r.label.clone(),
        })
        .collect();
    Diagnostic {
        range: idx.range(&f.span),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.clone())),
        code_description: Uri::from_str(&docs_url(&f.category))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("tactful".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// Diagnostics for a check: findings, and errors (a bad front matter in this document, or a
/// broken config or rule file, shown at the top of the document and linked to the file).
fn diagnostics(uri: &Uri, text: &str, r: &FileResult) -> Vec<Diagnostic> {
    let idx = LineIndex16::new(text);
    let mut out: Vec<Diagnostic> = r
        .findings
        .iter()
        .map(|f| diagnostic(uri, &idx, f))
        .collect();
    for e in &r.errors {
        let here = e.path == r.path;
        let range = match (&e.span, here) {
            (Some(s), true) => idx.range(s),
            _ => lsp_types::Range::default(),
        };
        let mut message = if here {
            e.message.clone()
        } else {
            format!("{}: {}", e.path, e.message)
        };
        if let Some(h) = &e.help {
            message.push_str(&format!("\nhelp: {h}"));
        }
        let related = match (&e.span, here) {
            (Some(s), false) => path_to_uri(Path::new(&e.path)).map(|u| {
                let other = LineIndex16::new(&e.text);
                vec![DiagnosticRelatedInformation {
                    location: Location::new(u, other.range(s)),
                    message: e.message.clone(),
                }]
            }),
            _ => None,
        };
        out.push(Diagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String("tactful/input".into())),
            source: Some("tactful".into()),
            message,
            related_information: related,
            ..Default::default()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_and_paths_convert_both_ways() {
        let p = Path::new("/tmp/my drafts/żółw #1.txt");
        let u = path_to_uri(p).unwrap();
        assert_eq!(
            u.as_str(),
            "file:///tmp/my%20drafts/%C5%BC%C3%B3%C5%82w%20%231.txt"
        );
        assert_eq!(uri_to_path(&u).unwrap(), p);
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&untitled), None);
    }
}
