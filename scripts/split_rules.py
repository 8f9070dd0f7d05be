#!/usr/bin/env python3
"""One-off migration (issue 10): split every rule into one shared definition and per-language
evidence.

Before: `rules/<lang>/<category>.yaml` held complete rules, so the same id was defined up to ten
times and the copies had drifted (severity, gates, segments, wording).

After:
  rules/<category>.yaml         id, kind (with its settings), severity, when, segments,
                                message, description, help: once per id
  rules/<lang>/<category>.yaml  id plus that language's evidence, copied verbatim (match,
                                keywords, unless, unless-scope, signals, require, scope, the
                                ratio counters, suggest/fix, examples) and, where the language
                                reads the rule with another kind, an explicit `override:`

How drift is resolved (one value per id):
  - message, description, help: the English rule's, else the first language's (alphabetical)
  - severity, when, segments: the value most languages use; ties go to English, then to the
    first language. Chosen on purpose:
      mass-message/generic-salutation, mass-message/valued-customer: gated on consent
      everywhere (a newsletter the reader subscribed to may greet them generically), and not
      for established contacts (an office-closure notice to one's customers)
      assumed-closeness/pet-name, self-focus/sender-centred, mass-message/connecting-with-
      everyone: first contact and follow-up (presumptuous until the relationship exists; a
      note to an established contact is neither)
      mass-message/unfilled-placeholder: every segment, signature included (an unfilled
      "{{sender_name}}" there is as visible as anywhere)
      signup-without-consent/added-to-group: an error, like every other way of signing
      someone up without asking (four languages said error, five warning)
      early-pitch/sales-call-request: a warning everywhere (it was an error in de, he, nl)
  - named overrides a language keeps on purpose (OVERRIDES below):
      nl mass-message/valued-customer reads the greeting only: "beste klant" is also plain
      Dutch for "best customer" in a sentence
  - kind: the majority's; a language whose evidence has another shape says so with
    `override: {kind: ...}`.

Run from the repository root: python3 scripts/split_rules.py
"""
import collections
import glob
import json
import os
import re
import sys
import textwrap

import yaml

SHARED_KEYS = ["severity", "message", "description", "help", "when", "segments"]
EVIDENCE_KEYS = ["match", "keywords", "unless", "unless-scope", "signals", "require", "scope",
                 "metric", "suggest", "fix", "examples"]
LANG_ORDER = ["en", "any", "de", "es", "fr", "he", "it", "nl", "pl", "pt"]

BEFORE_ESTABLISHED = {"stage": ["first-contact", "follow-up"]}
CHOSEN_WHEN = {
    "mass-message/generic-salutation": {"consent": "without-list", **BEFORE_ESTABLISHED},
    "mass-message/valued-customer": {"consent": "without-list", **BEFORE_ESTABLISHED},
    "assumed-closeness/pet-name": BEFORE_ESTABLISHED,
    "self-focus/sender-centred": BEFORE_ESTABLISHED,
    "mass-message/connecting-with-everyone": BEFORE_ESTABLISHED,
}
CHOSEN_SEVERITY = {
    "signup-without-consent/added-to-group": "error",
    "early-pitch/sales-call-request": "warning",
}
CHOSEN_SEGMENTS = {
    "mass-message/unfilled-placeholder": ["subject", "greeting", "body", "signoff", "signature"],
}
OVERRIDES = {
    ("mass-message/valued-customer", "nl"): {"segments": ["greeting"]},
}


def kind_of(rule):
    m = rule.get("metric")
    if m:
        k = m["kind"]
        if k == "ratio":
            return {"metric": "ratio"}
        if k == "length":
            settings = {key: v for key, v in m.items() if key != "kind"}
            return {"metric": {"length": settings}}
        settings = {key: v for key, v in m.items() if key != "kind"}
        return {k: settings}
    if "signals" in rule:
        return "signals"
    return "pattern"


def split_blocks(text):
    """Splits a rule file into (header lines, [rule blocks]); a rule block is a list of
    (key, lines) with comment lines attached to the key that follows them."""
    lines = text.split("\n")
    header, rules = [], []
    cur = None
    for line in lines:
        if line.startswith("  - id: "):
            cur = [("id", [line])]
            rules.append(cur)
            pending = []
            continue
        if cur is None:
            header.append(line)
            continue
        m = re.match(r"^    ([a-z-]+):", line)
        if m:
            cur.append((m.group(1), pending + [line]))
            pending = []
        elif re.match(r"^    #", line):
            pending.append(line)
        else:
            cur[-1][1].append(line)
    return header, rules


def majority(values_by_lang, prefer="en"):
    """values_by_lang: {lang: value}. The most common value; ties: prefer, then LANG_ORDER."""
    counts = collections.Counter(json.dumps(v, sort_keys=True) for v in values_by_lang.values())
    best = max(counts.values())
    tied = {k for k, c in counts.items() if c == best}
    for lang in [prefer] + LANG_ORDER + sorted(values_by_lang):
        if lang in values_by_lang:
            key = json.dumps(values_by_lang[lang], sort_keys=True)
            if key in tied:
                return values_by_lang[lang]
    raise AssertionError("unreachable")


def q(s):
    return json.dumps(s, ensure_ascii=False)


def flow(v):
    """A value in YAML flow style (JSON is YAML; plain words for readability)."""
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if re.fullmatch(r"[a-z][a-z0-9-]*", v) and v not in ("yes", "no", "on", "off", "null",
                                                        "true", "false"):
        return v
    return q(v)


def folded(key, text, indent=4):
    pad = " " * indent
    if "\n" in text.strip() or text != text.strip() or "  " in text:
        return f"{pad}{key}: {q(text)}"
    body = textwrap.wrap(text, width=96 - indent - 2, break_long_words=False,
                         break_on_hyphens=False)
    return f"{pad}{key}: >-\n" + "\n".join(pad + "  " + l for l in body)


def emit_shared(rule_id, d):
    out = [f"  - id: {rule_id}"]
    k = d["kind"]
    if isinstance(k, str):
        out.append(f"    kind: {k}")
    else:
        out.append(f"    kind:")
        (name, settings), = k.items()
        out.append(f"      {name}: {flow(settings)}")
    out.append(f"    severity: {d['severity']}")
    if d.get("when"):
        out.append("    when:")
        for wk, wv in d["when"].items():
            out.append(f"      {wk}: {flow(wv)}")
    if d.get("segments"):
        out.append(f"    segments: {flow(d['segments'])}")
    msg = d["message"].strip()
    special = ":" in msg or msg[0] in "\"'[{&*!|>%@`#"
    out.append(f"    message: {q(msg) if special else msg}")
    out.append(folded("description", d["description"].strip()))
    out.append(folded("help", d["help"].strip()))
    return "\n".join(out)


def main():
    files = sorted(f for f in glob.glob("rules/*/*.yaml") if not f.endswith("pack.yaml"))
    parsed = {}
    by_id = collections.defaultdict(dict)
    category_of = {}
    order = collections.defaultdict(list)
    for f in files:
        lang = f.split("/")[1]
        text = open(f, encoding="utf-8").read()
        d = yaml.safe_load(text)
        assert "lang" not in d, f
        parsed[f] = (lang, text, d)
        for r in d["rules"]:
            by_id[r["id"]][lang] = r
            category_of[r["id"]] = d["category"]
            if r["id"] not in order[d["category"]]:
                order[d["category"]].append(r["id"])

    shared = {}
    for rid, per_lang in by_id.items():
        src = per_lang.get("en") or per_lang[sorted(per_lang)[0]]
        d = {
            "kind": majority({l: kind_of(r) for l, r in per_lang.items()}),
            "severity": CHOSEN_SEVERITY.get(rid) or majority({l: r["severity"] for l, r in per_lang.items()}),
            "when": CHOSEN_WHEN.get(rid) or majority({l: r.get("when") for l, r in per_lang.items()}),
            "segments": CHOSEN_SEGMENTS.get(rid)
            or majority({l: r.get("segments") for l, r in per_lang.items()}),
            "message": src["message"],
            "description": src["description"],
            "help": src["help"],
        }
        shared[rid] = d

    # Shared definitions, one file per category, rules in first-seen order.
    cats = [c["id"] for c in yaml.safe_load(open("rules/categories.yaml"))["categories"]]
    for cat in cats:
        if cat not in order:
            continue
        body = "\n\n".join(emit_shared(rid, shared[rid]) for rid in order[cat])
        out = (f"# The rules of `{cat}`, each defined once: kind, severity, gates and wording.\n"
               f"# Each language's evidence (patterns, examples) is in rules/<lang>/{cat}.yaml.\n"
               f"category: {cat}\nrules:\n{body}\n")
        path = f"rules/{cat}.yaml"
        open(path, "w", encoding="utf-8").write(out)
        back = yaml.safe_load(out)
        for r in back["rules"]:
            want = shared[r["id"]]
            for key in ("message", "description", "help"):
                assert r[key].strip() == want[key].strip(), (r["id"], key, r[key], want[key])
            assert r.get("when") == (want.get("when") or None), r["id"]
            assert r.get("segments") == want.get("segments"), r["id"]

    # Language evidence: metadata blocks dropped, evidence copied verbatim.
    for f, (lang, text, d) in parsed.items():
        header, blocks = split_blocks(text)
        header = [l for l in header if not l.startswith("category:")]
        out = list(header)
        for block in blocks:
            rid = block[0][1][0][len("  - id: "):].strip()
            r = by_id[rid][lang]
            keep = [block[0][1][0]]
            lang_kind = kind_of(r)
            extra = OVERRIDES.get((rid, lang), {})
            if lang_kind != shared[rid]["kind"] or extra:
                keep.append("    override:")
            if lang_kind != shared[rid]["kind"]:
                if isinstance(lang_kind, str):
                    keep.append(f"      kind: {lang_kind}")
                else:
                    (name, settings), = lang_kind.items()
                    keep.append(f"      kind: {{{name}: {flow(settings)}}}")
            for key, v in extra.items():
                keep.append(f"      {key}: {flow(v)}")
            for key, lines in block[1:]:
                if key in SHARED_KEYS:
                    # Comments about a shared key go with it (the one there is is kept below).
                    continue
                assert key in EVIDENCE_KEYS, (f, rid, key)
                if key == "metric":
                    if r["metric"]["kind"] != "ratio":
                        continue  # its settings are the kind's, in the shared file
                    lines = [l for l in lines if not re.match(r"^      kind: ratio\s*$", l)]
                keep.extend(lines)
            out.extend(keep)
        new = "\n".join(out)
        open(f, "w", encoding="utf-8").write(new)
        back = yaml.safe_load(new)
        for r in back["rules"]:
            old = by_id[r["id"]][lang]
            for key in ("match", "unless", "signals", "examples", "suggest", "keywords"):
                assert r.get(key) == old.get(key), (f, r["id"], key)
            for key in SHARED_KEYS:
                assert key not in r, (f, r["id"], key)

    n_over = sum(1 for rid in by_id for l, r in by_id[rid].items()
                 if kind_of(r) != shared[rid]["kind"])
    print(f"{len(shared)} rule ids, {sum(len(v) for v in by_id.values())} language entries, "
          f"{n_over} kind overrides", file=sys.stderr)


if __name__ == "__main__":
    main()
