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
        let _ = writeln!(
            out,
            "    BuiltinFile {{ lang: {:?}, name: {name:?}, text: include_str!({:?}) }},",
            lang_of(f),
            Path::new(&manifest).join(f).display().to_string()
        );
    }
    out.push_str("];\n");
    std::fs::write(Path::new(&out_dir).join("builtin_rules.rs"), out)
        .expect("write generated file");

    let mut lits = String::from("pub static LITERALS: &[(&str, &[&str])] = &[\n");
    for (src, l) in literal_table(&files) {
        let _ = writeln!(lits, "    ({src:?}, &{l:?}),");
    }
    lits.push_str("];\n");
    std::fs::write(Path::new(&out_dir).join("builtin_literals.rs"), lits)
        .expect("write generated file");
}
