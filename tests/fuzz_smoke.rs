//! A short fuzz run that CI can afford: no nightly, no cargo-fuzz. The committed seed corpus
//! (`fuzz/corpus/<target>/`) is mutated with a seeded PRNG, so every run sees the same inputs,
//! and each input goes through the same invariants as the cargo-fuzz targets (`src/fuzz.rs`):
//! no panic; spans inside the file on character boundaries; line and column agreeing with the
//! offset; valid JSON from every JSON reporter.
//!
//! `TACTFUL_FUZZ_ITERATIONS=20000 TACTFUL_FUZZ_SEED=7 cargo test --release --test fuzz_smoke`
//! runs longer on other mutants. A failing
//! input is written to `target/fuzz-smoke-failures/` so it can be replayed or added to the corpus.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use tactful::fuzz;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus");

/// SplitMix64: tiny, good enough for picking mutations, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Fragments that reach the interesting branches of the readers and the YAML loaders faster
/// than random bytes do.
const TOKENS: &[&str] = &[
    "---\n",
    "\n---\n",
    "...\n",
    "stage: follow-up\n",
    "channel: linkedin-connect\n",
    "lang: pl\n",
    "lang: he\n",
    "allow: [early-pitch]\n",
    "consent: list\n",
    "template: true\n",
    "{{first_name}}",
    "{{ contact.firstname | default: \"there\" }}",
    "*|FNAME|*",
    "[First Name]",
    "{!Contact.FirstName}",
    "{{#if x}}",
    "{{/if}}",
    "{% if x %}",
    "{% endif %}",
    "{{!-- tactful-disable early-pitch --}}",
    "{{",
    "}}",
    "\r\n",
    "\r",
    "\u{FEFF}",
    "ż",
    "ą",
    "İ",
    "ß",
    "ה",
    "ו",
    "\u{200F}",
    "\u{0301}",
    "\u{2028}",
    "👋🏽",
    "\u{1F469}\u{200D}\u{1F4BB}",
    "\0",
    "Subject: ",
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n",
    "--b\r\n",
    "--b--\r\n",
    "Content-Transfer-Encoding: base64\r\n\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
    "=C5=BC",
    "=\r\n",
    "=?utf-8?B?xbw=?=",
    "<p>",
    "</p>",
    "<br>",
    "<a href=\"https://x\">",
    "&amp;",
    "&#x17c;",
    "&#99999999;",
    "<!--",
    "-->",
    "<script>",
    "```\n",
    "[link](https://x)",
    "\n> ",
    "Hi Ana,\n",
    "\nBest regards,\n",
    "\n-- \n",
    "book a quick demo",
    "as we discussed",
    "I've added you to our newsletter",
    "could you introduce me to your CTO?",
    "zapisałem Pana",
    "הוספתי אותך",
    "&a ",
    "*a",
    "<<: *a\n",
    "[",
    "]",
    "{",
    "}",
    "- ",
    ": ",
    "? ",
    "!!binary ",
    "|\n  ",
    ">-\n  ",
    "'",
    "\"",
    "\t",
    "\\p{L}",
    "(?:",
    ")",
    "\\b",
    "+",
    "{1000}",
    "match: ['",
    "examples:\n  bad: ['",
];

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(CORPUS).join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seed corpus {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy().into();
            (name, std::fs::read(&p).expect("read seed"))
        })
        .collect()
}

/// One to four random edits of a random seed.
fn mutate(rng: &mut Rng, seeds: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].1.clone();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if len > 0 => data[at.min(len - 1)] ^= 1 << rng.below(8),
            1 => data.insert(at, rng.next() as u8),
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, t.iter().copied());
            }
            3 => {
                let end = (at + 1 + rng.below(32)).min(len);
                data.drain(at..end);
            }
            4 => {
                let end = (at + 1 + rng.below(64)).min(len);
                let chunk = data[at..end].to_vec();
                let to = rng.below(len + 1);
                data.splice(to..to, chunk);
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())].1;
                let from = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            6 => data.truncate(at),
            7 if len > 0 => {
                const ODD: &[u8] = &[0, 0xff, 0xc3, 0xe2, 0xf0, 0x80, b'\n', b'\r', b'-', b'{'];
                data[at.min(len - 1)] = ODD[rng.below(ODD.len())];
            }
            _ => {
                // A short chunk repeated: deep nesting, long lines, many placeholders.
                let end = (at + 1 + rng.below(16)).min(len);
                let chunk = data[at..end].to_vec();
                for _ in 0..rng.below(200) {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
        }
        data.truncate(64 * 1024);
    }
    data
}

fn iterations(default: usize) -> usize {
    std::env::var("TACTFUL_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn escaped_preview(data: &[u8]) -> String {
    let s: String = data
        .iter()
        .take(300)
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect();
    if data.len() > 300 {
        format!("{s}… ({} bytes)", data.len())
    } else {
        s
    }
}

/// Runs the seeds, then `n` mutants, through `check`; fails on the first broken invariant or
/// panic, after saving the input.
fn run(target: &str, seed: u64, n: usize, check: &dyn Fn(&[u8]) -> Result<(), String>) {
    let corpus = seeds(target);
    let extra: u64 = std::env::var("TACTFUL_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut rng = Rng(seed ^ extra.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let inputs = corpus
        .iter()
        .map(|(name, data)| (name.clone(), data.clone()))
        .chain((0..n).map(|i| (format!("mutant {i}"), mutate(&mut rng, &corpus))));
    for (name, data) in inputs {
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&data)));
        let problem = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(e)) => e,
            Err(p) => {
                let what = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("panic: {what}")
            }
        };
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("..")
            .join("fuzz-smoke-failures");
        let _ = std::fs::create_dir_all(&dir);
        let saved = dir.join(format!("{target}-{}", name.replace(' ', "-")));
        let _ = std::fs::write(&saved, &data);
        panic!(
            "{target} fuzz input `{name}` broke an invariant: {problem}\nsaved to {}\ninput: {}",
            saved.display(),
            escaped_preview(&data)
        );
    }
}

#[test]
fn messages_through_every_reader_and_reporter() {
    let harness = fuzz::Harness::new();
    run("message", 1, iterations(3000), &|d| harness.message(d));
}

#[test]
fn config_files() {
    run("config", 2, iterations(5000), &fuzz::config);
}

#[test]
fn rule_files() {
    run("rules", 3, iterations(2000), &fuzz::rules);
}

#[test]
fn reporters_on_arbitrary_findings() {
    run("reporters", 4, iterations(5000), &fuzz::reporters);
}
