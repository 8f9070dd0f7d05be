#!/usr/bin/env python3
"""Score tactful against the evaluation messages in tests/eval/<lang>/.

Each message file starts with YAML front matter that carries `expect: [category, ...]`
(the categories that must be reported; `[]` for a clean message). tactful is run with
`--format json` on each language folder and its findings are compared, per file and per
category, with the expectation:

  reported and expected      -> true positive
  reported but not expected  -> false positive
  expected but not reported  -> false negative

A category counts as reported when a finding of it is listed, or when tactful folded such a
finding into a stronger one on the same words (a `related` entry with `rule` and `category`).

Usage:
  python3 tests/eval/score.py [tests/eval/es tests/eval/pt ...] [--bin PATH] [--disk-rules] [--rules PATH]...
                        [--set NAME] [-v]

With no folders, every tests/eval/<lang>/ folder is scored. `--disk-rules` adds `--rules rules/<lang>`
for each language (use it when the dev binary's built-in rules are older than the files on
disk). `--set NAME` scores only the messages whose front matter says `set: NAME` (messages
without a `set:` key belong to the set `main`), e.g. `--set holdout` for messages written after
the rules were tuned. `-v` lists every false positive and false negative with the rule and text
that caused it.

Exit status: 1 when any category with at least MIN_CASES expected cases has precision below
0.9 or recall below 0.8 (in any language scored), 2 on a usage or run error, else 0.
Standard library only.
"""
import argparse
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # the repository: tests/eval/..
DEFAULT_BIN = os.environ.get("TACTFUL", "/tmp/tactful-dev/tactful")
MIN_CASES = 5
MIN_PRECISION = 0.9
MIN_RECALL = 0.8
CATEGORIES = [
    "early-pitch", "assumed-closeness", "signup-without-consent", "ask-before-give",
    "self-focus", "mass-message", "hollow-referral", "channel-limit",
]


def front_matter(text):
    """Return the front matter of a message as a dict of raw string values."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    out = {}
    for line in lines[1:]:
        if line.strip() in ("---", "..."):
            break
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$", line)
        if m:
            value = re.sub(r"\s+#.*$", "", m.group(2))
            out[m.group(1)] = value
    return out


def parse_list(value):
    value = value.strip()
    if value in ("", "[]", "~", "null"):
        return []
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [v.strip().strip("'\"") for v in value.split(",") if v.strip()]


def expectations(folder, only_set=None):
    """Map each message path (as tactful prints it) to its expected categories."""
    exp = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith((".txt", ".md", ".eml")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                fm = front_matter(f.read())
            if "expect" not in fm:
                print(f"warning: {path}: no `expect:` in front matter, skipped", file=sys.stderr)
                continue
            if only_set is not None and fm.get("set", "main").strip("'\"") != only_set:
                continue
            exp[os.path.normpath(path)] = set(parse_list(fm["expect"]))
    return exp


def run_tactful(binary, folder, extra_rules):
    cmd = [binary, "check", "--format", "json", "--no-config"]
    for r in extra_rules:
        cmd += ["--rules", r]
    cmd.append(folder)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"error: `{' '.join(cmd)}` exited with {proc.returncode}")
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise SystemExit(f"error: tactful printed invalid JSON for {folder}: {e}")
    found = {}
    for f in doc.get("files", []):
        path = os.path.normpath(f["path"])
        if "error" in f:
            print(f"warning: {path}: {f['error']}", file=sys.stderr)
            continue
        found[path] = f.get("diagnostics", [])
    return found


def by_category(diags):
    """Findings by category. A finding tactful folded into a stronger one on the same words
    (a related entry that names its `rule` and `category`) counts as reported: the user sees it."""
    got = defaultdict(list)
    for d in diags:
        got[d["category"]].append(d)
        for r in d.get("related", []):
            if r.get("category"):
                got[r["category"]].append({"rule": r.get("rule", "?"), "category": r["category"],
                                           "text": d.get("text", ""), "merged_into": d["rule"]})
    return got


def ratio(num, den):
    return num / den if den else None


def fmt(x):
    return "  -  " if x is None else f"{x:5.2f}"


def score(lang, exp, found, verbose):
    tp, fp, fn, n_exp = (defaultdict(int) for _ in range(4))
    details = []
    clean_total = clean_flagged = 0
    for path, want in sorted(exp.items()):
        diags = found.get(path)
        if diags is None:
            print(f"warning: {path}: not in tactful's output", file=sys.stderr)
            diags = []
        got = by_category(diags)
        if not want:
            clean_total += 1
            if got:
                clean_flagged += 1
        for cat in want:
            n_exp[cat] += 1
            if cat in got:
                tp[cat] += 1
            else:
                fn[cat] += 1
                details.append(f"  FN {cat:24} {path}")
        for cat, ds in got.items():
            if cat not in want:
                fp[cat] += 1
                for d in ds:
                    details.append(f"  FP {cat:24} {path}  [{d['rule']}] {d.get('text', '')[:90]!r}")
    cats = [c for c in CATEGORIES if n_exp[c] or fp[c]] + sorted(
        c for c in set(n_exp) | set(fp) if c not in CATEGORIES)
    print(f"\n== {lang}: {len(exp)} messages, {clean_total} clean "
          f"({clean_flagged} of them with a finding)")
    print(f"{'category':24} {'exp':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6}")
    failing = []
    tot = defaultdict(int)
    for c in cats:
        p = ratio(tp[c], tp[c] + fp[c])
        r = ratio(tp[c], n_exp[c])
        bad = n_exp[c] >= MIN_CASES and (
            (p is not None and p < MIN_PRECISION) or (r is not None and r < MIN_RECALL))
        if bad:
            failing.append((lang, c))
        flag = "  <-- below target" if bad else ("  (few cases)" if n_exp[c] < MIN_CASES else "")
        print(f"{c:24} {n_exp[c]:4} {tp[c]:4} {fp[c]:4} {fn[c]:4} {fmt(p):>6} {fmt(r):>6}{flag}")
        for k, v in (("exp", n_exp), ("tp", tp), ("fp", fp), ("fn", fn)):
            tot[k] += v[c]
    p = ratio(tot["tp"], tot["tp"] + tot["fp"])
    r = ratio(tot["tp"], tot["exp"])
    print(f"{'(all, micro)':24} {tot['exp']:4} {tot['tp']:4} {tot['fp']:4} {tot['fn']:4} "
          f"{fmt(p):>6} {fmt(r):>6}")
    if verbose and details:
        print("\n".join(details))
    return failing


# ---------------------------------------------------------------------------------------------
# --real: score on real messages nobody on the team wrote (../shared/corpora/real/<split>).
#
# The corpus is read in place and never copied into the project. Each message is checked with
# the context its manifest gives (stage, channel, consent, lang); the categories reported are
# compared with the manifest's labels per message. With --split dev (the default) only file ids
# and rule ids are printed by -v, never message text: dev is for measuring, not for tuning.

REAL_CATEGORIES = [
    "early-pitch", "assumed-closeness", "signup-without-consent", "ask-before-give",
    "hollow-referral", "self-focus", "mass-message",
]
# The acceptance targets on dev: (precision, recall) for English and other languages.
REAL_TARGETS = {
    "early-pitch": ((0.85, 0.75), (0.80, 0.65)),
    "assumed-closeness": ((0.85, 0.75), (0.80, 0.65)),
    "signup-without-consent": ((0.85, 0.75), (0.80, 0.65)),
    "ask-before-give": ((None, 0.5), (None, 0.5)),
    "hollow-referral": ((None, 0.5), (None, 0.5)),
}


def find_corpus(explicit):
    """The corpus folder: --corpus, $TACTFUL_CORPUS, or `shared/corpora/real` beside the
    checkout or one of its parents (a worktree may sit one level deeper than the main one)."""
    if explicit:
        return explicit
    env = os.environ.get("TACTFUL_CORPUS")
    if env:
        return env
    d = ROOT
    for _ in range(4):
        d = os.path.dirname(d)
        cand = os.path.join(d, "shared", "corpora", "real")
        if os.path.isdir(cand):
            return cand
    return os.path.join(os.path.dirname(ROOT), "shared", "corpora", "real")


def read_manifest(split_dir):
    path = os.path.join(split_dir, "manifest.tsv")
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for n, line in enumerate(f, start=2):
            cells = line.rstrip("\n").split("\t")
            if len(cells) < len(header):
                cells += [""] * (len(header) - len(cells))
            row = dict(zip(header, cells))
            if not row.get("file"):
                print(f"warning: {path}:{n}: no file, skipped", file=sys.stderr)
                continue
            labels = {l.strip() for l in row.get("labels", "").split(",") if l.strip()}
            labels.discard("clean")
            row["want"] = labels
            row["path"] = os.path.normpath(os.path.join(split_dir, row["file"]))
            rows.append(row)
    return rows


CHANNELS = {"email": "email", "linkedin": "linkedin", "other": "other"}


def supports(binary, flag):
    proc = subprocess.run([binary, "check", "--help"], capture_output=True, text=True)
    return flag in proc.stdout


def run_real(binary, rows, extra_args):
    """Check every message with its manifest context; one tactful run per distinct context."""
    groups = defaultdict(list)
    for r in rows:
        key = (r.get("stage") or "first-contact", CHANNELS.get(r.get("channel"), "other"),
               r.get("lang") or "auto", r.get("consent") or "")
        groups[key].append(r["path"])
    found = {}
    for (stage, channel, lang, consent), paths in sorted(groups.items()):
        cmd = [binary, "check", "--format", "json", "--no-config", "--stage", stage,
               "--channel", channel, "--lang", lang] + list(extra_args)
        for c in filter(None, consent.split(",")):
            cmd += ["--consent", c.strip()]
        proc = subprocess.run(cmd + paths, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"error: tactful exited with {proc.returncode} on {stage}/{channel}/{lang}")
        try:
            doc = json.loads(proc.stdout)
        except json.JSONDecodeError as e:
            raise SystemExit(f"error: tactful printed invalid JSON: {e}")
        for f in doc.get("files", []):
            path = os.path.normpath(f["path"])
            if "error" in f:
                print(f"warning: {path}: {f['error']}", file=sys.stderr)
            found[path] = f.get("diagnostics", [])
    return found


def real_counts(rows, found):
    """counts[category][lang] = {exp, tp, fp, fn}; plus the per-message details."""
    counts = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    details = []
    for r in rows:
        lang = r.get("lang") or "?"
        got = by_category(found.get(r["path"], []))
        for cat in REAL_CATEGORIES:
            c = counts[cat][lang]
            if cat in r["want"]:
                c["exp"] += 1
                if cat in got:
                    c["tp"] += 1
                else:
                    c["fn"] += 1
                    details.append(("FN", cat, r, []))
            elif cat in got:
                c["fp"] += 1
                details.append(("FP", cat, r, got[cat]))
    return counts, details


def pr(c):
    return ratio(c["tp"], c["tp"] + c["fp"]), ratio(c["tp"], c["exp"])


def group_counts(per_lang, langs):
    tot = defaultdict(int)
    for l in langs:
        for k, v in per_lang.get(l, {}).items():
            tot[k] += v
    return tot


def real_report(rows, found, split, label, verbose):
    counts, details = real_counts(rows, found)
    langs = sorted({r.get("lang") or "?" for r in rows})
    others = [l for l in langs if l != "en"]
    print(f"\n== real/{split} ({label}): {len(rows)} messages, "
          f"{sum(1 for r in rows if not r['want'])} clean")
    print(f"{'category':24} {'group':6} {'exp':>4} {'tp':>4} {'fp':>4} {'fn':>4} "
          f"{'prec':>6} {'recall':>6}")
    summary = {}
    for cat in REAL_CATEGORIES:
        per_lang = counts[cat]
        cells = [("en", group_counts(per_lang, ["en"]))]
        cells += [(l, group_counts(per_lang, [l])) for l in others]
        cells.append(("other", group_counts(per_lang, others)))
        summary[cat] = {}
        for g, c in cells:
            p, r = pr(c)
            summary[cat][g] = {"exp": c["exp"], "tp": c["tp"], "fp": c["fp"], "fn": c["fn"],
                               "precision": p, "recall": r}
            if not (c["exp"] or c["fp"]) and g not in ("en", "other"):
                continue
            print(f"{cat:24} {g:6} {c['exp']:4} {c['tp']:4} {c['fp']:4} {c['fn']:4} "
                  f"{fmt(p):>6} {fmt(r):>6}")
    print(f"\n{'category':24} {'English P / R':>16} {'other langs P / R':>19}   targets")
    for cat in REAL_CATEGORIES:
        en, ot = summary[cat]["en"], summary[cat]["other"]
        tgt = REAL_TARGETS.get(cat)
        t = ""
        if tgt:
            t = "  ".join(
                ("P>=%.2f " % p if p else "") + "R>=%.2f" % r for p, r in tgt)
        print(f"{cat:24} {fmt(en['precision'])} / {fmt(en['recall'])} (n={en['exp']:2}) "
              f"{fmt(ot['precision'])} / {fmt(ot['recall'])} (n={ot['exp']:2})   {t}")
    if verbose:
        print()
        for kind, cat, r, ds in details:
            rules = ",".join(sorted({d["rule"] for d in ds}))
            line = f"  {kind} {cat:24} {r.get('lang', '?')} {r.get('id', '')} {r['path']}"
            if rules:
                line += f"  [{rules}]"
            if split != "dev":
                if kind == "FN":
                    line += f"\n      evidence: {r.get('evidence', '')[:160]}"
                for d in ds[:2]:
                    line += f"\n      text: {d.get('text', '')[:120]!r}"
            print(line)
    return summary


def main_real(args):
    corpus = find_corpus(args.corpus)
    split_dir = os.path.join(corpus, args.split)
    if not os.path.isfile(os.path.join(split_dir, "manifest.tsv")):
        print(f"skipped: no real corpus at {split_dir} (it lives outside the repository, in "
              f"../shared/corpora/real; set TACTFUL_CORPUS or --corpus to point at it)")
        return 0
    rows = read_manifest(split_dir)
    if args.lang:
        rows = [r for r in rows if r.get("lang") in args.lang]
    modes = []
    has_flag = supports(args.bin, "--no-learned")
    if args.layers in ("both", "patterns"):
        if has_flag:
            modes.append(("patterns alone", ["--no-learned"]))
        elif args.layers == "patterns":
            modes.append(("patterns alone", []))
    if args.layers in ("both", "all") or not has_flag:
        if not modes or has_flag:
            modes.append(("patterns + learned" if has_flag else "patterns", []))
    result = {"split": args.split, "messages": len(rows), "modes": {}}
    for label, extra in modes:
        found = run_real(args.bin, rows, extra + sum((["--rules", r] for r in args.rules), []))
        result["modes"][label] = real_report(rows, found, args.split, label, args.verbose)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, sort_keys=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", help="tests/eval/<lang> folders (default: all)")
    ap.add_argument("--bin", default=DEFAULT_BIN, help="tactful binary (default: %(default)s)")
    ap.add_argument("--rules", action="append", default=[], help="extra rules passed to tactful")
    ap.add_argument("--disk-rules", action="store_true",
                    help="also pass --rules rules/<lang> for each language folder")
    ap.add_argument("--set", dest="only_set", metavar="NAME",
                    help="score only messages with `set: NAME` in their front matter (default: all)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list false positives/negatives")
    real = ap.add_argument_group("real messages (--real)")
    real.add_argument("--real", action="store_true",
                      help="score the labelled real messages in ../shared/corpora/real instead")
    real.add_argument("--split", choices=["dev", "train"], default="dev",
                      help="which split of the real corpus (default: %(default)s)")
    real.add_argument("--corpus", help="the real corpus folder (default: $TACTFUL_CORPUS or "
                      "shared/corpora/real beside the checkout)")
    real.add_argument("--lang", action="append", help="only messages in this language")
    real.add_argument("--layers", choices=["both", "patterns", "all"], default="both",
                      help="patterns alone (--no-learned), with the learned layer, or both "
                      "(default; the learned layer only when the binary has --no-learned)")
    real.add_argument("--json", dest="json_out", metavar="FILE",
                      help="also write the per-category, per-language counts to FILE")
    args = ap.parse_args()
    if args.real:
        return main_real(args)

    folders = args.folders or sorted(
        os.path.join(HERE, d) for d in os.listdir(HERE)
        if os.path.isdir(os.path.join(HERE, d)) and not d.startswith("."))
    if not folders:
        raise SystemExit("error: no tests/eval/<lang> folders found")
    failing = []
    for folder in folders:
        folder = os.path.normpath(folder)
        lang = os.path.basename(folder)
        rules = list(args.rules)
        if args.disk_rules:
            disk = os.path.join(ROOT, "rules", lang)
            if os.path.isdir(disk):
                rules.append(disk)
        exp = expectations(folder, args.only_set)
        if not exp:
            print(f"warning: {folder}: no messages", file=sys.stderr)
            continue
        found = run_tactful(args.bin, folder, rules)
        label = lang if args.only_set is None else f"{lang} (set {args.only_set})"
        failing += score(label, exp, found, args.verbose)
    if failing:
        print("\nbelow target (precision < %.1f or recall < %.1f with >= %d cases): %s" % (
            MIN_PRECISION, MIN_RECALL, MIN_CASES,
            ", ".join(f"{l}/{c}" for l, c in failing)))
        return 1
    print("\nall categories with >= %d cases meet the targets" % MIN_CASES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
