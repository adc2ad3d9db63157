/*
 * The engine's two per-page loops, compiled: the sift (text between a page's tags) and the
 * fast fingerprint (sampled window hashes). Each gives exactly what its numpy version in
 * extract.py / fingerprint.py gives (tests/engine/test_compiled.py checks it on hostile and
 * real pages); those stay the fallback when this module is not built.
 *
 * Hand-written because no library reads text from HTML without building a tree (the
 * cost the sift avoids), and the numpy versions spend most of their time in call
 * overhead and temporary arrays on a page of 50 kB.
 */
#define PY_SSIZE_T_CLEAN
#define _GNU_SOURCE /* memmem */
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* --- the sift ------------------------------------------------------------------------- */

typedef struct { Py_ssize_t *v; Py_ssize_t n, cap; } vec;

static int push(vec *a, Py_ssize_t x) {
    if (a->n == a->cap) {
        Py_ssize_t cap = a->cap ? a->cap * 2 : 64;
        Py_ssize_t *v = (Py_ssize_t *)realloc(a->v, (size_t)cap * sizeof(Py_ssize_t));
        if (!v) return -1;
        a->v = v; a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* the 8 bytes the numpy version reads after a "<" at lt: a window of the body starting at
   lt + 1, or at n - 8 when that runs past the end; letters lower-cased (| 0x20) */
static uint64_t after8(const unsigned char *b, Py_ssize_t n, Py_ssize_t lt) {
    Py_ssize_t at = lt + 1 < n - 8 ? lt + 1 : n - 8;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[at + i];
    return v | 0x2020202020202020ULL;
}

static int is_name(unsigned char x) { return (x >= 0x61 && x <= 0x7A) || (x >= 0x30 && x <= 0x39); }

static uint64_t prefix_value(const char *t) {
    uint64_t v = 0; size_t k = strlen(t);
    for (size_t i = 0; i < k; i++) v |= (uint64_t)(unsigned char)t[i] << (8 * i);
    return v;
}
static uint64_t prefix_mask(size_t k) { return k >= 8 ? ~0ULL : ((1ULL << (8 * k)) - 1); }

typedef struct { Py_ssize_t start, end; } span;

static int by_start(const void *a, const void *b) {
    Py_ssize_t x = ((const span *)a)->start, y = ((const span *)b)->start;
    return (x > y) - (x < y);
}

/* first of sorted[0..m) >= at, else dflt */
static Py_ssize_t first_at_or_after(const Py_ssize_t *sorted, Py_ssize_t m, Py_ssize_t at, Py_ssize_t dflt) {
    Py_ssize_t lo = 0, hi = m;
    while (lo < hi) { Py_ssize_t mid = (lo + hi) / 2; if (sorted[mid] < at) lo = mid + 1; else hi = mid; }
    return lo < m ? sorted[lo] : dflt;
}

static const char *MARKERS[] = {"application/ld+json", "__NEXT_DATA__", "__NUXT__", "Fusion.globalContent"};

static PyObject *between_tags(PyObject *self, PyObject *args) {
    Py_buffer buf; int keep_data = 0;
    if (!PyArg_ParseTuple(args, "y*|p", &buf, &keep_data)) return NULL;
    const unsigned char *b = (const unsigned char *)buf.buf;
    Py_ssize_t n = buf.len;
    vec marks = {0}, lts = {0}, sopen = {0}, sclose = {0}, topen = {0}, tclose = {0}, copen = {0}, cshut = {0};
    span *sp = NULL; unsigned char *out = NULL; PyObject *result = NULL; PyObject *datas = NULL;
    Py_ssize_t nlt = 0, i = 0;
    /* eight bytes at a time: most words of a page hold neither "<" nor ">" */
    const uint64_t ONES = 0x0101010101010101ULL, HIGHS = 0x8080808080808080ULL;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        uint64_t t = w | (2 * ONES);                 /* "<" and ">" both become ">" */
        uint64_t x = t ^ (0x3E * ONES);
        if (((x - ONES) & ~x & HIGHS) == 0) continue;
        for (Py_ssize_t j = i; j < i + 8; j++) {
            unsigned char c = b[j];
            if ((c | 2) == 0x3E) {
                if (push(&marks, j)) goto nomem;
                if (c == 0x3C) nlt++;
            }
        }
    }
    for (; i < n; i++) {
        unsigned char c = b[i];
        if ((c | 2) == 0x3E) {
            if (push(&marks, i)) goto nomem;
            if (c == 0x3C) nlt++;
        }
    }
    if (n < 8 || marks.n == 0) {
        result = Py_BuildValue("(y#nOnN)", (const char *)b, n, nlt, Py_False, n, PyList_New(0));
        goto done;
    }
    const uint64_t SCRIPT = prefix_value("script"), STYLE = prefix_value("style");
    const uint64_t CSCRIPT = prefix_value("/script"), CSTYLE = prefix_value("/style");
    const uint64_t COMMENT = prefix_value("!--");
    for (Py_ssize_t k = 0; k < marks.n; k++) {
        Py_ssize_t at = marks.v[k];
        if (b[at] == 0x3C) {
            if (push(&lts, at)) goto nomem;
            uint64_t a = after8(b, n, at);
            if ((a & prefix_mask(6)) == SCRIPT && !is_name((unsigned char)((a >> 48) & 0xFF))) { if (push(&sopen, at)) goto nomem; }
            if ((a & prefix_mask(7)) == CSCRIPT) { if (push(&sclose, at)) goto nomem; }
            if ((a & prefix_mask(5)) == STYLE && !is_name((unsigned char)((a >> 40) & 0xFF))) { if (push(&topen, at)) goto nomem; }
            if ((a & prefix_mask(6)) == CSTYLE) { if (push(&tclose, at)) goto nomem; }
            if ((a & prefix_mask(3)) == COMMENT) { if (push(&copen, at)) goto nomem; }
        } else {
            Py_ssize_t m1 = at - 1 > 0 ? at - 1 : 0, m2 = at - 2 > 0 ? at - 2 : 0;
            if (b[m1] == 0x2D && b[m2] == 0x2D) { if (push(&cshut, at)) goto nomem; }
        }
    }
    /* candidates, each with the end its own kind would have */
    Py_ssize_t ncand = sopen.n + topen.n + copen.n;
    sp = (span *)malloc((size_t)(ncand ? ncand : 1) * sizeof(span));
    if (!sp) goto nomem;
    Py_ssize_t c = 0;
    for (Py_ssize_t k = 0; k < sopen.n; k++) { sp[c].start = sopen.v[k]; sp[c++].end = first_at_or_after(sclose.v, sclose.n, sopen.v[k] + 1, n); }
    for (Py_ssize_t k = 0; k < topen.n; k++) { sp[c].start = topen.v[k]; sp[c++].end = first_at_or_after(tclose.v, tclose.n, topen.v[k] + 1, n); }
    for (Py_ssize_t k = 0; k < copen.n; k++) { sp[c].start = copen.v[k]; sp[c++].end = first_at_or_after(cshut.v, cshut.n, copen.v[k] + 4, n); }
    /* scripts that carry the page's text as data: their content, appended after the text */
    datas = PyList_New(0);
    if (!datas) goto fail;
    if (keep_data && sopen.n) {
        char *seen = (char *)calloc((size_t)sopen.n, 1);
        if (!seen) goto nomem;
        /* a marker counts for the nearest "<script" at or before it, within 400 bytes: so
           for each "<script", a marker starting before the next one and 400 bytes on */
        for (Py_ssize_t k = 0; k < sopen.n; k++) {
            Py_ssize_t from = sopen.v[k], upto = from + 400;
            if (k + 1 < sopen.n && sopen.v[k + 1] < upto) upto = sopen.v[k + 1];
            for (int m = 0; m < 4 && !seen[k]; m++) {
                size_t ml = strlen(MARKERS[m]);
                Py_ssize_t stop = upto - 1 + (Py_ssize_t)ml;  /* a marker may end past upto */
                if (stop > n) stop = n;
                if (stop - from >= (Py_ssize_t)ml && memmem(b + from, (size_t)(stop - from), MARKERS[m], ml)) seen[k] = 1;
            }
        }
        for (Py_ssize_t i = 0; i < sopen.n; i++) {
            if (!seen[i]) continue;
            Py_ssize_t at = sopen.v[i], end = sp[i].end, gt = -1;
            for (Py_ssize_t j = at; j < end; j++) if (b[j] == 0x3E) { gt = j; break; }
            Py_ssize_t from = gt + 1;  /* find() gives -1 when there is none: from 0, as in Python */
            PyObject *piece = PyBytes_FromStringAndSize((const char *)b + from, end > from ? end - from : 0);
            if (!piece || PyList_Append(datas, piece)) { Py_XDECREF(piece); free(seen); goto fail; }
            Py_DECREF(piece);
        }
        free(seen);
    }
    /* stretches as a tokenizer reads them: a candidate inside a kept one is no stretch */
    qsort(sp, (size_t)ncand, sizeof(span), by_start);
    Py_ssize_t kept = 0, shut = -1;
    for (Py_ssize_t k = 0; k < ncand; k++) {
        if (sp[k].start < shut) continue;
        sp[kept++] = sp[k];
        shut = sp[k].end;
    }
    int unclosed = 0; Py_ssize_t outside = n;
    if (kept) {
        unclosed = sp[kept - 1].end >= n && n - sp[kept - 1].start > 2048;
        for (Py_ssize_t k = 0; k < kept; k++) {
            Py_ssize_t upto = k + 1 < kept ? sp[k + 1].start : n;
            if (sp[k].end < upto) upto = sp[k].end;
            if (upto > sp[k].start) outside -= upto - sp[k].start;
        }
    }
    /* runs of text: from the start to the first mark, from each ">" that the next mark is a
       "<" to it, and from the last mark to the end unless it is a "<" */
    out = (unsigned char *)malloc((size_t)n + 1);
    if (!out) goto nomem;
    Py_ssize_t len = 0, sk = 0;
    for (Py_ssize_t k = -1; k < marks.n; k++) {
        Py_ssize_t rs, re;
        if (k == -1) { rs = 0; re = marks.v[0]; }
        else if (k == marks.n - 1) { if (b[marks.v[k]] == 0x3C) break; rs = marks.v[k]; re = n; }
        else { if (!(b[marks.v[k]] == 0x3E && b[marks.v[k + 1]] == 0x3C)) continue; rs = marks.v[k]; re = marks.v[k + 1]; }
        /* the last kept stretch starting at or before rs */
        while (sk < kept && sp[sk].start <= rs) sk++;
        if (sk > 0 && rs < sp[sk - 1].end) continue;
        /* a stretch starting after rs but before... only the last one at or before counts */
        if (re <= rs) continue;
        for (Py_ssize_t j = rs; j < re; j++) out[len++] = b[j] == 0x3E ? 0x20 : b[j];
    }
    PyObject *text = PyBytes_FromStringAndSize((const char *)out, len);
    if (!text) goto fail;
    result = Py_BuildValue("(NnOnN)", text, nlt, unclosed ? Py_True : Py_False, outside, datas);
    datas = NULL;
    goto done;
nomem:
    PyErr_NoMemory();
fail:
    result = NULL;
done:
    Py_XDECREF(datas);
    free(marks.v); free(lts.v); free(sopen.v); free(sclose.v); free(topen.v); free(tclose.v);
    free(copen.v); free(cshut.v); free(sp); free(out);
    PyBuffer_Release(&buf);
    return result;
}

/* --- the fast fingerprint ------------------------------------------------------------ */

static unsigned char BYTE_MAP[256];
#define SPACE 32
#define BASE 0x100000001B3ULL
static uint64_t BASE_INV;

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static PyObject *signature(PyObject *self, PyObject *args) {
    Py_buffer buf; Py_ssize_t window, sample;
    if (!PyArg_ParseTuple(args, "y*nn", &buf, &window, &sample)) return NULL;
    const unsigned char *raw = (const unsigned char *)buf.buf;
    Py_ssize_t n = buf.len;
    unsigned char *mapped = (unsigned char *)malloc((size_t)n + 1);
    unsigned char *data = (unsigned char *)malloc((size_t)n + 1);
    uint64_t *h = NULL;
    PyObject *result = NULL;
    if (!mapped || !data) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t i = 0; i < n; i++) mapped[i] = BYTE_MAP[raw[i]];
    if (n > 2) {
        for (Py_ssize_t i = 0; i < n - 2; i++)
            if (raw[i] == 0xE2 && (raw[i + 1] == 0x80 || raw[i + 1] == 0x81)) mapped[i] = mapped[i + 1] = mapped[i + 2] = SPACE;
        for (Py_ssize_t i = 0; i < n - 1; i++)
            if (raw[i] == 0xC2 && (raw[i + 1] == 0xA0 || raw[i + 1] == 0xAB || raw[i + 1] == 0xBB || raw[i + 1] == 0xAD)) mapped[i] = mapped[i + 1] = SPACE;
    }
    /* every word byte and the first separator after a word; leading separators dropped */
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int word = mapped[i] != SPACE, prev = i > 0 && mapped[i - 1] != SPACE;
        if (word || prev) data[m++] = mapped[i];
    }
    Py_ssize_t first = 0;
    while (first < m && data[first] == SPACE) first++;
    const unsigned char *d = data + first;
    m -= first;
    if (m < window) { result = PyBytes_FromStringAndSize("", 0); goto done; }
    /* prefix[j] = sum of d[i] * BASE^i for i < j; a window's hash is
       (prefix[s + window] - prefix[s]) * BASE^-s, all modulo 2^64 */
    uint64_t *prefix = (uint64_t *)malloc((size_t)(m + 1) * sizeof(uint64_t));
    h = (uint64_t *)malloc((size_t)(m / 2 + 2) * sizeof(uint64_t));
    if (!h || !prefix) { free(prefix); PyErr_NoMemory(); goto done; }
    prefix[0] = 0;
    uint64_t p = 1;
    for (Py_ssize_t j = 0; j < m; j++) { prefix[j + 1] = prefix[j] + (uint64_t)d[j] * p; p *= BASE; }
    Py_ssize_t kept = 0;
    uint64_t inv = 1;  /* BASE^-s */
    for (Py_ssize_t s = 0; s <= m - window; s++, inv *= BASE_INV) {
        if (s > 0 && d[s - 1] != SPACE) continue;  /* windows start at 0 and after a space */
        uint64_t x = (prefix[s + window] - prefix[s]) * inv;
        x ^= x >> 30; x *= 0xBF58476D1CE4E5B9ULL;
        x ^= x >> 27; x *= 0x94D049BB133111EBULL;
        x ^= x >> 31;
        int keep = (sample & (sample - 1)) == 0 ? (x & (uint64_t)(sample - 1)) == 0 : x % (uint64_t)sample == 0;
        if (keep) h[kept++] = x;
    }
    free(prefix);
    qsort(h, (size_t)kept, sizeof(uint64_t), cmp_u64);
    Py_ssize_t u = 0;
    for (Py_ssize_t i = 0; i < kept; i++) if (i == 0 || h[i] != h[u - 1]) h[u++] = h[i];
    result = PyBytes_FromStringAndSize((const char *)h, u * (Py_ssize_t)sizeof(uint64_t));
done:
    free(mapped); free(data); free(h);
    PyBuffer_Release(&buf);
    return result;
}

static PyMethodDef METHODS[] = {
    {"between_tags", between_tags, METH_VARARGS, "The sift: (text, '<' count, unclosed, outside, data)."},
    {"signature", signature, METH_VARARGS, "Sorted unique sampled window hashes (uint64 bytes)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_sift", NULL, -1, METHODS};

PyMODINIT_FUNC PyInit__sift(void) {
    /* BASE is odd: its inverse modulo 2^64 by Newton's iteration */
    uint64_t x = BASE;
    for (int k = 0; k < 6; k++) x *= 2 - BASE * x;
    BASE_INV = x;
    for (int i = 0; i < 256; i++) {
        unsigned char c = (unsigned char)i;
        if (i >= 0x80) BYTE_MAP[i] = c;
        else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) BYTE_MAP[i] = c;
        else if (c >= 'A' && c <= 'Z') BYTE_MAP[i] = (unsigned char)(c + 32);
        else BYTE_MAP[i] = SPACE;
    }
    return PyModule_Create(&MODULE);
}
