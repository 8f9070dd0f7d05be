"""Refresh the rule-example snapshot the learned layer trains on (model/rule-examples.tsv).

    python3 model/snapshot_rules.py [REPO_DIR]

Reads the examples of every rule file under REPO_DIR/rules (default: this checkout) and writes
them, one per line, to rule-examples.tsv. The heads learn from the snapshot, not from ../rules,
so rule work does not move the model until someone refreshes it on purpose; before committing a
refresh, measure it (`TACTFUL_LIVE_RULES=1 python3 model/cv.py` against `python3 model/cv.py`)
and rebuild (`python3 model/build.py`). README.md, "Rule examples: a snapshot".
"""
import os
import sys

import corpus


def main():
    repo = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else corpus.REPO
    rows = corpus.live_rule_examples(repo)
    tmp = corpus.SNAPSHOT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("# category\tbad\tcontext\tpack\ttext -- written by model/snapshot_rules.py from"
                " the rule files' examples; edit the rules, not this file\n")
        for cat, bad, text, ctx, pack in rows:
            f.write(f"{cat}\t{int(bad)}\t{int(ctx)}\t{pack}\t{corpus.escape(text)}\n")
    os.replace(tmp, corpus.SNAPSHOT)
    print(f"{len(rows)} rule examples -> {corpus.SNAPSHOT}")


if __name__ == "__main__":
    main()
