"""Step 1 of the model build: choose the vocabulary pieces to distil and run the teacher on each.

Pieces are chosen by what real text in the nine languages uses: every piece of the most frequent
words per language (wordfreq is used only to pick ids; none of its data is shipped), in lower and
capitalised form, plus every piece of the training sentences and the rule examples. Each chosen
piece is embedded alone (<s> piece </s>, mean-pooled) by multilingual-e5-small. The raw teacher
rows are cached in .build/ by piece id, in chunks, so an interrupted run resumes.
"""
import glob
import json
import os
import sys

import numpy as np

import corpus
from teacher import Teacher

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, ".build")
LANGS = ["en", "es", "it", "nl", "pl", "he", "de", "fr", "pt"]
TOP_WORDS = int(os.environ.get("TACTFUL_TOP_WORDS", "6000"))
CHUNK = 512


def select_pieces(t):
    from wordfreq import top_n_list

    chosen = set()
    texts = []
    for lang in LANGS:
        for w in top_n_list(lang, TOP_WORDS):
            texts.append(w)
            texts.append(w[:1].upper() + w[1:])
    texts.extend(corpus.all_training_text())
    for text in texts:
        chosen.update(t.tokenize(text))
    for s in ("bos", "eos", "pad", "unk"):
        chosen.discard(t.special(s))
    return sorted(chosen)


def load_rows():
    """{piece id: raw teacher row} from every chunk distilled so far (.build/rows-*.npz)."""
    rows = {}
    for path in sorted(glob.glob(os.path.join(BUILD, "rows-*.npz"))):
        with np.load(path) as z:
            rows.update(zip(z["ids"].tolist(), z["rows"]))
    return rows


def main():
    os.makedirs(BUILD, exist_ok=True)
    t = Teacher()
    # The selection is a function of the committed inputs (wordfreq's lists, the train split,
    # the rule-example snapshot, the team's sentences), so a rebuild picks the same pieces; rows
    # are cached by piece id, so a changed selection distils only the pieces it adds.
    ids = select_pieces(t)
    with open(os.path.join(BUILD, "selected.json"), "w") as f:
        json.dump(ids, f)
    done = load_rows()
    todo = [i for i in ids if i not in done]
    print(f"{len(ids)} pieces selected, {len(todo)} to distil", flush=True)
    for c0 in range(0, len(todo), CHUNK):
        chunk = todo[c0:c0 + CHUNK]
        rows = t.forward_pieces(chunk)
        path = os.path.join(BUILD, f"rows-{chunk[0]:06d}-{len(chunk):03d}.npz")
        np.savez(path + ".tmp.npz", ids=np.array(chunk, dtype=np.int64), rows=rows)
        os.replace(path + ".tmp.npz", path)
        print(f"{min(c0 + CHUNK, len(todo))}/{len(todo)}", flush=True)
    print("distilled", flush=True)


if __name__ == "__main__":
    sys.exit(main())
