//! `--format html`: one self-contained page for a folder of messages — inline CSS and script,
//! no network, no external assets. It shows the totals by category and severity as a chart,
//! a sortable list of files, and each file's text with its findings highlighted in place
//! (help on hover, the finding's card on click), followed by the summary line every format
//! ends with.
//!
//! Highlights keep the JSON contract's spans: every `<mark>` carries its finding's byte span
//! (`data-start`, `data-end`) and holds exactly the file's text under it. Overlapping findings
//! cannot nest, so a highlight may be split into several `<mark>`s with the same `data-f`;
//! their texts, in order, are the span's text. Each line is a block with `dir="auto"`, so
//! Hebrew lines run right to left next to English ones.
//!
//! The page is written at the end of the run: the chart and the file list come first and
//! need the totals.

use super::{Reporter, Summary};
use crate::finding::{FileResult, Finding, Severity};
use crate::text::position::LineIndex;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Findings highlighted per file; a file with more lists the rest without highlights (a page
/// with tens of thousands of overlapping marks helps nobody and slows the browser).
const MAX_MARKS: usize = 2000;

#[derive(Default)]
pub struct HtmlReporter {
    /// One row of the file list per file.
    rows: Vec<Row>,
    /// Each checked file's section (text and cards), in input order.
    sections: String,
    /// (category → [errors, warnings, notes]).
    by_category: BTreeMap<String, [usize; 3]>,
    /// Findings numbered across the run, so `data-f` is unique in the page.
    next_id: usize,
}

struct Row {
    path: String,
    anchor: String,
    counts: [usize; 3],
    lang: String,
    stage: String,
    channel: String,
    error: Option<String>,
}

fn sev_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

fn sev_class(s: Severity) -> &'static str {
    ["error", "warning", "note"][sev_index(s)]
}

/// Text for HTML content and double-quoted attributes. A carriage return is written as a
/// character reference: the HTML parser would turn a raw one into a line feed, and the
/// highlighted text must stay the file's bytes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

/// A highlight: a finding's number in the page, its span and severity.
#[derive(Debug, Clone)]
struct Mark {
    id: usize,
    start: usize,
    end: usize,
    severity: Severity,
    title: String,
}

fn open_tag(out: &mut String, m: &Mark) {
    let _ = write!(
        out,
        "<mark class=\"f {}\" data-f=\"{}\" data-start=\"{}\" data-end=\"{}\" title=\"{}\">",
        sev_class(m.severity),
        m.id,
        m.start,
        m.end,
        escape(&m.title)
    );
}

/// A line's opening tag. A blank line has no direction of its own: it takes the text's (see
/// [`direction`]), so its number sits on the same side as its neighbours'.
fn line_open(src: &str, start: usize) -> &'static str {
    let line = src[start..].split('\n').next().unwrap_or("");
    if line.trim().is_empty() {
        "<div class=\"ln\">"
    } else {
        "<div class=\"ln\" dir=\"auto\">"
    }
}

/// The direction of a text as a whole, from its first letter (as `dir="auto"` would decide
/// if every line did not set its own).
fn direction(src: &str) -> &'static str {
    let rtl = |c: char| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF);
    match src.chars().find(|c| c.is_alphabetic()) {
        Some(c) if rtl(c) => "rtl",
        _ => "ltr",
    }
}

/// The file's text, one `<div dir="auto">` per line, with the marks in place. Marks that
/// overlap without nesting, or run over a line break, are closed and reopened around the
/// point where they cross.
fn source_html(src: &str, marks: &[Mark]) -> String {
    let mut out = String::with_capacity(src.len() * 5 / 4 + marks.len() * 120);
    let mut cuts: Vec<usize> = vec![0, src.len()];
    cuts.extend(marks.iter().flat_map(|m| [m.start, m.end]));
    cuts.extend(
        src.bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < src.len()),
    );
    cuts.sort_unstable();
    cuts.dedup();
    let mut order: Vec<usize> = (0..marks.len()).collect();
    order.sort_by_key(|&i| (marks[i].start, Reverse(marks[i].end), marks[i].id));
    let mut next = 0;
    // Marks open at this point, outermost first.
    let mut open: Vec<usize> = Vec::new();
    out.push_str(line_open(src, 0));
    for (k, &p) in cuts.iter().enumerate() {
        // Close marks that end here; the ones above them reopen.
        if let Some(lowest) = open.iter().position(|&i| marks[i].end <= p) {
            for _ in lowest..open.len() {
                out.push_str("</mark>");
            }
            let survivors: Vec<usize> = open[lowest..]
                .iter()
                .copied()
                .filter(|&i| marks[i].end > p)
                .collect();
            open.truncate(lowest);
            for i in survivors {
                open_tag(&mut out, &marks[i]);
                open.push(i);
            }
        }
        if p > 0 && p < src.len() && src.as_bytes()[p - 1] == b'\n' {
            for _ in &open {
                out.push_str("</mark>");
            }
            out.push_str("</div>");
            out.push_str(line_open(src, p));
            for &i in &open {
                open_tag(&mut out, &marks[i]);
            }
        }
        while next < order.len() && marks[order[next]].start <= p {
            let i = order[next];
            next += 1;
            open_tag(&mut out, &marks[i]);
            if marks[i].end <= p {
                out.push_str("</mark>");
            } else {
                open.push(i);
            }
        }
        let q = cuts.get(k + 1).copied().unwrap_or(p);
        out.push_str(&escape(&src[p..q]));
    }
    for _ in &open {
        out.push_str("</mark>");
    }
    out.push_str("</div>");
    out
}

fn card(out: &mut String, r: &FileResult, idx: &LineIndex, id: usize, f: &Finding) {
    let (line, col) = idx.line_col(f.span.start);
    let sev = sev_class(f.severity);
    let _ = write!(
        out,
        "<li class=\"card {sev}\" id=\"d{id}\" data-f=\"{id}\"><div class=\"head\">\
         <span class=\"badge {sev}\">{sev}</span> <a class=\"rule\" href=\"{}\">{}</a> \
         <span class=\"at\">{line}:{col}</span></div><div class=\"msg\">{}</div>",
        escape(&crate::rules::catalog::rule_docs_url(&f.rule, &f.category)),
        escape(&f.rule),
        escape(&f.message),
    );
    let text = r.source.get(f.span.clone()).unwrap_or("");
    if !text.is_empty() {
        let _ = write!(
            out,
            "<blockquote dir=\"auto\">{}</blockquote>",
            escape(&preview(text))
        );
    }
    if !f.label.is_empty() && f.label != f.message {
        let _ = write!(out, "<div class=\"label\">{}</div>", escape(&f.label));
    }
    for rel in &f.related {
        let (l, c) = idx.line_col(rel.span.start);
        let _ = write!(
            out,
            "<div class=\"related\">{l}:{c} {} <q dir=\"auto\">{}</q></div>",
            escape(&rel.label),
            escape(&preview(r.source.get(rel.span.clone()).unwrap_or("")))
        );
    }
    if !f.help.is_empty() {
        let _ = write!(out, "<p class=\"help\">{}</p>", escape(f.help.trim()));
    }
    if let Some(s) = &f.suggestion {
        let _ = write!(
            out,
            "<p class=\"suggest\">{} <q dir=\"auto\">{}</q></p>",
            if s.safe {
                "Fix (applied by <code>--fix</code>):"
            } else {
                "Suggestion:"
            },
            escape(&s.replacement)
        );
    }
    out.push_str("</li>");
}

/// At most a few lines of a span, for a card.
fn preview(text: &str) -> String {
    const MAX: usize = 300;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

impl HtmlReporter {
    fn section(&mut self, r: &FileResult, anchor: &str) {
        let s = &mut self.sections;
        let _ = write!(
            s,
            "<section class=\"file\" id=\"{anchor}\" data-path=\"{}\"><h2><a href=\"#{anchor}\">{}</a></h2>",
            escape(&r.path),
            escape(&r.path)
        );
        for e in &r.errors {
            let _ = write!(s, "<p class=\"failed\">{}</p>", escape(&e.to_string()));
        }
        if r.findings.is_empty() {
            s.push_str("</section>");
            return;
        }
        let idx = LineIndex::new(&r.source);
        let first = self.next_id;
        self.next_id += r.findings.len();
        let marks: Vec<Mark> = r
            .findings
            .iter()
            .enumerate()
            .take(MAX_MARKS)
            .filter(|(_, f)| {
                f.span.start <= f.span.end
                    && r.source.is_char_boundary(f.span.start)
                    && r.source.is_char_boundary(f.span.end)
            })
            .map(|(i, f)| Mark {
                id: first + i,
                start: f.span.start,
                end: f.span.end,
                severity: f.severity,
                title: format!(
                    "{}[{}]: {}\n\n{}",
                    sev_class(f.severity),
                    f.rule,
                    f.message,
                    f.help.trim()
                ),
            })
            .collect();
        let _ = write!(
            s,
            "<div class=\"body\"><pre class=\"src\" dir=\"{}\">",
            direction(&r.source)
        );
        s.push_str(&source_html(&r.source, &marks));
        s.push_str("</pre><ol class=\"cards\">");
        for (i, f) in r.findings.iter().enumerate() {
            card(s, r, &idx, first + i, f);
        }
        s.push_str("</ol></div></section>");
    }

    fn chart(&self) -> String {
        let mut cats: Vec<(&String, &[usize; 3])> = self.by_category.iter().collect();
        cats.sort_by_key(|(name, c)| (Reverse(c.iter().sum::<usize>()), *name));
        if cats.is_empty() {
            return "<p class=\"none\">No findings.</p>".into();
        }
        let max = cats
            .iter()
            .map(|(_, c)| c.iter().sum::<usize>())
            .max()
            .unwrap_or(1)
            .max(1);
        let (label_w, bar_w, row_h) = (190.0, 420.0, 26.0);
        let height = row_h * cats.len() as f64 + 8.0;
        let mut svg = format!(
            "<svg class=\"chart\" role=\"img\" aria-label=\"Findings by category and severity\" \
             viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\">",
            w = label_w + bar_w + 60.0
        );
        for (row, (name, counts)) in cats.iter().enumerate() {
            let y = row as f64 * row_h + 4.0;
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                label_w - 10.0,
                y + 15.0,
                escape(name)
            );
            let mut x = label_w;
            for (k, n) in counts.iter().enumerate() {
                if *n == 0 {
                    continue;
                }
                let w = bar_w * *n as f64 / max as f64;
                let _ = write!(
                    svg,
                    "<rect class=\"{}\" x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" rx=\"2\">\
                     <title>{}: {n} {}</title></rect>",
                    ["error", "warning", "note"][k],
                    row_h - 8.0,
                    escape(name),
                    ["error", "warning", "note"][k],
                );
                x += w;
            }
            let _ = write!(
                svg,
                "<text class=\"n\" x=\"{:.1}\" y=\"{}\">{}</text>",
                x + 6.0,
                y + 15.0,
                counts.iter().sum::<usize>()
            );
        }
        svg.push_str("</svg>");
        svg
    }

    fn table(&self) -> String {
        let mut t = String::from(
            "<table id=\"files\"><thead><tr>\
             <th data-key=\"path\" aria-sort=\"none\">File</th>\
             <th data-key=\"errors\" data-num=\"1\" aria-sort=\"none\">Errors</th>\
             <th data-key=\"warnings\" data-num=\"1\" aria-sort=\"none\">Warnings</th>\
             <th data-key=\"notes\" data-num=\"1\" aria-sort=\"none\">Notes</th>\
             <th data-key=\"lang\" aria-sort=\"none\">Language</th>\
             <th data-key=\"stage\" aria-sort=\"none\">Stage</th>\
             <th data-key=\"channel\" aria-sort=\"none\">Channel</th></tr></thead><tbody>",
        );
        for r in &self.rows {
            let [e, w, n] = r.counts;
            let _ = write!(
                t,
                "<tr data-path=\"{p}\" data-errors=\"{e}\" data-warnings=\"{w}\" data-notes=\"{n}\" \
                 data-lang=\"{l}\" data-stage=\"{s}\" data-channel=\"{c}\"><td><a href=\"#{a}\">{p}</a>{x}</td>\
                 <td class=\"num{ze}\">{e}</td><td class=\"num{zw}\">{w}</td><td class=\"num{zn}\">{n}</td>\
                 <td>{l}</td><td>{s}</td><td>{c}</td></tr>",
                p = escape(&r.path),
                a = r.anchor,
                l = escape(&r.lang),
                s = escape(&r.stage),
                c = escape(&r.channel),
                x = r
                    .error
                    .as_ref()
                    .map(|m| format!(" <span class=\"badge error\" title=\"{}\">not checked</span>", escape(m)))
                    .unwrap_or_default(),
                ze = if e == 0 { " zero" } else { "" },
                zw = if w == 0 { " zero" } else { "" },
                zn = if n == 0 { " zero" } else { "" },
            );
        }
        t.push_str("</tbody></table>");
        t
    }

    /// The whole page.
    pub fn page(&self, summary: &Summary) -> String {
        let line = summary.line();
        let mut p = String::with_capacity(self.sections.len() + 16 * 1024);
        let _ = write!(
            p,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"generator\" content=\"tactful {v}\">\
             <title>tactful report: {line}</title><style>{CSS}</style></head>\n<body>\
             <header><h1>tactful report</h1><p class=\"summary\" id=\"summary\">{line}</p></header>\
             <main><section class=\"overview\"><div class=\"totals\">\
             <div class=\"total error\"><b>{e}</b> error{es}</div>\
             <div class=\"total warning\"><b>{w}</b> warning{ws}</div>\
             <div class=\"total note\"><b>{n}</b> note{ns}</div>\
             <div class=\"total files\"><b>{f}</b> file{fs}</div></div>\
             <h2>By category</h2>{chart}\
             <p class=\"legend\"><span class=\"key error\"></span>error \
             <span class=\"key warning\"></span>warning <span class=\"key note\"></span>note</p>\
             </section><section class=\"list\"><h2>Files</h2>{table}</section>\n",
            v = env!("CARGO_PKG_VERSION"),
            line = escape(&line),
            e = summary.errors,
            es = if summary.errors == 1 { "" } else { "s" },
            w = summary.warnings,
            ws = if summary.warnings == 1 { "" } else { "s" },
            n = summary.infos,
            ns = if summary.infos == 1 { "" } else { "s" },
            f = summary.files,
            fs = if summary.files == 1 { "" } else { "s" },
            chart = self.chart(),
            table = self.table(),
        );
        p.push_str(&self.sections);
        let _ = write!(
            p,
            "\n</main><footer><p class=\"summary\">{}</p><p>Generated by tactful {}. \
             Byte spans as in <code>--format json</code>.</p></footer><script>{JS}</script></body></html>\n",
            escape(&line),
            env!("CARGO_PKG_VERSION")
        );
        p
    }
}

impl Reporter for HtmlReporter {
    fn file(&mut self, _out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        let anchor = format!("file-{}", self.rows.len() + 1);
        let mut counts = [0usize; 3];
        for f in &r.findings {
            counts[sev_index(f.severity)] += 1;
            self.by_category.entry(f.category.to_string()).or_default()[sev_index(f.severity)] += 1;
        }
        let ctx = r
            .context
            .as_ref()
            .and_then(|c| serde_json::to_value(c).ok())
            .unwrap_or_default();
        let field = |k: &str| ctx[k].as_str().unwrap_or("").to_string();
        self.rows.push(Row {
            path: r.path.clone(),
            anchor: anchor.clone(),
            counts,
            lang: field("lang"),
            stage: field("stage"),
            channel: field("channel"),
            error: (!r.errors.is_empty()).then(|| {
                r.errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        });
        if !r.findings.is_empty() || !r.errors.is_empty() {
            self.section(r, &anchor);
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        out.write_all(self.page(summary).as_bytes())
    }
}

const CSS: &str = r#"
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;
--error:#cf222e;--error-bg:#ffebe9;--warning:#9a6700;--warning-bg:#fff8c5;--warning-bar:#d4a72c;
--note:#0969da;--note-bg:#ddf4ff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans","Liberation Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 32px 12px;border-bottom:1px solid var(--line);background:var(--soft)}
h1{margin:0;font-size:22px}h2{font-size:16px;margin:18px 0 8px}
.summary{margin:4px 0 0;font-weight:600}
main{padding:8px 32px 32px;max-width:1200px}
.overview{display:block}
.totals{display:flex;gap:12px;margin:16px 0 4px;flex-wrap:wrap}
.total{border:1px solid var(--line);border-radius:8px;padding:8px 16px;min-width:120px;color:var(--muted)}
.total b{display:block;font-size:24px;color:var(--fg)}
.total.error b{color:var(--error)}.total.warning b{color:var(--warning)}.total.note b{color:var(--note)}
.chart text{font-size:12px;fill:var(--fg)}.chart text.n{fill:var(--muted)}
.chart rect.error,.key.error{fill:var(--error);background:var(--error)}
.chart rect.warning,.key.warning{fill:var(--warning-bar);background:var(--warning-bar)}
.chart rect.note,.key.note{fill:var(--note);background:var(--note)}
.legend{color:var(--muted);font-size:12px;margin:0}.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:5px 10px;text-align:left}
th{cursor:pointer;user-select:none;background:var(--soft);white-space:nowrap}th[data-num]{text-align:right}
th[aria-sort=ascending]::after{content:" ▲";font-size:10px}th[aria-sort=descending]::after{content:" ▼";font-size:10px}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:#aab}
tr:hover td{background:var(--soft)}
a{color:var(--note);text-decoration:none}a:hover{text-decoration:underline}
section.file{margin-top:28px;border:1px solid var(--line);border-radius:8px;overflow:hidden}
section.file h2{margin:0;padding:8px 14px;background:var(--soft);border-bottom:1px solid var(--line);font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
.body{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr)}
pre.src{margin:0;padding:10px 0;counter-reset:ln;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.6 ui-monospace,"DejaVu Sans Mono",monospace;border-right:1px solid var(--line)}
.ln{counter-increment:ln;padding:0 14px 0 56px;position:relative;min-height:1.6em}
.ln::before{content:counter(ln);position:absolute;left:0;width:42px;text-align:right;color:#8c959f;direction:ltr}
.ln:dir(rtl)::before{left:auto;right:0;text-align:left}
.ln:dir(rtl){padding:0 56px 0 14px}
mark{background:transparent;color:inherit;border-radius:2px;cursor:pointer;text-decoration-line:underline;text-decoration-style:wavy;text-decoration-skip-ink:none;text-underline-offset:3px}
mark.error{background:var(--error-bg);text-decoration-color:var(--error)}
mark.warning{background:var(--warning-bg);text-decoration-color:var(--warning-bar)}
mark.note{background:var(--note-bg);text-decoration-color:var(--note)}
mark[data-start][data-end]:empty::after{content:"▾";color:var(--error)}
mark.sel{outline:2px solid var(--fg);outline-offset:1px}
ol.cards{list-style:none;margin:0;padding:8px;max-height:640px;overflow:auto}
.card{border:1px solid var(--line);border-left:4px solid var(--note);border-radius:6px;padding:8px 10px;margin:0 0 8px;font-size:13px}
.card.error{border-left-color:var(--error)}.card.warning{border-left-color:var(--warning-bar)}
.card.sel{box-shadow:0 0 0 2px var(--fg)}
.card .head{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.card .at{margin-left:auto;color:var(--muted);font-family:ui-monospace,monospace;font-size:12px}
.card .msg{font-weight:600;margin:2px 0}
.card blockquote{margin:4px 0;padding:2px 8px;border-left:3px solid var(--line);color:var(--muted);white-space:pre-wrap}
.card .help{margin:4px 0 0;color:var(--fg)}.card .label,.card .related{color:var(--muted)}
.card .suggest{margin:4px 0 0}
.badge{font-size:11px;font-weight:600;text-transform:uppercase;border-radius:10px;padding:0 7px}
.badge.error{color:var(--error);background:var(--error-bg)}.badge.warning{color:var(--warning);background:var(--warning-bg)}.badge.note{color:var(--note);background:var(--note-bg)}
.failed{margin:8px 14px;color:var(--error)}
footer{padding:12px 32px;border-top:1px solid var(--line);color:var(--muted)}footer .summary{color:var(--fg)}
@media (max-width:800px){.body{grid-template-columns:1fr}pre.src{border-right:0}}
@media print{ol.cards{max-height:none}}
"#;

const JS: &str = r#"
(function(){
  var table=document.getElementById('files');
  function sortBy(th,dir){
    var key=th.getAttribute('data-key'),num=th.hasAttribute('data-num');
    var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=a.getAttribute('data-'+key),y=b.getAttribute('data-'+key);
      var c=num?(Number(x)-Number(y)):x.localeCompare(y);
      if(c===0){c=a.getAttribute('data-path').localeCompare(b.getAttribute('data-path'));return c;}
      return dir==='ascending'?c:-c;
    });
    rows.forEach(function(r){body.appendChild(r);});
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(h){h.setAttribute('aria-sort','none');});
    th.setAttribute('aria-sort',dir);
  }
  if(table){
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th){
      th.addEventListener('click',function(){
        var now=th.getAttribute('aria-sort');
        sortBy(th,now==='descending'?'ascending':(now==='ascending'?'descending':(th.hasAttribute('data-num')?'descending':'ascending')));
      });
    });
    sortBy(table.querySelector('th[data-key=errors]'),'descending');
  }
  function select(id,scrollTo){
    document.querySelectorAll('.sel').forEach(function(e){e.classList.remove('sel');});
    var marks=document.querySelectorAll('mark[data-f="'+id+'"]');
    marks.forEach(function(m){m.classList.add('sel');});
    var card=document.getElementById('d'+id);
    if(card){card.classList.add('sel');}
    var target=scrollTo==='card'?card:marks[0];
    if(target){target.scrollIntoView({block:'nearest',behavior:'smooth'});}
  }
  document.addEventListener('click',function(ev){
    var m=ev.target.closest('mark[data-f]');
    if(m){select(m.getAttribute('data-f'),'card');return;}
    var c=ev.target.closest('li.card');
    if(c&&!ev.target.closest('a')){select(c.getAttribute('data-f'),'mark');}
  });
  document.body.setAttribute('data-ready','1');
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(id: usize, start: usize, end: usize) -> Mark {
        Mark {
            id,
            start,
            end,
            severity: Severity::Error,
            title: String::new(),
        }
    }

    /// (id, text) of each `<mark>` in order of opening, by reading the generated markup back.
    fn texts(html: &str) -> Vec<(usize, String)> {
        let mut out: BTreeMap<usize, String> = BTreeMap::new();
        let mut open: Vec<usize> = Vec::new();
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(tag) = rest.strip_prefix('<') {
                let end = tag.find('>').unwrap();
                let t = &tag[..end];
                if t.starts_with("mark") {
                    let id = t.split("data-f=\"").nth(1).unwrap();
                    let id: usize = id[..id.find('"').unwrap()].parse().unwrap();
                    out.entry(id).or_default();
                    open.push(id);
                } else if t == "/mark" {
                    open.pop();
                }
                rest = &tag[end + 1..];
            } else {
                let next = rest.find('<').unwrap_or(rest.len());
                let text = rest[..next]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#13;", "\r")
                    .replace("&amp;", "&");
                for id in &open {
                    out.get_mut(id).unwrap().push_str(&text);
                }
                rest = &rest[next..];
            }
        }
        out.into_iter().collect()
    }

    #[test]
    fn overlapping_and_multiline_marks_keep_their_text() {
        let src = "Hi Ana,\r\nbook a <quick> demo\nnext week & then\nבוא נקבע פגישה";
        let at = |s: &str| src.find(s).unwrap();
        let marks = vec![
            mark(1, at("book"), at("demo") + 4),
            mark(2, at("quick"), at("next") + 4), // crosses mark 1's end and a line break
            mark(3, at("demo"), at("demo") + 4),  // nested in both
            mark(4, at("נקבע"), src.len()),
            mark(5, 0, 0), // empty
        ];
        let html = source_html(src, &marks);
        let got = texts(&html);
        for m in &marks {
            let text = &got.iter().find(|(id, _)| *id == m.id).unwrap().1;
            assert_eq!(text, &src[m.start..m.end], "mark {}", m.id);
        }
        assert_eq!(html.matches("<div class=\"ln\"").count(), 4);
        assert_eq!(
            html.matches("<mark").count(),
            html.matches("</mark>").count()
        );
    }

    #[test]
    fn escaping_keeps_text_and_carriage_returns() {
        assert_eq!(direction("  שלום, Ana"), "rtl");
        assert_eq!(direction("12. Hi שלום"), "ltr");
        assert_eq!(
            escape("a<b>&\"c\"\r\n"),
            "a&lt;b&gt;&amp;&quot;c&quot;&#13;\n"
        );
        let html = source_html("x < y\n\n", &[]);
        assert_eq!(
            html,
            "<div class=\"ln\" dir=\"auto\">x &lt; y\n</div><div class=\"ln\">\n</div>"
        );
    }
}
