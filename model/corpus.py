"""Training text: the real `train` split (read in place from ../shared, never copied), the rule
examples in ../rules, and the team's own sentences in examples.tsv and examples/<lang>.tsv.
Never the `dev` split."""
import csv
import glob
import os
import re

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
REAL = os.environ.get("TACTFUL_REAL", os.path.join(REPO, "..", "shared", "corpora", "real"))
if not os.path.isdir(REAL):
    REAL = "/work/shared/corpora/real"
# Opt-in (not the committed model yet): teacher labelling, examples-more.tsv, and rule examples
# labelling only their own category. See README "Teacher labelling".
TEACHER = os.environ.get("TACTFUL_TEACHER") == "1"
CATEGORIES = ["early-pitch", "assumed-closeness", "signup-without-consent", "ask-before-give",
              "hollow-referral"]

_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+")
PUNCT = set(" \t\r\n!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»„‚…–—¿¡·•")


def sentences(text):
    """The same cut as src/learned: lines, then after . ! ? … followed by white space."""
    out = []
    for s in _SPLIT.split(text):
        s = s.strip()
        if len(s) >= 2:
            out.append(s)
    return out


def read_split(split):
    """Messages of a split: dicts with id, source, lang, stage, consent, labels, evidence, text."""
    base = os.path.join(REAL, split)
    rows = []
    with open(os.path.join(base, "manifest.tsv"), encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            with open(os.path.join(base, r["file"]), encoding="utf-8") as m:
                r["text"] = m.read()
            r["labels"] = [x for x in r["labels"].split(",") if x]
            r["evidence_list"] = [e.strip() for e in r["evidence"].split(" | ") if e.strip()]
            rows.append(r)
    return rows


def strip_subject(text):
    if text.startswith("Subject:"):
        parts = text.split("\n\n", 1)
        return parts[1] if len(parts) > 1 else ""
    return text


# The rule examples the heads learn from are a committed snapshot of the rule files' examples
# (rule-examples.tsv), so that `build.py` rebuilds the committed model from committed inputs
# whatever the rules have gained since; `snapshot_rules.py` refreshes it (README, "Rule examples:
# a snapshot"). TACTFUL_LIVE_RULES=1 reads ../rules instead, to measure a refresh first.
SNAPSHOT = os.path.join(HERE, "rule-examples.tsv")
LIVE_RULES = os.environ.get("TACTFUL_LIVE_RULES") == "1"


def rule_examples():
    """(category, is_bad, text, has_context) for every rule example the heads learn from: the
    snapshot in rule-examples.tsv, or with TACTFUL_LIVE_RULES=1 the repo's rule files."""
    return [r[:4] for r in rule_example_rows()]


def rule_example_rows():
    """rule_examples() with the rule pack each example comes from (`en`, ..., or `` for the
    category files at the top of rules/)."""
    return live_rule_examples() if LIVE_RULES else read_snapshot(SNAPSHOT)


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def unescape(field):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), field)


def read_snapshot(path):
    """The rows of a rule-example snapshot: category, bad (0/1), context (0/1), pack, text (with
    \\n, \\t and \\\\ escaped). A malformed line stops the build with its place."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t", 4)
            if len(parts) != 5 or parts[1] not in ("0", "1") or parts[2] not in ("0", "1"):
                raise SystemExit(f"{path}:{n}: want category<TAB>bad 0|1<TAB>context 0|1"
                                 "<TAB>pack<TAB>text")
            out.append((parts[0], parts[1] == "1", unescape(parts[4]), parts[2] == "1", parts[3]))
    return out


def live_rule_examples(repo=REPO):
    """(category, is_bad, text, has_context, pack) for every example in `repo`'s rule files."""
    out = []
    base = os.path.join(repo, "rules")
    for path in sorted(glob.glob(os.path.join(base, "**", "*.yaml"), recursive=True)):
        try:
            doc = yaml.safe_load(open(path, encoding="utf-8"))
        except Exception:  # a rule file this reader cannot follow: skip it, the rest still trains
            continue
        top = doc.get("category") if isinstance(doc, dict) else None
        ex = []
        _walk(doc, top, ex)
        rel = os.path.relpath(path, base).split(os.sep)
        pack = rel[0] if len(rel) > 1 else ""
        out.extend(e + (pack,) for e in ex)
    return out


def _walk(node, cat, out):
    if isinstance(node, dict):
        rid = node.get("id")
        if isinstance(rid, str) and "/" in rid:
            cat = rid.split("/")[0]
        ex = node.get("examples")
        if isinstance(ex, dict) and cat:
            for kind in ("bad", "good"):
                for e in ex.get(kind) or []:
                    if isinstance(e, str):
                        out.append((cat, kind == "bad", e, False))
                    elif isinstance(e, dict) and isinstance(e.get("text"), str):
                        ctx = any(k in e for k in ("stage", "consent", "channel"))
                        out.append((cat, kind == "bad", e["text"], ctx))
        for v in node.values():
            if isinstance(v, (dict, list)):
                _walk(v, cat, out)
    elif isinstance(node, list):
        for v in node:
            _walk(v, cat, out)


def example_files(more=False):
    """The team's sentence files: examples.tsv, then examples/<lang>.tsv (and examples-more.tsv
    when `more` or TACTFUL_TEACHER=1)."""
    files = [os.path.join(HERE, "examples.tsv")]
    files += sorted(glob.glob(os.path.join(HERE, "examples", "*.tsv")))
    if more or TEACHER:
        files.append(os.path.join(HERE, "examples-more.tsv"))
    return files


def own_examples(more=False):
    """(category, label, lang, sentence) from the team's files (label 0: a negative for every
    category), written by the team. A malformed line stops the build with its place."""
    out = []
    for path in example_files(more):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("\t", 3)
                if len(parts) != 4 or parts[1] not in ("0", "1") or not parts[3].strip():
                    raise SystemExit(f"{path}:{n}: want category<TAB>0|1<TAB>lang<TAB>sentence")
                cat, lab, lang, text = parts
                if lab == "1" and cat not in CATEGORIES:
                    raise SystemExit(f"{path}:{n}: no learned head for category `{cat}`")
                out.append((cat, int(lab), lang, text.strip()))
    return out


def all_training_text():
    texts = [m["text"] for m in read_split("train")]
    texts += [e[2] for e in rule_examples()]
    texts += [e[3] for e in own_examples()]
    return texts


def rule_example_hits():
    """{(category, text): [sentence]}: for each bad rule example, the words its own rule flags
    (the text under each finding and under its secondary spans, cut into sentences with white
    space collapsed), from `tactful test --format json` over ../rules: the live rules, so use it
    with TACTFUL_LIVE_RULES=1. The learned kind's examples are left out (the model would be
    judging itself). TACTFUL_BIN names a built binary; otherwise cargo builds and runs the repo's."""
    import json
    import subprocess
    rules = os.path.join(REPO, "rules")
    binary = os.environ.get("TACTFUL_BIN")
    cmd = ([binary] if binary else ["cargo", "run", "--release", "--quiet", "--"])
    out = subprocess.run(cmd + ["test", "--format", "json", rules], cwd=REPO,
                         capture_output=True, text=True)
    try:
        doc = json.loads(out.stdout)
    except ValueError:
        raise SystemExit(f"tactful test --format json failed:\n{out.stderr[-2000:]}")
    hits = {}
    for e in doc["examples"]:
        if e["kind"] != "bad" or e["rule"].endswith("/learned"):
            continue
        cat = e["rule"].split("/")[0]
        hits.setdefault((cat, e["text"]), []).extend(
            " ".join(p.split()) for w in e["found"] + e["pointers"] for p in sentences(w))
    return hits
