//! Embeds every built-in rule file (`rules/**.yaml`) into the binary, so a fresh install works
//! with no files around it, and derives the pre-filter literals of their patterns now rather
//! than at every start-up (parsing a pack's regexes costs tens of milliseconds).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/text/fold.rs"]
mod fold;
#[allow(dead_code)]
#[path = "src/rules/literals.rs"]
mod literals;

#[derive(Deserialize, Default)]
struct PackYaml {
    #[serde(default)]
    vars: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct SignalYaml {
    #[serde(default, rename = "match")]
    patterns: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

#[derive(Deserialize)]
struct RuleYaml {
    #[serde(default, rename = "match")]
    patterns: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    signals: Vec<SignalYaml>,
    /// Exceptions: their literals gate their searches on long texts.
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default, rename = "unless-message")]
    unless_message: Vec<String>,
}

#[derive(Deserialize)]
struct FileYaml {
    #[serde(default)]
    rules: Vec<RuleYaml>,
}

/// Every rule file: the definitions at the top (`rules/<category>.yaml`, not the category
/// catalogue) and each language folder's files.
fn rule_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for d in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let path = d.path();
        let yaml = path.extension().is_some_and(|x| x == "yaml" || x == "yml");
        if path.is_file() && yaml && path.file_name().is_some_and(|n| n != "categories.yaml") {
            files.push(path);
        } else if path.is_dir() {
            for e in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    files
}

/// The language folder of a file; empty for a definition file at the top of `rules/`.
fn lang_of(f: &Path) -> &str {
    if f.parent() == Some(Path::new("rules")) {
        return "";
    }
    f.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("")
}

/// Literals of every pre-filtered pattern of the built-in rules, keyed by expanded source.
/// Files that do not parse are skipped: loading them at run time reports the error.
fn literal_table(files: &[PathBuf]) -> BTreeMap<String, literals::Derived> {
    let mut vars: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for f in files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "pack.yaml"))
    {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        if let Ok(p) = serde_saphyr::from_str::<PackYaml>(&text) {
            vars.insert(lang_of(f).to_string(), p.vars);
        }
    }
    let empty = BTreeMap::new();
    let mut table = BTreeMap::new();
    for f in files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n != "pack.yaml"))
    {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let Ok(file) = serde_saphyr::from_str::<FileYaml>(&text) else {
            continue;
        };
        let v = vars.get(lang_of(f)).unwrap_or(&empty);
        let mut add = |patterns: &[String], _keywords: &[String]| {
            for p in patterns {
                let Ok(src) = literals::expand_vars(p, v) else {
                    continue;
                };
                if let Ok(d) = literals::derive(&src, fold::fold_str) {
                    table.insert(src, d);
                }
            }
        };
        for r in &file.rules {
            add(&r.patterns, &r.keywords);
            add(&r.unless, &[]);
            add(&r.unless_message, &[]);
            for s in &r.signals {
                add(&s.patterns, &s.keywords);
            }
        }
    }
    table
}

/// A rule file with each rule's `examples:` block left out: lines after the key that are blank,
/// comments, indented deeper, or items of a sequence at the key's own indentation. Examples are
/// ~40% of a language's evidence and only `tactful test`, `explain` and the docs read them, so
/// parsing them at every start-up is wasted. A key written another way (`- examples:`, flow style)
/// stays; a test checks that both texts give the same rules.
fn without_examples(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skip: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if let Some(at) = skip {
            // A comment (the next rule's, at any indent) neither ends the block nor stays:
            // an example written after one is still an example.
            let blank = body.trim().is_empty() || body.starts_with('#');
            if blank || indent > at || (indent == at && body.starts_with("- ")) {
                continue;
            }
            skip = None;
        }
        if body.starts_with("examples:") && body["examples:".len()..].trim().is_empty() {
            skip = Some(indent);
            continue;
        }
        out.push_str(line);
    }
    out
}

/// A JSON string literal.
fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A plain YAML scalar as YAML 1.2's core schema reads it: null, a boolean, a decimal number,
/// else a string. Anything unusual stays a string; if that string was meant as something else,
/// the embedded form fails to parse and the test that compares it with the YAML says so.
fn plain_scalar(s: &str, out: &mut String) {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => out.push_str("null"),
        "true" | "True" | "TRUE" => out.push_str("true"),
        "false" | "False" | "FALSE" => out.push_str("false"),
        _ => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
            let numeric = !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && (int == "0" || !int.starts_with('0'))
                && !digits.ends_with('.');
            if numeric {
                out.push_str(s);
            } else {
                json_str(s, out);
            }
        }
    }
}

/// The JSON form of a rule file, for linting: the same data without a YAML parser at run time
/// (parsing the English rules' YAML was a third of a one-message run). `None` for anything
/// this small converter does not handle (anchors, aliases, tags, several documents, complex
/// keys): the file is then read as YAML at run time, as before.
fn yaml_to_json(text: &str) -> Result<String, String> {
    use granit_parser::{Event, Parser, ScalarStyle};
    let mut out = String::with_capacity(text.len());
    // Per open collection: (is a mapping, items so far).
    let mut stack: Vec<(bool, usize)> = Vec::new();
    let mut docs = 0;
    let mut options = granit_parser::Options::default();
    options.set_emit_comments(false);
    for ev in Parser::new_from_str_with_options(text, options) {
        let (ev, _) = ev.map_err(|e| e.to_string())?;
        let starts_node = matches!(
            ev,
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..)
        );
        if starts_node {
            if let Some((map, n)) = stack.last_mut() {
                if *n > 0 {
                    out.push(if *map && *n % 2 == 1 { ':' } else { ',' });
                }
                *n += 1;
            }
        }
        match &ev {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
            Event::DocumentStart(..) => {
                docs += 1;
                if docs > 1 {
                    return Err("several documents".into());
                }
            }
            Event::Scalar(v, style, anchor, tag) => {
                if *anchor != 0 || tag.is_some() {
                    return Err(format!("an anchor or tag ({ev:?})"));
                }
                let key = stack.last().is_some_and(|(map, n)| *map && n % 2 == 1);
                if key || *style != ScalarStyle::Plain {
                    json_str(v, &mut out);
                } else {
                    plain_scalar(v, &mut out);
                }
            }
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag) => {
                if *anchor != 0 || tag.is_some() {
                    return Err(format!("an anchor or tag ({ev:?})"));
                }
                let map = matches!(ev, Event::MappingStart(..));
                // A collection as a mapping key has no JSON form.
                if stack.last().is_some_and(|(m, n)| *m && n % 2 == 1) {
                    return Err("a collection as a key".into());
                }
                out.push(if map { '{' } else { '[' });
                stack.push((map, 0));
            }
            Event::SequenceEnd => {
                stack.pop();
                out.push(']');
            }
            Event::MappingEnd => {
                stack.pop();
                out.push('}');
            }
            other => return Err(format!("{other:?}")),
        }
    }
    if out.is_empty() {
        return Err("no data".into());
    }
    Ok(out)
}

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rules/literals.rs");
    println!("cargo:rerun-if-changed=src/text/fold.rs");
    let files = rule_files(Path::new("rules"));
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");

    let mut out = String::from("pub static FILES: &[BuiltinFile] = &[\n");
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let full = Path::new(&manifest).join(f).display().to_string();
        let lang = lang_of(f);
        // A language's evidence without its examples, for linting (see `BuiltinFile::lean`).
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let lean_text = if !lang.is_empty() && name != "pack.yaml" {
            without_examples(&text)
        } else {
            text.clone()
        };
        let lean = if lean_text.len() != text.len() {
            let dir = Path::new(&out_dir).join("lean").join(lang);
            std::fs::create_dir_all(&dir).expect("create lean folder");
            let path = dir.join(name);
            std::fs::write(&path, &lean_text).expect("write lean rule file");
            path.display().to_string()
        } else {
            full.clone()
        };
        // The lean text as JSON (see `BuiltinFile::json`); empty when it has no JSON form.
        let json = yaml_to_json(&lean_text).unwrap_or_else(|e| {
            println!("cargo:warning={} stays YAML at run time: {e}", f.display());
            String::new()
        });
        let dir = Path::new(&out_dir)
            .join("json")
            .join(if lang.is_empty() { "_" } else { lang });
        std::fs::create_dir_all(&dir).expect("create json folder");
        let json_path = dir.join(name);
        std::fs::write(&json_path, json).expect("write json rule file");
        let json_path = json_path.display().to_string();
        let _ = writeln!(
            out,
            "    BuiltinFile {{ lang: {lang:?}, name: {name:?}, text: include_str!({full:?}), \
             lean: include_str!({lean:?}), json: include_str!({json_path:?}) }},"
        );
    }
    out.push_str("];\n");
    let categories = std::fs::read_to_string("rules/categories.yaml").unwrap_or_default();
    let path = Path::new(&out_dir).join("json").join("categories.json");
    std::fs::write(&path, yaml_to_json(&categories).unwrap_or_default())
        .expect("write json categories");
    let _ = writeln!(
        out,
        "/// `rules/categories.yaml` as JSON (empty if it has no JSON form).\n\
         pub const CATEGORIES_JSON: &str = include_str!({:?});",
        path.display().to_string()
    );
    std::fs::write(Path::new(&out_dir).join("builtin_rules.rs"), out)
        .expect("write generated file");

    // Offsets into one string rather than a table of `&str`s: a table of pointers costs the
    // loader a relocation per string at every start (tens of thousands here).
    let mut blob = String::new();
    let mut entries = String::new();
    let mut lits = String::new();
    let mut n_lits = 0usize;
    let mut sets = String::new();
    let mut n_sets = 0usize;
    let put = |s: &str, blob: &mut String| {
        let at = blob.len();
        blob.push_str(s);
        format!("({at}, {})", s.len())
    };
    let table = literal_table(&files);
    for (src, d) in &table {
        let src_at = put(src, &mut blob);
        let _ = writeln!(
            entries,
            "    ({src_at}, ({n_lits}, {}), ({n_sets}, {})),",
            d.literals.len(),
            d.required.len()
        );
        n_sets += d.required.len();
        for (i, l) in std::iter::once(&d.literals).chain(&d.required).enumerate() {
            if i > 0 {
                let _ = writeln!(sets, "    ({n_lits}, {}),", l.len());
            }
            for lit in l {
                let lit_at = put(lit, &mut blob);
                let _ = writeln!(lits, "    {lit_at},");
                n_lits += 1;
            }
        }
    }
    let out = format!(
        "/// Every source and literal, one after another.\n\
         pub static BLOB: &str = {blob:?};\n\
         /// Per pattern, sorted by source: (source start, length), (first literal, literal\n\
         /// count), (first required set, set count).\n\
         #[allow(clippy::type_complexity)]\n\
         pub static ENTRIES: [((u32, u32), (u32, u32), (u32, u32)); {}] = [\n{entries}];\n\
         /// (start, length) of each literal in BLOB.\n\
         pub static LITS: [(u32, u32); {n_lits}] = [\n{lits}];\n\
         /// Each required set: (first literal, literal count).\n\
         pub static SETS: [(u32, u32); {n_sets}] = [\n{sets}];\n",
        table.len()
    );
    std::fs::write(Path::new(&out_dir).join("builtin_literals.rs"), out)
        .expect("write generated file");
}
