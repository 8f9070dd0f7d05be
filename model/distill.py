"""Step 1 of the model build: choose the vocabulary pieces to distil and run the teacher on each.

Pieces are chosen by what real text in the nine languages uses: every piece of the most frequent
words per language (wordfreq is used only to pick ids; none of its data is shipped), in lower and
capitalised form, plus every piece of the training sentences and the rule examples. Each chosen
piece is embedded alone (<s> piece </s>, mean-pooled) by multilingual-e5-small. The raw teacher
rows are cached in .build/ in chunks, so an interrupted run resumes.
"""
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


def main():
    os.makedirs(BUILD, exist_ok=True)
    t = Teacher()
    sel_path = os.path.join(BUILD, "selected.json")
    if os.path.exists(sel_path):
        ids = json.load(open(sel_path))
    else:
        ids = select_pieces(t)
        json.dump(ids, open(sel_path, "w"))
    print(f"{len(ids)} pieces to distil", flush=True)
    for c0 in range(0, len(ids), CHUNK):
        path = os.path.join(BUILD, f"raw-{c0:06d}.npy")
        if os.path.exists(path):
            continue
        rows = t.forward_pieces(ids[c0:c0 + CHUNK])
        np.save(path + ".tmp.npy", rows)
        os.replace(path + ".tmp.npy", path)
        print(f"{min(c0 + CHUNK, len(ids))}/{len(ids)}", flush=True)
    print("distilled", flush=True)


if __name__ == "__main__":
    sys.exit(main())
