//! Imports run one way: from the command line down to text utilities. Each top-level module of
//! `src/` sits in one layer, and a module may use its own layer and the ones below, never one
//! above. `docs/architecture.md` explains the layers; this test keeps them true.
//!
//! It reads every `crate::<module>` path in `src/` (in `use` lines and inline), outside
//! comments and outside the `#[cfg(test)]` part of a file: a unit test may drive a module
//! through the layers above it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. A new top-level module must be added here.
const LAYERS: &[(&str, &[&str])] = &[
    ("text", &["text", "error", "yaml"]),
    (
        "message",
        &["message", "context", "lang", "finding", "internal", "cap"],
    ),
    ("input", &["input"]),
    ("rules", &["rules", "config", "learned"]),
    ("engine", &["engine", "suppress", "batch"]),
    ("lint", &["lint", "examples", "fix"]),
    ("report/lsp", &["report", "lsp"]),
    ("cli", &["cli", "fuzz"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`src/lsp/server.rs` → `lsp`); None for the roots.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The modules a file's non-test code names as `crate::<module>`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        let mut rest = t;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some(own) = layer_of(&module) else {
            problems.push(format!(
                "{}: module `{module}` is in no layer; add it to LAYERS in tests/layers.rs",
                file.display()
            ));
            continue;
        };
        // A `tests.rs` beside a module is its `#[cfg(test)] mod tests;`: test code, like the
        // code after `#[cfg(test)]` inside a file, may reach any layer.
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("read source");
        for used in imports(&text) {
            match layer_of(&used) {
                Some(l) if l > own => problems.push(format!(
                    "{}: `{module}` ({} layer) imports `crate::{used}` from the {} layer above it",
                    file.strip_prefix(&src).unwrap_or(file).display(),
                    LAYERS[own].0,
                    LAYERS[l].0
                )),
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scanner_sees_inline_paths_and_skips_comments_and_tests() {
    let text = "use crate::text::fold;\n\
                // crate::cli is only mentioned\n\
                fn f() { crate::report::sarif::x(); let _ = crate::finding::Severity::Info; }\n\
                #[cfg(test)]\n\
                mod tests { use crate::lint::Linter; }\n";
    let got: Vec<String> = imports(text).into_iter().collect();
    assert_eq!(got, ["finding", "report", "text"]);
}

#[test]
fn the_layers_are_in_the_order_the_issue_names() {
    // The layers are ordered as the issue names them.
    let order: Vec<usize> = [
        "text", "message", "input", "rules", "engine", "lint", "lsp", "cli",
    ]
    .iter()
    .map(|m| layer_of(m).expect("listed"))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(layer_of("report"), layer_of("lsp"));
    assert_eq!(layer_of("nonexistent"), None);
}

/// No file under `src/` grows past 700 lines: a bigger one is doing more than one job, and is
/// split into a folder of files that each do one (as `input/template/` and `lsp/` are).
#[test]
fn no_source_file_is_over_700_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let big: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            let n = text.lines().count();
            (n > 700).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(big.is_empty(), "split these: {big:?}");
}
