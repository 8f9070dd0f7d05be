//! Embeds every built-in rule file (`rules/**.yaml`) into the binary, so a fresh install works
//! with no files around it. The files stay YAML; they are parsed lazily per language at run time.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let root = Path::new("rules");
    let mut files = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(root) {
        for d in dirs.flatten() {
            let path = d.path();
            if path.is_dir() {
                if let Ok(entries) = std::fs::read_dir(&path) {
                    for e in entries.flatten() {
                        let p = e.path();
                        if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                            files.push(p);
                        }
                    }
                }
            }
        }
    }
    files.sort();
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut out = String::from("pub static FILES: &[BuiltinFile] = &[\n");
    for f in &files {
        let lang = f
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let _ = writeln!(
            out,
            "    BuiltinFile {{ lang: {lang:?}, name: {name:?}, text: include_str!({:?}) }},",
            Path::new(&manifest).join(f).display().to_string()
        );
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("write generated file");
}
