//! The learned sentence layer: Rust scores pinned to the training script's, and the layer's
//! behaviour through the real binary (context gates, `--no-learned`, thresholds from the config,
//! pattern findings taking precedence, `confidence` in JSON and SARIF).

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::Output;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/model/out/golden.json");

#[test]
fn rust_scores_match_the_training_script() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).expect("golden.json"))
        .expect("golden JSON");
    let cats: Vec<&str> = doc["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| c.as_str().expect("category"))
        .collect();
    assert_eq!(cats, tactful::learned::CATEGORIES);
    let sentences = doc["sentences"].as_array().expect("sentences");
    assert!(sentences.len() >= 10);
    for s in sentences {
        let text = s["text"].as_str().expect("text");
        assert_eq!(
            tactful::learned::piece_count(text),
            s["pieces"].as_u64().expect("pieces") as usize,
            "tokenisation of {text:?}"
        );
        let got = tactful::learned::score(text);
        for (i, cat) in cats.iter().enumerate() {
            let close = |what: &str, rust: f32, tol: f64| {
                let py = s[what][i].as_f64().expect("number");
                assert!(
                    (f64::from(rust) - py).abs() <= tol,
                    "{what} of {cat} for {text:?}: Rust {rust}, Python {py}"
                );
            };
            close("embed_logit", got.embed_logit[i], 2e-3);
            close("ngram_logit", got.ngram_logit[i], 2e-3);
            close("prob", got.prob[i], 5e-4);
        }
    }
}

fn tactful(dir: &Path, args: &[&str]) -> Output {
    common::tactful(args, dir, None)
}

/// Writes `body` as a short email and checks it as JSON; returns the exit code and the file's
/// diagnostics.
fn check_json(dir: &Path, body: &str, args: &[&str]) -> (Option<i32>, Vec<Value>) {
    std::fs::write(
        dir.join("draft.txt"),
        format!("Hi Sara,\n\n{body}\n\nBest,\nJon\n"),
    )
    .expect("write draft");
    let mut all = vec!["check", "--format", "json", "--lang", "en"];
    all.extend_from_slice(args);
    all.push("draft.txt");
    let out = tactful(dir, &all);
    (out.status.code(), common::first_file_diagnostics(&out))
}

fn rules(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The message score of a draft whose only sentence the layer reads is `sentence`: its score,
/// averaged with a 0 for each sentence short of the `k` the category reads (early-pitch reads
/// two, an offer and an ask).
fn alone(category: &str, sentence: &str) -> f32 {
    let p = tactful::learned::score(sentence)
        .of(category)
        .expect("a learned category");
    let k = tactful::learned::category_index(category).map_or(1, tactful::learned::top_k);
    p / k.max(1) as f32
}

/// A config that sets the learned threshold of `category` just under the score of a draft
/// whose only sentence is this one, so the tests do not depend on where training put the
/// default threshold.
fn config_just_under(dir: &Path, category: &str, sentence: &str) {
    let p = alone(category, sentence);
    assert!(p > 0.1, "premise: {sentence:?} scores {p} for {category}");
    std::fs::write(
        dir.join(".tactful.yaml"),
        format!(
            "options:\n  {category}/learned: {{threshold: {:.3}}}\n",
            p - 0.05
        ),
    )
    .expect("write config");
}

const CLOSE: &str = "I loved your talk on warehouse robotics last week.";

/// `CLOSE` alone as a draft, with the early-pitch threshold just under it, checked in `format`.
fn check_close_as(format: &str) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    config_just_under(dir.path(), "early-pitch", CLOSE);
    std::fs::write(
        dir.path().join("draft.txt"),
        format!("Hi Sara,\n\n{CLOSE}\n"),
    )
    .expect("write");
    tactful(
        dir.path(),
        &["check", "--lang", "en", "--format", format, "draft.txt"],
    )
}

#[test]
fn learned_findings_carry_a_confidence_and_pattern_findings_do_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = alone("early-pitch", CLOSE);
    config_just_under(dir.path(), "early-pitch", CLOSE);
    // the greeting is a pattern finding (mass-message) and no body sentence: CLOSE is the
    // message's only sentence the early-pitch layer reads, so the message's score is its score
    // averaged with a 0 for the second sentence early-pitch reads
    std::fs::write(
        dir.path().join("draft.txt"),
        format!("Dear Sir or Madam,\n\n{CLOSE}\n\nBest,\nJon\n"),
    )
    .expect("write draft");
    let out = tactful(
        dir.path(),
        &["check", "--format", "json", "--lang", "en", "draft.txt"],
    );
    let diags = common::first_file_diagnostics(&out);
    let learned: Vec<&Value> = diags
        .iter()
        .filter(|d| d["rule"] == "early-pitch/learned")
        .collect();
    assert_eq!(learned.len(), 1, "{diags:#?}");
    let d = learned[0];
    assert_eq!(d["text"], CLOSE, "the span is the sentence");
    assert_eq!(d["category"], "early-pitch");
    assert_eq!(d["severity"], "warning");
    let c = d["confidence"].as_f64().expect("confidence");
    assert!(
        (0.0..=1.0).contains(&c) && (c - f64::from(p)).abs() < 1e-3,
        "{c} vs {p}"
    );
    assert!(
        !d["help"].as_str().unwrap_or("").is_empty(),
        "the category's help"
    );
    let patterns: Vec<&Value> = diags
        .iter()
        .filter(|d| !rules(&[(*d).clone()])[0].ends_with("/learned"))
        .collect();
    assert!(!patterns.is_empty(), "{diags:#?}");
    assert!(
        patterns.iter().all(|d| d.get("confidence").is_none()),
        "{patterns:#?}"
    );
}

/// A message's score for a category is the mean of its k most confident sentences (k chosen in
/// training, per category); the finding sits on the most confident one and carries that score.
#[test]
fn the_message_score_is_the_mean_of_its_best_sentences() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sents = [
        CLOSE,
        "I spent last winter in Porto working on delivery routes.",
        "The weather in Lisbon was lovely this spring.",
    ];
    let head = tactful::learned::category_index("early-pitch").expect("category");
    let k = tactful::learned::top_k(head).min(sents.len());
    let mut probs: Vec<(f32, &str)> = sents
        .iter()
        .map(|s| (tactful::learned::score(s).prob[head], *s))
        .collect();
    probs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let want = probs[..k].iter().map(|x| x.0).sum::<f32>() / k as f32;
    std::fs::write(
        dir.path().join(".tactful.yaml"),
        format!(
            "options:\n  early-pitch/learned: {{threshold: {:.4}}}\n",
            want - 0.001
        ),
    )
    .expect("write config");
    let (_, diags) = check_json(dir.path(), &sents.join(" "), &[]);
    let learned: Vec<&Value> = diags
        .iter()
        .filter(|d| d["rule"] == "early-pitch/learned")
        .collect();
    assert_eq!(learned.len(), 1, "{diags:#?}");
    assert_eq!(learned[0]["text"], probs[0].1, "{diags:#?}");
    let c = learned[0]["confidence"].as_f64().expect("confidence");
    assert!((c - f64::from(want)).abs() < 1e-3, "{c} vs {want}");
    // just above the message score: no finding
    std::fs::write(
        dir.path().join(".tactful.yaml"),
        format!(
            "options:\n  early-pitch/learned: {{threshold: {:.4}}}\n",
            want + 0.001
        ),
    )
    .expect("write config");
    let (_, none) = check_json(dir.path(), &sents.join(" "), &[]);
    assert!(
        rules(&none).iter().all(|r| r != "early-pitch/learned"),
        "{none:#?}"
    );
}

#[test]
fn no_learned_turns_the_layer_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    config_just_under(dir.path(), "early-pitch", CLOSE);
    let (_, on) = check_json(dir.path(), CLOSE, &[]);
    assert!(
        rules(&on).contains(&"early-pitch/learned".to_string()),
        "{on:#?}"
    );
    let (_, off) = check_json(dir.path(), CLOSE, &["--no-learned"]);
    assert!(
        rules(&off).iter().all(|r| !r.ends_with("/learned")),
        "{off:#?}"
    );
}

#[test]
fn thresholds_come_from_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".tactful.yaml"),
        "options:\n  early-pitch/learned: {threshold: 1.0}\n",
    )
    .expect("write config");
    let (_, diags) = check_json(dir.path(), CLOSE, &[]);
    assert!(
        !rules(&diags).contains(&"early-pitch/learned".to_string()),
        "{diags:#?}"
    );

    std::fs::write(
        dir.path().join(".tactful.yaml"),
        "options:\n  early-pitch/learned: {threshold: 1.5}\n",
    )
    .expect("write config");
    let out = tactful(dir.path(), &["check", "draft.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        err.contains("threshold") && err.contains("between 0 and 1"),
        "{err}"
    );
}

#[test]
fn learned_findings_respect_the_stage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = CLOSE;
    config_just_under(dir.path(), "early-pitch", s);
    let (_, first) = check_json(dir.path(), s, &[]);
    assert!(
        rules(&first).contains(&"early-pitch/learned".to_string()),
        "{first:#?}"
    );
    for stage in ["follow-up", "established"] {
        let (_, later) = check_json(dir.path(), s, &["--stage", stage]);
        assert!(
            rules(&later).iter().all(|r| !r.ends_with("/learned")),
            "{stage}: {later:#?}"
        );
    }
}

#[test]
fn learned_findings_respect_list_consent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = "Our product digest lands in your inbox every other Monday.";
    config_just_under(dir.path(), "signup-without-consent", s);
    let (_, without) = check_json(dir.path(), s, &[]);
    assert!(
        rules(&without).contains(&"signup-without-consent/learned".to_string()),
        "{without:#?}"
    );
    let (_, with) = check_json(dir.path(), s, &["--consent", "list"]);
    assert!(
        rules(&with).iter().all(|r| !r.ends_with("/learned")),
        "{with:#?}"
    );
}

#[test]
fn a_pattern_finding_on_the_sentence_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = "Could we book a quick demo of our platform next Tuesday?";
    let p = tactful::learned::score(s)
        .of("early-pitch")
        .expect("category");
    let t = tactful::learned::default_threshold("early-pitch").expect("threshold");
    assert!(
        p >= t,
        "premise: the layer alone would report it ({p} < {t})"
    );
    let (_, diags) = check_json(dir.path(), s, &["--no-config"]);
    let r = rules(&diags);
    assert!(
        r.contains(&"early-pitch/demo-request".to_string()),
        "{diags:#?}"
    );
    assert!(!r.iter().any(|x| x.ends_with("/learned")), "{diags:#?}");
}

/// A user's own pattern rule of the category is loaded after the built-in learned rule, and
/// still wins over the learned finding on its sentence.
#[test]
fn a_user_pattern_rule_on_the_sentence_wins_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    config_just_under(dir.path(), "early-pitch", CLOSE);
    for pack in ["en", "any"] {
        let folder = dir.path().join(format!("mine-{pack}/{pack}"));
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(
            folder.join("pitch.yaml"),
            "category: early-pitch\nrules:\n  - id: early-pitch/zz-robotics\n    severity: warning\n    \
             message: m\n    help: h\n    match: ['warehouse robotics']\n",
        )
        .expect("write rule");
    }
    let (_, alone) = check_json(dir.path(), CLOSE, &[]);
    assert_eq!(
        rules(&alone),
        ["early-pitch/learned"],
        "premise: {alone:#?}"
    );
    for pack in ["en", "any"] {
        let mine = format!("mine-{pack}");
        let (_, diags) = check_json(dir.path(), CLOSE, &["--rules", &mine]);
        assert_eq!(
            rules(&diags),
            ["early-pitch/zz-robotics"],
            "{pack}: {diags:#?}"
        );
    }
}

/// A favour asked with something offered in return is excused, message-wide, by the rule's
/// `unless-message` in its definition; the words are the message's own language's. (`{offer}`
/// names the sender's product in Dutch or German: "product" in the ask does not excuse it.)
#[test]
fn exceptions_read_the_message_and_its_own_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = "Could you give me some advice on breaking into product management?";
    config_just_under(dir.path(), "ask-before-give", s);
    let learned = "ask-before-give/learned".to_string();
    let (_, plain) = check_json(dir.path(), s, &[]);
    assert!(rules(&plain).contains(&learned), "{plain:#?}");
    let offered = format!("{s}\n\nIn return, happy to share the notes from my own interviews.");
    let (_, excused) = check_json(dir.path(), &offered, &[]);
    assert!(!rules(&excused).contains(&learned), "{excused:#?}");
}

/// Early-pitch needs an offer: a message with another purpose (a study, a volunteer programme, a
/// job offered or sought) is excused from `early-pitch/learned`, in the message's own language
/// (each pack's `notselling`).
#[test]
fn early_pitch_learned_is_excused_when_the_message_sells_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let learned = "early-pitch/learned".to_string();
    let cases = [
        (
            "de",
            "Gern zeige ich Ihnen unsere Lagersoftware in einem kurzen Online-Termin.",
            "Wir sind ein Forschungsteam der Hochschule Bremen und untersuchen, wie Lager digitalisiert werden.",
        ),
        (
            "es",
            "Ofrecemos gratis un informe comparativo de automatización a cada empresa.",
            "Somos un equipo de investigadores y preparamos un estudio sobre la robótica en pymes.",
        ),
    ];
    for (lang, pitch, excuse) in cases {
        config_just_under(dir.path(), "early-pitch", pitch);
        let run = |body: &str| {
            std::fs::write(dir.path().join("draft.txt"), format!("{body}\n")).expect("write");
            let out = tactful(
                dir.path(),
                &[
                    "check",
                    "--format",
                    "json",
                    "--lang",
                    lang,
                    "--stage",
                    "first-contact",
                    "draft.txt",
                ],
            );
            rules(&common::first_file_diagnostics(&out))
        };
        assert!(
            run(pitch).contains(&learned),
            "{lang}: the pitch alone is flagged"
        );
        let excused = run(&format!("{excuse}\n\n{pitch}"));
        assert!(!excused.contains(&learned), "{lang}: {excused:?}");
    }
}

#[test]
fn sarif_carries_the_confidence_and_stays_schema_valid() {
    let out = check_close_as("sarif");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let learned: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "early-pitch/learned")
        .collect();
    assert_eq!(learned.len(), 1, "{results:#?}");
    let c = learned[0]["properties"]["confidence"]
        .as_f64()
        .expect("confidence");
    assert!((0.0..=1.0).contains(&c));
    if let Err(e) = common::validate_sarif(&doc) {
        panic!("SARIF does not validate: {e}");
    }
}

#[test]
fn short_format_shows_learned_findings_like_any_other() {
    let out = check_close_as("short");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("draft.txt:3:1: warning[early-pitch/learned]: "),
        "{text}"
    );
}
