"""The sentence features exactly as src/learned computes them: the unigram tokeniser over the
shipped vocabulary, mean-pooled int8 rows, and hashed n-grams. The golden test pins the two."""
import math

import numpy as np

META = "\u2581"
BUCKET_BITS = 18
PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»„‚…–—¿¡·•"
MAX_GRAM_WORD = 40


class Vocab:
    def __init__(self, pieces, norm, unk_score):
        """pieces: {piece: (score, row or None)}; norm: {cp: [cps]}."""
        self.pieces = pieces
        self.norm = norm
        self.unk_score = unk_score
        self.max_bytes = max(len(p.encode("utf-8")) for p in pieces)
        # every proper prefix of a piece: the walk from a position stops where no piece goes on,
        # as the fst walk in Rust does
        self.prefixes = set()
        for p in pieces:
            for k in range(1, len(p)):
                self.prefixes.add(p[:k])

    def tokenize(self, text):
        cps = []
        for ch in text:
            r = self.norm.get(ord(ch))
            if r is None:
                cps.append(ch)
            else:
                cps.extend(chr(c) for c in r)
        out = []
        for c in cps:
            if c == " " and out and out[-1] == " ":
                continue
            out.append(c)
        chars = [] if out and out[0] == " " else [META]
        chars += [META if c == " " else c for c in out]
        text = "".join(chars)
        n = len(chars)
        blen = [len(c.encode("utf-8")) for c in chars]
        best = [-math.inf] * (n + 1)
        back = [None] * (n + 1)
        best[0] = 0.0
        f32 = np.float32
        for i in range(n):
            if best[i] == -math.inf:
                continue
            nb = 0
            for e in range(i + 1, n + 1):
                nb += blen[e - 1]
                if nb > self.max_bytes:
                    break
                sub = text[i:e]
                p = self.pieces.get(sub)
                if p is None and sub not in self.prefixes:
                    break
                if p is not None:
                    sc = float(f32(best[i]) + f32(p[0]))
                    if sc > best[e]:
                        best[e] = sc
                        back[e] = (i, p)
            us = float(f32(best[i]) + f32(self.unk_score))
            if us > best[i + 1]:
                best[i + 1] = us
                back[i + 1] = (i, None)
        toks = []
        i = n
        while i > 0:
            j, p = back[i]
            toks.append(p)
            i = j
        return toks[::-1]


def embed(vocab, rows, scales, text):
    acc = np.zeros(rows.shape[1], np.float32)
    for p in vocab.tokenize(text):
        if p is None or p[1] is None:
            continue
        acc += rows[p[1]].astype(np.float32) * scales[p[1]]
    n = float(np.sqrt(np.sum(acc * acc)))
    if n > 1e-12:
        acc /= np.float32(n)
    return acc


def _fnv(tag, data):
    h = 0x811C9DC5
    for b in (tag + ":").encode("utf-8") + data.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h & ((1 << BUCKET_BITS) - 1)


def buckets(text):
    words = [w.strip(PUNCT) for w in text.lower().split()]
    words = [w for w in words if w]
    out = []
    for i, w in enumerate(words):
        out.append(_fnv("w", w))
        if i + 1 < len(words):
            out.append(_fnv("b", w + " " + words[i + 1]))
        if len(w) > MAX_GRAM_WORD:
            continue
        chars = "<" + w + ">"
        for n in (3, 4, 5):
            for k in range(len(chars) - n + 1):
                out.append(_fnv("c", chars[k:k + n]))
    return out
