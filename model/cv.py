"""Recipe experiments for the learned layer, measured only on `train` (never `dev`): 5-fold
cross-validation grouped by source, message level, under the lint-time stage/consent gates.

    model/.venv/bin/python model/cv.py '{"ng_c": 1}' '{"top": {"early-pitch": 2}}' ...

Each argument is a variant of train.RECIPE (JSON). Prints, per category, the threshold train.py's
rule would choose and the out-of-fold message-level true/false positives (all, en, other).
"""
import json
import os
import sys

import train


def main():
    t = train.Teacher()
    pieces, scores = t.pieces()
    ids, q, scale = train.build_embeddings(t, pieces, scores)
    vocab = train.build_vocab(t, pieces, scores, ids)
    data = {}
    for arg in sys.argv[1:] or ["{}"]:
        v = json.loads(arg)
        cats = v.pop("cats", train.CATS)
        recipe = dict(train.RECIPE, **v)
        key = (recipe["more"], recipe["rule_spans"])
        if key not in data:
            rows, msgs = train.training_rows(*key)
            E, G = train.sentence_features([r["text"] for r in rows], vocab, q, scale)
            data[key] = rows, msgs, E, G
        rows, msgs, E, G = data[key]
        if recipe["soft"] > 0 and "T" not in data:
            data["T"] = train.teacher_matrix(rows)
        rep, oofs = train.crossval(rows, msgs, E, G, recipe, cats=cats, verbose=False,
                                T=data.get("T"))
        if os.environ.get("CV_DUMP"):
            json.dump({c: train.message_scores(msgs, oofs[c], c, recipe) for c in oofs},
                      open(os.environ["CV_DUMP"], "w"))
        print("==", arg)
        for c, r in rep.items():
            a, e, o = r["all"], r["en"], r["other"]
            print(f"  {c:24s} thr {r['threshold']:.3f} (msg {r['by_messages']:.3f} cap "
                  f"{r['sentence_cap']:.3f})  all {a['tp']}/{a['pos']} fp {a['fp']}/{a['neg']}"
                  f"  en {e['tp']}/{e['pos']} fp {e['fp']}  other {o['tp']}/{o['pos']} fp {o['fp']}"
                  f"  max clean {r['max_clean']:.3f} pos {r['pos_scores'][:6]}",
                  flush=True)


if __name__ == "__main__":
    main()
