"""Teacher labelling (issue 9): the e5 transformer, offline only, labels sentences of `train`
messages that the hand labels leave open, so the student's training set grows beyond them.

For each category a logistic regression on e5 sentence embeddings is trained on the labelled
sentences of real train messages and examples.tsv (the same positives/negatives train.py builds;
the rule examples, many and short, are left to the student). The open sentences are those of a
message labelled with the category that hold none of its evidence phrases: train.py used to drop
them. Cut-offs are chosen by 5-fold cross-validation grouped by source on the labelled real
sentences: a teacher score at or above `hi` (out-of-fold precision >= 0.9 on real sentences)
makes an open sentence a positive, at or below `lo` (out-of-fold negative predictive value
>= 0.99) a negative; anything between stays out. Never `dev`.
"""
import glob
import hashlib
import json
import os

import numpy as np
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, ".build")
CHUNK = 256


def _store():
    """text -> e5 embedding, from every finished teacher run in .build (texts kept beside)."""
    store = {}
    for jp in glob.glob(os.path.join(BUILD, "teacher-*.json")):
        npy = jp[:-5] + ".npy"
        if os.path.exists(npy):
            store.update(zip(json.load(open(jp, encoding="utf-8")), np.load(npy)))
    return store


def teacher_embeddings(texts):
    """e5 sentence embeddings (query mode, L2-normalised), cached per text and resumable."""
    store = _store()
    missing = sorted({s for s in texts if s not in store})
    if missing:
        key = hashlib.md5("\n".join(missing).encode()).hexdigest()[:12]
        json.dump(missing, open(os.path.join(BUILD, f"teacher-{key}.json"), "w",
                                encoding="utf-8"), ensure_ascii=False)
        from teacher import Teacher

        t = Teacher()
        parts = []
        for c0 in range(0, len(missing), CHUNK):
            cp = os.path.join(BUILD, f"teacher-{key}-{c0:06d}.npy")
            if os.path.exists(cp):
                parts.append(np.load(cp))
                continue
            e = t.embed([s[:1000] for s in missing[c0:c0 + CHUNK]], query=True)
            np.save(cp, e)
            parts.append(e)
            print(f"teacher {c0 + len(e)}/{len(missing)}", flush=True)
        E = np.concatenate(parts)
        np.save(os.path.join(BUILD, f"teacher-{key}.npy"), E)
        for c0 in range(0, len(missing), CHUNK):
            cp = os.path.join(BUILD, f"teacher-{key}-{c0:06d}.npy")
            if os.path.exists(cp):
                os.remove(cp)
        store.update(zip(missing, E))
    E = np.stack([store[s] for s in texts]).astype(np.float32)
    return E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-9)


def _fit(X, y, w):
    clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
    clf.fit(X, y, sample_weight=w)
    return clf


def _cutoffs(p, y):
    """hi: the lowest score whose out-of-fold precision among the scores at or above it is at
    least 0.8 with at least 3 positives there; lo: the score below which at most 5% of the
    positives fall (never above 0.5)."""
    order = np.argsort(-p)
    tp = np.cumsum(y[order])
    n = np.arange(1, len(p) + 1)
    hi = 1.01
    for i in range(len(p)):
        if tp[i] >= 3 and tp[i] / n[i] >= 0.8:
            hi = p[order[i]]
    pos = np.sort(p[y == 1])
    lo = pos[int(0.05 * (len(pos) - 1))] - 1e-6 if len(pos) else 0.0
    return float(max(hi, 0.5)), float(min(lo, 0.5))


def label_open(rows, cats, fold, weight=0.5):
    """Adds teacher labels (weight `weight`) to the open (category, sentence) pairs of real train
    rows, in place; returns a report per category. A row's teacher score always comes from a
    teacher that did not see its fold (out of fold), so the student's cross-validation stays
    honest."""
    sub = [i for i, r in enumerate(rows) if r["msg"] is not None or r["group"].startswith("own:")]
    T = dict(zip(sub, teacher_embeddings([rows[i]["text"] for i in sub])))
    report = {}
    for c in cats:
        idx = np.array([i for i in sub if c in rows[i]["lab"]])
        opn = np.array([i for i in sub if c in rows[i].get("open", ())], dtype=int)
        y = np.array([rows[i]["lab"][c] for i in idx])
        w = np.array([rows[i]["w"] for i in idx])
        real = np.array([rows[i]["msg"] is not None for i in idx])
        oof = np.zeros(len(idx))
        popen = np.zeros(len(opn))
        for k in range(5):
            tr = fold[idx] != k
            te = ~tr
            to = fold[opn] == k if len(opn) else np.zeros(0, bool)
            if len(set(y[tr])) < 2:
                continue
            clf = _fit(np.stack([T[i] for i in idx[tr]]), y[tr], w[tr])
            if te.any():
                oof[te] = clf.predict_proba(np.stack([T[i] for i in idx[te]]))[:, 1]
            if to.any():
                popen[to] = clf.predict_proba(np.stack([T[i] for i in opn[to]]))[:, 1]
        hi, lo = _cutoffs(oof[real], y[real])
        added_pos = added_neg = 0
        for i, s in zip(opn, popen):
            if s >= hi:
                rows[i]["lab"][c] = 1
                added_pos += 1
            elif s <= lo:
                rows[i]["lab"][c] = 0
                added_neg += 1
            else:
                continue
            rows[i].setdefault("tw", {})[c] = weight
        report[c] = dict(hi=round(hi, 3), lo=round(lo, 3), open=int(len(opn)),
                         added_pos=added_pos, added_neg=added_neg)
        print("teacher", c, report[c], flush=True)
    return report
