//! The server loop: the handshake, the messages a client sends, and the checks they start.

use super::actions::{code_actions, FIX_ALL};
use super::diagnostics::diagnostics;
use super::documents::{is_yaml, uri_to_path, Doc};
use crate::finding::FileResult;
use crate::lint::{CopyOf, Input, LintOptions, Linter, Session};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeActionKind, CodeActionParams, Diagnostic, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    PublishDiagnosticsParams, Uri,
};
use serde_json::json;
use std::collections::HashMap;

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

pub(super) struct Server<'c> {
    connection: &'c Connection,
    pub(super) options: LintOptions,
    pub(super) linter: Linter,
    pub(super) docs: HashMap<Uri, Doc>,
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
                        // A draft that had a copy in the closed one is no longer a copy.
                        let had_copy = self.docs.iter().find(|(_, d)| d.copy.is_some());
                        if let Some(other) = had_copy.map(|(u, _)| u.clone()) {
                            self.check(&other);
                        }
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
                Ok(p) => Response::new_ok(
                    req.id,
                    self.docs
                        .get(&p.text_document.uri)
                        .map_or_else(Vec::new, |d| code_actions(d, &p)),
                ),
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

    /// Checks a document, as one run with every other open document, so near-identical
    /// drafts are reported across them as `check` reports them across files. A document whose
    /// place in a cluster changed (it gained or lost a copy) is re-published too.
    pub(super) fn check(&mut self, uri: &Uri) {
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let path = doc.path.clone();
        let mut stamp = self.stamp(path.as_deref());
        if !doc.stamp.is_empty() && doc.stamp != stamp {
            // A config or rule file changed since this document was last checked: start from
            // a fresh linter, and take the stamp from what it resolves (the config may now
            // name other rule folders).
            self.linter = Linter::new(self.options.clone());
            stamp = self.stamp(path.as_deref());
        }
        let mut uris: Vec<Uri> = self.docs.keys().cloned().collect();
        uris.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        let inputs: Vec<Input> = uris
            .iter()
            .filter_map(|u| self.docs.get(u))
            .map(|d| Input::bytes(&d.shown, d.path.clone(), d.text.as_bytes()))
            .collect();
        // Each document's place in the batch at its last check, to see which ones change.
        let before: Vec<Option<(String, usize)>> = uris
            .iter()
            .map(|u| self.docs.get(u).and_then(|d| d.copy.clone()))
            .collect();
        let linter = &self.linter;
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let session = Session::new(linter, inputs, None);
            let mut out = Vec::new();
            for (i, u) in uris.iter().enumerate() {
                let copy = session.copy_of(i).map(CopyOf::key);
                let changed = before.get(i).is_some_and(|b| *b != copy);
                if u == uri || changed {
                    out.push((u.clone(), session.check(i), copy));
                }
            }
            out
        }));
        // A bug must not take the editor's session down with it: report it on the document
        // and start the next check from a fresh linter (its caches may be half-built).
        let (results, crashed) = match checked {
            Ok(r) => (r, false),
            Err(_) => {
                let shown = self.docs.get(uri).map_or("", |d| d.shown.as_str());
                let e = crate::error::SourceError::whole(
                    shown,
                    "internal error while checking this document",
                )
                .with_help("please report it to tactful with the text that caused it");
                let copy = self.docs.get(uri).and_then(|d| d.copy.clone());
                (
                    vec![(uri.clone(), FileResult::failed(shown, vec![e]), copy)],
                    true,
                )
            }
        };
        if crashed {
            self.linter = Linter::new(self.options.clone());
        }
        for (u, result, copy) in results {
            let Some(doc) = self.docs.get_mut(&u) else {
                continue;
            };
            if &u == uri {
                doc.stamp = stamp.clone();
            }
            doc.copy = copy;
            // The editor lists what the cap lets through (and the summary of the rest); code
            // actions keep every finding.
            let mut shown = result.clone();
            crate::cap::apply_to(&mut shown, self.linter.max_per_rule(doc.path.as_deref()));
            let diagnostics = diagnostics(&u, &doc.text, &shown);
            let version = doc.version;
            doc.result = Some(result);
            self.publish(u, diagnostics, version);
        }
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
}
