"""Transfer across languages for the thin categories, measured on the team's own sentences
(never `dev`): for each language L, the heads learn from every training row except those in L
(real train messages in L, the team's sentences in L, the examples of rules/L/), then score
the team's sentences in L for each category. Real positives of assumed-closeness,
signup-without-consent and hollow-referral are too few (5, 12, 3) for the grouped CV alone.

    model/.venv/bin/python model/langcv.py '{"emb_head": "mlp"}' ...

Each argument is a variant of train.RECIPE (JSON); "thr" {category: threshold} sets where recall
and false alarms are counted (default: the committed thresholds). Prints per category, summed
over the nine held-out languages: positives found / positives, negatives flagged / negatives,
and the mean average precision over the languages (threshold-free).
"""
import json
import os
import sys

import numpy as np

import corpus
import train

CATS = ["assumed-closeness", "signup-without-consent", "ask-before-give", "hollow-referral"]
LANGS = ["en", "es", "it", "nl", "pl", "he", "de", "fr", "pt"]
DEFAULT_THR = {"assumed-closeness": 0.9, "signup-without-consent": 0.981,
               "ask-before-give": 0.914, "hollow-referral": 0.836}


def rule_texts(lang):
    """The sentences of the rule examples the heads learn from that come from rules/<lang>/
    (training rows are sentences)."""
    return {s for r in corpus.rule_example_rows() if r[4] == lang for s in corpus.sentences(r[2])}


def ap(scores, labels):
    order = np.argsort(-scores)
    y = labels[order]
    if y.sum() == 0:
        return float("nan")
    prec = np.cumsum(y) / np.arange(1, len(y) + 1)
    return float((prec * y).sum() / y.sum())


def main():
    t = train.Teacher()
    pieces, scores = t.pieces()
    ids, q, scale = train.build_embeddings(t, pieces, scores)
    vocab = train.build_vocab(t, pieces, scores, ids)
    rows, msgs = train.training_rows()
    E, G = train.sentence_features([r["text"] for r in rows], vocab, q, scale)
    lang_of = np.array([rows[i].get("lang") or (msgs[rows[i]["msg"]]["lang"]
                                                if rows[i]["msg"] is not None else "")
                        for i in range(len(rows))], dtype=object)
    own = np.array([r["group"].startswith("own:") for r in rows])
    rtexts = {L: rule_texts(L) for L in LANGS}
    T = None
    for arg in sys.argv[1:] or ["{}"]:
        v = json.loads(arg)
        thr = dict(DEFAULT_THR, **v.pop("thr", {}))
        recipe = dict(train.RECIPE, **v)
        if recipe["soft"] > 0 and T is None:
            T = train.teacher_matrix(rows)
        fold = train.folds_of(rows)
        tot = {c: [0, 0, 0, 0, []] for c in CATS}
        dump = {c: [] for c in CATS}
        for L in LANGS:
            out_L = (lang_of == L) | np.array([r["group"].startswith("rule:") and r["text"] in rtexts[L]
                                              for r in rows])
            keep = ~out_L
            test = np.where(own & (lang_of == L))[0]
            soft = None
            if recipe["soft"] > 0:
                # the teacher learns without L too: its folds are the usual ones, minus L's rows
                Tm = T.copy()
                Tm[out_L] = np.nan
                soft = train.teacher_soft(rows, Tm, fold, list(range(5)), recipe)
            tg = {c: train.targets(rows, c, recipe, None if soft is None else soft[c], keep)
                  for c in train.CATS}
            if recipe["emb_head"] == "mlp":
                P = train.fit_mlp_heads(E, tg, recipe)
                pe_all = train.sigmoid(train.mlp_logits(P, E[test]))
            for c in CATS:
                idx, y, w = tg[c]
                lab = [(i, rows[i]["lab"][c]) for i in test if c in rows[i]["lab"]]
                if not lab:
                    continue
                ti = np.array([i for i, _ in lab])
                ty = np.array([l for _, l in lab])
                if recipe["emb_head"] == "mlp":
                    pe = pe_all[np.searchsorted(test, ti), train.CATS.index(c)]
                else:
                    pe = train.fit(E, idx, y, w, recipe["emb_c"]).predict_proba(E[ti])[:, 1]
                pg = train.fit(G, idx, y, w, recipe["ng_c"]).predict_proba(G[ti])[:, 1]
                p = train.mix_probs(recipe, pe, pg)
                r = tot[c]
                r[0] += int(((p >= thr[c]) & (ty == 1)).sum())
                r[1] += int((ty == 1).sum())
                r[2] += int(((p >= thr[c]) & (ty == 0)).sum())
                r[3] += int((ty == 0).sum())
                dump[c] += [(float(x), int(l), L) for x, l in zip(p, ty)]
                a = ap(p, ty)
                if not np.isnan(a):
                    r[4].append(a)
        if os.environ.get("LANGCV_DUMP"):
            json.dump(dump, open(os.environ["LANGCV_DUMP"], "w"))
        print("==", arg)
        for c, r in tot.items():
            print(f"  {c:24s} thr {thr[c]:.3f}  found {r[0]}/{r[1]}  flagged {r[2]}/{r[3]}  "
                  f"mean AP {np.mean(r[4]):.3f}", flush=True)


if __name__ == "__main__":
    main()
