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
fn literal_table(files: &[PathBuf]) -> BTreeMap<String, Vec<String>> {
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
                if let Ok(lits) = literals::derive_literals(&src, fold::fold_str) {
                    table.insert(src, lits);
                }
            }
        };
        for r in &file.rules {
            add(&r.patterns, &r.keywords);
            for s in &r.signals {
                add(&s.patterns, &s.keywords);
            }
        }
    }
    table
}

/// A rule file with each rule's `examples:` block left out: lines after the key that are blank,
/// indented deeper, or items of a sequence at the key's own indentation. Examples are ~40% of
/// a language's evidence and only `tactful test`, `explain` and the docs read them, so parsing
/// them at every start-up is wasted. A key written another way (`- examples:`, flow style)
/// stays; a test checks that both texts give the same rules.
fn without_examples(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skip: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if let Some(at) = skip {
            let blank = body.trim().is_empty();
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
        let lean = if !lang.is_empty() && name != "pack.yaml" {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let dir = Path::new(&out_dir).join("lean").join(lang);
            std::fs::create_dir_all(&dir).expect("create lean folder");
            let path = dir.join(name);
            std::fs::write(&path, without_examples(&text)).expect("write lean rule file");
            path.display().to_string()
        } else {
            full.clone()
        };
        let _ = writeln!(
            out,
            "    BuiltinFile {{ lang: {lang:?}, name: {name:?}, text: include_str!({full:?}), \
             lean: include_str!({lean:?}) }},"
        );
    }
    out.push_str("];\n");
    std::fs::write(Path::new(&out_dir).join("builtin_rules.rs"), out)
        .expect("write generated file");

    // Offsets into one string rather than a table of `&str`s: a table of pointers costs the
    // loader a relocation per string at every start (tens of thousands here).
    let mut blob = String::new();
    let mut entries = String::new();
    let mut lits = String::new();
    let mut n_lits = 0usize;
    let put = |s: &str, blob: &mut String| {
        let at = blob.len();
        blob.push_str(s);
        format!("({at}, {})", s.len())
    };
    let table = literal_table(&files);
    for (src, l) in &table {
        let src_at = put(src, &mut blob);
        let _ = writeln!(entries, "    ({src_at}, {n_lits}, {}),", l.len());
        for lit in l {
            let lit_at = put(lit, &mut blob);
            let _ = writeln!(lits, "    {lit_at},");
            n_lits += 1;
        }
    }
    let out = format!(
        "/// Every source and literal, one after another.\n\
         pub static BLOB: &str = {blob:?};\n\
         /// Per pattern, sorted by source: (source start, length), first literal, literal count.\n\
         pub static ENTRIES: [((u32, u32), u32, u32); {}] = [\n{entries}];\n\
         /// (start, length) of each literal in BLOB.\n\
         pub static LITS: [(u32, u32); {n_lits}] = [\n{lits}];\n",
        table.len()
    );
    std::fs::write(Path::new(&out_dir).join("builtin_literals.rs"), out)
        .expect("write generated file");
}
