//! `--format html` rendered by a real browser: headless Chromium loads the page (scripts run),
//! dumps the DOM and takes a screenshot. The highlighted spans in the DOM — their
//! `data-start`/`data-end` and the text inside them — must equal the spans of
//! `--format json` for a folder with English, Hebrew and an `.eml` (quoted-printable, CRLF).
//!
//! Skips with a message when no Chromium is installed (`apt-get install chromium`; set
//! `TACTFUL_CHROMIUM` to use another binary). CI installs it (`.ci/run`).

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn tactful(args: &[&str], dir: &Path) -> Output {
    common::tactful(args, dir, None)
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TACTFUL_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
    .find(|p| p.is_file())
}

/// Runs headless Chromium on `page` with `extra` arguments; its standard output.
fn browse(chrome: &Path, profile: &Path, page: &Path, extra: &[&str]) -> Vec<u8> {
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        buf
    });
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    reader.join().expect("reader")
}

/// A message in each script and container the report must show: English, Hebrew (right to
/// left), and a quoted-printable mail with CRLF line ends whose finding crosses a soft break.
fn write_drafts(dir: &Path) {
    std::fs::write(
        dir.join("en-intro.txt"),
        "Subject: Quick question about your routing project\n\nHi Priya,\n\n\
         I'm Sam, I run growth at Fleetwise. Our platform helps logistics teams like yours cut \
         empty miles by a third.\n\nCould we book a quick demo on Thursday? You can also grab a \
         slot on my calendar: https://calendly.com/sam-fleetwise/20min\n\nThanks,\nSam\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("he-first-note.txt"),
        "שלום רונית,\n\nראיתי את ההרצאה שלך על תכנון מחסנים וממש נהניתי. נשמח להראות לך דמו של \
         הכלי שלנו ביום שלישי, והחבילה הבסיסית עולה רק 49 ש\"ח לחודש.\n\nבברכה,\nעמית\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("follow-up.eml"),
        "From: Lena Ortiz <lena@example.org>\r\nTo: Marco Bell <marco@example.net>\r\n\
         Subject: Your talk at the ops meetup\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
         Hi Marco,\r\n\r\nThanks for the talk on cold-chain audits last week. I=E2=80=99ve added y=\r\n\
         ou to our monthly newsletter so you won=E2=80=99t miss our product news.\r\n\r\nBest,\r\nLena\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("clean-thanks.txt"),
        "Hi Jordan,\n\nThank you for the notes on my draft; the point about supplier lead times \
         changed how I framed the second section.\n\nBest,\nAlex\n",
    )
    .unwrap();
}

/// Decodes the few references an HTML serializer writes.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Where a tag ends: the first `>` outside a quoted attribute value.
fn tag_end(tag: &str) -> usize {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            _ => {}
        }
    }
    panic!("unterminated tag");
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')? + at;
    Some(unescape(&tag[at..end]))
}

/// Every highlight in the serialized DOM: (file path, finding number) → (data-start,
/// data-end, the text of all its `<mark>` pieces in document order).
type Highlights = BTreeMap<(String, String), (usize, usize, String)>;

fn highlights(dom: &str) -> Highlights {
    let mut out = Highlights::new();
    let mut path = String::new();
    // Open elements: Some(finding) for a highlight piece.
    let mut open: Vec<(String, Option<String>)> = Vec::new();
    let mut rest = dom;
    while !rest.is_empty() {
        if let Some(tag) = rest.strip_prefix('<') {
            let end = tag_end(tag);
            let t = &tag[..end];
            rest = &tag[end + 1..];
            if let Some(name) = t.strip_prefix('/') {
                if let Some(i) = open.iter().rposition(|(n, _)| n == name) {
                    open.truncate(i);
                }
                continue;
            }
            let name: String = t.chars().take_while(|c| c.is_alphanumeric()).collect();
            if name == "section" {
                if let Some(p) = attr(t, "data-path") {
                    path = p;
                }
            }
            let void = matches!(
                name.as_str(),
                "meta" | "br" | "img" | "input" | "link" | "hr"
            );
            if void || name.is_empty() {
                continue;
            }
            let finding = (name == "mark").then(|| attr(t, "data-f")).flatten();
            if let Some(f) = &finding {
                let start = attr(t, "data-start").expect("data-start").parse().unwrap();
                let end = attr(t, "data-end").expect("data-end").parse().unwrap();
                let entry =
                    out.entry((path.clone(), f.clone()))
                        .or_insert((start, end, String::new()));
                assert_eq!((entry.0, entry.1), (start, end), "pieces of {f} agree");
            }
            open.push((name, finding));
        } else {
            let next = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..next]);
            rest = &rest[next..];
            if open.iter().any(|(n, _)| n == "script" || n == "style") {
                continue;
            }
            // Nested pieces: the text belongs to every open highlight.
            let ids: Vec<String> = open.iter().filter_map(|(_, f)| f.clone()).collect();
            for f in ids {
                if let Some(e) = out.get_mut(&(path.clone(), f)) {
                    e.2.push_str(&text);
                }
            }
        }
    }
    out
}

#[test]
fn the_html_report_renders_with_the_json_spans_highlighted() {
    let Some(chrome) = chromium() else {
        eprintln!(
            "SKIPPED the_html_report_renders_with_the_json_spans_highlighted: no chromium on \
             PATH (apt-get install chromium, or set TACTFUL_CHROMIUM)"
        );
        return;
    };
    let drafts = tempfile::tempdir().expect("temp dir");
    write_drafts(drafts.path());
    let work = tempfile::tempdir().expect("temp dir");

    let json = tactful(
        &["check", "--no-config", "--format", "json", "."],
        drafts.path(),
    );
    assert_eq!(json.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    let html = tactful(
        &["check", "--no-config", "--format", "html", "."],
        drafts.path(),
    );
    assert_eq!(
        html.status.code(),
        Some(1),
        "same exit status as the other formats"
    );
    let page = work.path().join("report.html");
    std::fs::write(&page, &html.stdout).unwrap();

    // Self-contained: no stylesheet, script, image or font is fetched.
    let text = String::from_utf8(html.stdout.clone()).expect("UTF-8 page");
    for needle in [" src=", "<link", "@import", "url(", "@font-face"] {
        assert!(
            !text.contains(needle),
            "the page loads an external asset: {needle}"
        );
    }

    let dom = browse(
        &chrome,
        &work.path().join("profile"),
        &page,
        &["--dump-dom"],
    );
    let dom = String::from_utf8(dom).expect("DOM is UTF-8");
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script ran: {}",
        &dom[..dom.len().min(300)]
    );

    // The highlights are exactly the JSON spans, with the file's text under each.
    let mut want: Vec<(String, usize, usize, String)> = Vec::new();
    for f in doc["files"].as_array().expect("files") {
        let path = f["path"].as_str().unwrap().to_string();
        for d in f["diagnostics"].as_array().expect("diagnostics") {
            want.push((
                path.clone(),
                d["span"]["start"].as_u64().unwrap() as usize,
                d["span"]["end"].as_u64().unwrap() as usize,
                d["text"].as_str().unwrap().to_string(),
            ));
        }
    }
    let mut got: Vec<(String, usize, usize, String)> = highlights(&dom)
        .into_iter()
        .map(|((path, _), (s, e, t))| (path, s, e, t))
        .collect();
    want.sort();
    got.sort();
    assert!(want.len() >= 8, "the drafts give findings: {want:?}");
    for lang in ["en-intro.txt", "he-first-note.txt", "follow-up.eml"] {
        assert!(
            want.iter().any(|w| w.0.ends_with(lang)),
            "a finding in {lang}"
        );
    }
    assert!(
        want.iter().any(|w| w.3.contains("=\r\n")),
        "a span crosses the mail's soft line break"
    );
    assert_eq!(got, want);

    // The same summary line as the other formats, and the file list sorted by the script.
    let human = tactful(
        &["check", "--no-config", "--color", "never", "."],
        drafts.path(),
    );
    let human = String::from_utf8_lossy(&human.stdout);
    let summary = human.trim_end().lines().last().unwrap_or("").to_string();
    assert!(
        dom.contains(&format!("id=\"summary\">{summary}</p>")),
        "summary line `{summary}`"
    );
    let rows: Vec<usize> = dom
        .split("<tr data-path=")
        .skip(1)
        .map(|r| {
            attr(&format!(" x={r}"), "data-errors")
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.windows(2).all(|w| w[0] >= w[1]),
        "sorted by errors: {rows:?}"
    );
    // Hebrew lines take their direction from their text.
    assert!(dom.contains("<div class=\"ln\" dir=\"auto\">שלום רונית,"));

    // A screenshot: a PNG of the requested width.
    let shot = work.path().join("report.png");
    browse(
        &chrome,
        &work.path().join("profile"),
        &page,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    assert_eq!(width, 1280);
    assert!(png.len() > 20_000, "the screenshot shows a page");
}
