//! `tactful lsp` driven through the real protocol, as an editor drives it: framed JSON-RPC on
//! the binary's standard input and output.

mod common;

use common::TEST_RULES;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn start(args: &[&str], dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tactful"))
            .arg("lsp")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn tactful lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming: rx,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let resp = self.wait(|m| m["id"] == id && m.get("method").is_none());
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    /// The next message that satisfies `pred` (others are dropped).
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self
                .incoming
                .recv_timeout(Duration::from_secs(20))
                .expect("server answered in time");
            if pred(&m) {
                return m;
            }
        }
    }

    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn initialize(&mut self, root: &Path, watch: bool) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri_of(root),
                "capabilities": {
                    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": watch}},
                    "textDocument": {"publishDiagnostics": {"relatedInformation": true, "codeDescriptionSupport": true}},
                },
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.is_null());
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("server exits");
        assert_eq!(status.code(), Some(0), "exit after shutdown is status 0");
    }
}

fn uri_of(p: &Path) -> String {
    let s = p.to_str().expect("utf-8 temp path");
    format!("file://{}", s.replace(' ', "%20"))
}

/// UTF-16 length of a string: what LSP's `character` counts.
fn utf16(s: &str) -> u64 {
    s.encode_utf16().count() as u64
}

fn by_code<'a>(diags: &'a [Value], code: &str) -> Option<&'a Value> {
    diags.iter().find(|d| d["code"] == code)
}

#[test]
fn diagnostics_code_actions_and_shutdown_through_the_protocol() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(&["--rules", TEST_RULES, "--no-config"], dir.path());
    let init = c.initialize(dir.path(), false);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 1);
    assert_eq!(init["serverInfo"]["name"], "tactful");

    // Emoji (two UTF-16 units each) and Hebrew (one unit a letter, two bytes) before the hit.
    let prefix = "Hi 👋 שלום 🙂, can I book a ";
    let text = format!("---\nlang: en\n---\n{prefix}zebra demo?\n");
    let uri = uri_of(&dir.path().join("draft.txt"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(&uri);
    let d = by_code(&diags, "early-pitch/zz-zebra-demo")
        .expect("zebra demo diagnostic")
        .clone();
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "tactful");
    assert_eq!(
        d["range"]["start"],
        json!({"line": 3, "character": utf16(prefix)})
    );
    assert_eq!(
        d["range"]["end"],
        json!({"line": 3, "character": utf16(prefix) + utf16("zebra demo")})
    );
    assert_ne!(
        utf16(prefix),
        prefix.len() as u64,
        "the test text is not ASCII"
    );
    assert_ne!(
        utf16(prefix),
        prefix.chars().count() as u64,
        "the test text has astral characters"
    );
    // A user's rule in a built-in category links that category's generated page.
    let href = d["codeDescription"]["href"].as_str().unwrap_or("");
    let page = href
        .strip_prefix(&format!("{}/blob/main/", env!("CARGO_PKG_REPOSITORY")))
        .unwrap_or_else(|| panic!("{href} is not in the repository"));
    assert_eq!(page, "docs/rules/early-pitch/README.md", "{d}");
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(page).is_file());
    assert!(d["message"]
        .as_str()
        .unwrap_or("")
        .starts_with("asks for a zebra demo"));

    // The quick fix replaces exactly the diagnostic's range.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let actions = actions.as_array().cloned().unwrap_or_default();
    let quick = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("a quick fix");
    let edit = &quick["edit"]["changes"][&uri][0];
    assert_eq!(edit["range"], d["range"]);
    assert_eq!(
        edit["newText"], "would a zebra chat help?",
        "mid-sentence: lower case"
    );
    assert_eq!(quick["isPreferred"], true, "the test rule's fix is safe");
    assert!(actions.iter().any(|a| a["kind"] == "source.fixAll.tactful"));
    // Asked only for "fix all" (as editors do on save), only that comes back.
    let fix_all = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let fix_all = fix_all.as_array().cloned().unwrap_or_default();
    assert_eq!(fix_all.len(), 1, "{fix_all:?}");
    assert_eq!(fix_all[0]["edit"]["changes"][&uri][0]["range"], d["range"]);

    // A change re-checks: the problem is gone, and a new one (a related label) appears.
    let text2 = "---\nlang: en\n---\nשלום 🙂 fancy a zebra call?\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text2}]}),
    );
    let diags = c.diagnostics(&uri);
    assert!(
        by_code(&diags, "early-pitch/zz-zebra-demo").is_none(),
        "{diags:?}"
    );
    let call = by_code(&diags, "early-pitch/zz-zebra-call").expect("zebra call");
    assert_eq!(call["severity"], 2);
    assert_eq!(
        call["range"]["start"]["character"],
        utf16("שלום 🙂 fancy a ")
    );

    // Save re-checks too; close clears.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(by_code(&c.diagnostics(&uri), "early-pitch/zz-zebra-call").is_some());
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(c.diagnostics(&uri).is_empty());

    // Unknown requests get an error, not silence.
    c.send(json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": {}}));
    let err = c.wait(|m| m["id"] == 99);
    assert_eq!(err["error"]["code"], -32601);
    c.shutdown();
}

#[test]
fn related_labels_become_related_information() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules/en");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(
        rules.join("early-pitch.yaml"),
        "category: early-pitch\nrules:\n  - id: early-pitch/zz-zebra-price\n    severity: error\n    message: zebra pitch with a price\n    help: h\n    scope: paragraph\n    signals:\n      - label: zebra product here\n        match: ['zebra platform']\n      - label: price here\n        match: ['\\$\\d+']\n",
    )
    .expect("write rule");
    let mut c = Client::start(
        &["--rules", rules.to_str().expect("utf-8"), "--no-config"],
        dir.path(),
    );
    c.initialize(dir.path(), false);
    let uri = uri_of(&dir.path().join("m.txt"));
    let text = "---\nlang: en\n---\nOur zebra platform 🦓 costs $40.\n";
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}));
    let diags = c.diagnostics(&uri);
    let d = by_code(&diags, "early-pitch/zz-zebra-price").expect("signal rule fired");
    let rel = &d["relatedInformation"][0];
    assert_eq!(rel["message"], "price here");
    assert_eq!(rel["location"]["uri"], uri);
    assert_eq!(
        rel["location"]["range"]["start"],
        json!({"line": 3, "character": utf16("Our zebra platform 🦓 costs ")})
    );
    c.shutdown();
}

/// Two categories on the same words of one sentence: the editor gets one diagnostic, and the
/// folded finding is a related entry that names its rule, on its own words (issue 9).
#[test]
fn a_folded_finding_of_another_category_is_related_information() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(&["--no-config"], dir.path());
    c.initialize(dir.path(), false);
    let uri = uri_of(&dir.path().join("note.txt"));
    let text = "---\nlang: en\nstage: first-contact\n---\nHi Maya,\n\nSince we are connected here, I wanted to tell \
                you about our new invoicing app.\n\nBest,\nTom\n";
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}));
    let diags = c.diagnostics(&uri);
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(
        codes.len(),
        1,
        "one diagnostic for the sentence: {diags:#?}"
    );
    assert!(codes[0].starts_with("assumed-closeness/"), "{codes:?}");
    let rel = diags[0]["relatedInformation"]
        .as_array()
        .expect("related information")
        .iter()
        .find(|r| {
            r["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("also early-pitch/"))
        })
        .unwrap_or_else(|| panic!("the early pitch is listed: {diags:#?}"));
    assert_eq!(rel["location"]["uri"], uri);
    let line = rel["location"]["range"]["start"]["line"].as_u64();
    assert_eq!(line, Some(6), "on the sentence's line: {rel}");
    c.shutdown();
}

#[test]
fn config_and_rule_changes_are_picked_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("myrules/en")).expect("mkdir");
    std::fs::write(
        root.join(".tactful.yaml"),
        "context: {lang: en}\nrules: [myrules]\n",
    )
    .expect("config");
    let rule = |phrase: &str| {
        format!("category: early-pitch\nrules:\n  - id: early-pitch/zz-custom\n    severity: warning\n    message: custom phrase\n    help: h\n    match: ['{phrase}']\n")
    };
    let rule_file = root.join("myrules/en/early-pitch.yaml");
    std::fs::write(&rule_file, rule("okapi")).expect("rule");
    let mut c = Client::start(&[], root);
    c.initialize(root, true);
    // The server asks to watch config and rule files when the client can do it.
    let reg = c.wait(|m| m["method"] == "client/registerCapability");
    assert_eq!(
        reg["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    c.send(json!({"jsonrpc": "2.0", "id": reg["id"], "result": null}));

    let uri = uri_of(&root.join("draft.txt"));
    let text = "Hi Ana, an okapi and a narwhal walk into a bar.\n";
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}));
    let diags = c.diagnostics(&uri);
    assert_eq!(
        by_code(&diags, "early-pitch/zz-custom").expect("custom rule")["range"]["start"]
            ["character"],
        11
    );

    // The rule file changes on disk; the client reports it.
    std::fs::write(&rule_file, rule("narwhal")).expect("rule");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&rule_file), "type": 2}]}),
    );
    let diags = c.diagnostics(&uri);
    assert_eq!(
        by_code(&diags, "early-pitch/zz-custom").expect("reloaded rule")["range"]["start"]
            ["character"],
        23
    );

    // Without any notification, the next check still sees a changed config.
    std::fs::write(
        root.join(".tactful.yaml"),
        "context: {lang: en}\nrules: [myrules]\nseverity: {early-pitch/zz-custom: error}\n",
    )
    .expect("config");
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    let diags = c.diagnostics(&uri);
    assert_eq!(
        by_code(&diags, "early-pitch/zz-custom").expect("still there")["severity"],
        1
    );

    // A broken config is shown on the document, not swallowed.
    std::fs::write(root.join(".tactful.yaml"), "contxt: {}\n").expect("config");
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    let diags = c.diagnostics(&uri);
    let bad = by_code(&diags, "tactful/input").expect("config error");
    assert!(
        bad["message"].as_str().unwrap_or("").contains("contxt"),
        "{bad}"
    );
    c.shutdown();
}

/// Open documents are one run: two near-identical drafts are both reported as a blast, the
/// way `tactful check` reports two such files, and closing one clears the other.
#[test]
fn near_identical_open_documents_are_reported_as_a_blast() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(&["--no-config"], dir.path());
    c.initialize(dir.path(), false);
    let body = "I noticed the shipping team at {co} has grown a lot this year. Our scheduling \
                service lets operations leads plan every route in minutes, and I would be glad \
                to walk you through it on a short call some afternoon next week.";
    let open = |c: &mut Client, name: &str, who: &str, co: &str| {
        let uri = uri_of(&dir.path().join(name));
        let text = format!("Hi {who},\n\n{}\n\nBest,\nSam\n", body.replace("{co}", co));
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}),
        );
        uri
    };
    let blast = "mass-message/duplicate-blast";
    let a = open(&mut c, "a.txt", "Ana", "Acme");
    assert!(
        by_code(&c.diagnostics(&a), blast).is_none(),
        "one draft alone"
    );
    let b = open(&mut c, "b.txt", "Ben", "Globex");
    // Opening the second re-publishes the first, now that it has a copy.
    let (mut seen_a, mut seen_b) = (None, None);
    while seen_a.is_none() || seen_b.is_none() {
        let m = c.wait(|m| m["method"] == "textDocument/publishDiagnostics");
        let diags = m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let found = by_code(&diags, blast).cloned();
        if m["params"]["uri"] == a.as_str() {
            seen_a = Some(found);
        } else if m["params"]["uri"] == b.as_str() {
            seen_b = Some(found);
        }
    }
    let (da, db) = (seen_a.flatten(), seen_b.flatten());
    let da = da.expect("the first draft is reported as a copy");
    let db = db.expect("the second draft is reported as a copy");
    let (ma, mb) = (
        da["message"].as_str().unwrap_or(""),
        db["message"].as_str().unwrap_or(""),
    );
    assert!(
        ma.contains("1 other draft") && ma.contains("first copy"),
        "{da}"
    );
    assert!(mb.contains("same text as") && mb.contains("a.txt"), "{db}");
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": b}}));
    loop {
        let m = c.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == a.as_str()
        });
        let diags = m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if by_code(&diags, blast).is_none() {
            break;
        }
    }
    c.shutdown();
}

#[test]
fn the_editor_gets_the_first_findings_of_a_rule_and_a_count_of_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(&["--no-config", "--max-per-rule", "2"], dir.path());
    c.initialize(dir.path(), false);
    let asks = "Can I book a quick demo for your team? ".repeat(7);
    let text = format!("---\nlang: en\n---\nHi Ana,\n\n{asks}\n\nBest,\nSam\n");
    let uri = uri_of(&dir.path().join("draft.txt"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(&uri);
    let demo: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "early-pitch/demo-request")
        .collect();
    assert_eq!(demo.len(), 2, "{diags:#?}");
    let capped: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "tactful/capped")
        .collect();
    assert_eq!(capped.len(), 1, "{diags:#?}");
    let message = capped[0]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("5 more findings of early-pitch/demo-request in this file"),
        "{message}"
    );
    c.shutdown();
}
