/*
 * The engine's two per-page loops, compiled: the sift (text between a page's tags) and the
 * fast fingerprint (sampled window hashes). Each gives exactly what its numpy version in
 * sifting.py / fingerprint.py gives (tests/engine/test_compiled.py checks it on hostile and
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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* room in a for `more` pushes without a check each: 0, or -1 with no memory */
static int reserve(vec *a, Py_ssize_t more) {
    if (a->n + more <= a->cap) return 0;
    Py_ssize_t cap = a->cap ? a->cap * 2 : 64;
    while (cap < a->n + more) cap *= 2;
    Py_ssize_t *v = (Py_ssize_t *)realloc(a->v, (size_t)cap * sizeof(Py_ssize_t));
    if (!v) return -1;
    a->v = v; a->cap = cap;
    return 0;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* The marks of b[0..i) for the largest i a multiple of 32 that fits, 32 bytes at a time
   where the processor has AVX2 (asked once, when the module loads): i, or -1 with no
   memory; the "<" among them are counted into *nlt. Every x86-64 processor has SSE2,
   which the loop in sift_core uses for the rest, and elsewhere; AVX2 halves the steps. */
static int HAVE_AVX2 = 0;
__attribute__((target("avx2")))
static Py_ssize_t marks_avx2(const unsigned char *b, Py_ssize_t n, vec *marks, Py_ssize_t *nlt) {
    const __m256i LT = _mm256_set1_epi8(0x3C), GT = _mm256_set1_epi8(0x3E), TWO = _mm256_set1_epi8(2);
    Py_ssize_t i = 0, count = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(b + i));
        uint32_t any = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_or_si256(v, TWO), GT));
        count += __builtin_popcount((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, LT)));
        if (marks->n + 32 > marks->cap && reserve(marks, 32)) return -1;
        /* four places written whatever the mask holds, then counted (a chunk holds a mark
           about every other time, which no branch predicts): more than four take a loop */
        Py_ssize_t *o = marks->v + marks->n;
        int k = __builtin_popcount(any);
        for (int j = 0; j < 4; j++) { o[j] = i + __builtin_ctz(any | 0x80000000u); any &= any - 1; }
        for (int j = 4; j < k; j++) { o[j] = i + __builtin_ctz(any); any &= any - 1; }
        marks->n += k;
    }
    *nlt += count;
    return i;
}
#endif

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

typedef struct {
    unsigned char *text;  /* the runs of text (malloc'd), then, with keep_data, each data
                             script's content after a space */
    Py_ssize_t len, nlt, outside, ndata;
    int unclosed;
    span *data;           /* the data scripts' content ranges (malloc'd) */
} sifted;

static void sifted_free(sifted *s) { free(s->text); free(s->data); s->text = NULL; s->data = NULL; }

/* The sift proper: what between_tags returns, into s (0), or -1 with no memory. With
   join_data the data scripts' content is appended to the text, each after a space (as
   b" ".join([text, *data]) does); without it only their ranges are kept. */
static int sift_core(const unsigned char *b, Py_ssize_t n, int keep_data, int join_data, sifted *s) {
    vec marks = {0}, sopen = {0}, sclose = {0}, topen = {0}, tclose = {0}, copen = {0}, cshut = {0};
    span *sp = NULL;
    int rc = -1;
    Py_ssize_t nlt = 0, i = 0;
    memset(s, 0, sizeof(*s));
#if defined(__x86_64__) && defined(__GNUC__)
    if (HAVE_AVX2 && (i = marks_avx2(b, n, &marks, &nlt)) < 0) goto out;
#endif
#ifdef __SSE2__
    /* sixteen bytes at a time: a mask of the "<" and ">" among them, one push per bit */
    const __m128i LT = _mm_set1_epi8(0x3C), GT = _mm_set1_epi8(0x3E), TWO = _mm_set1_epi8(2);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
        unsigned lt = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, LT));
        unsigned any = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(v, TWO), GT));
        while (any) {
            int k = __builtin_ctz(any);
            if (push(&marks, i + k)) goto out;
            nlt += (lt >> k) & 1;
            any &= any - 1;
        }
    }
#else
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
                if (push(&marks, j)) goto out;
                if (c == 0x3C) nlt++;
            }
        }
    }
#endif
    for (; i < n; i++) {
        unsigned char c = b[i];
        if ((c | 2) == 0x3E) {
            if (push(&marks, i)) goto out;
            if (c == 0x3C) nlt++;
        }
    }
    s->nlt = nlt;
    s->outside = n;
    if (n < 8 || marks.n == 0) {
        s->text = (unsigned char *)malloc((size_t)n + 1);
        if (!s->text) goto out;
        memcpy(s->text, b, (size_t)n);
        s->len = n;
        rc = 0;
        goto out;
    }
    const uint64_t SCRIPT = prefix_value("script"), STYLE = prefix_value("style");
    const uint64_t CSCRIPT = prefix_value("/script"), CSTYLE = prefix_value("/style");
    const uint64_t COMMENT = prefix_value("!--");
    for (Py_ssize_t k = 0; k < marks.n; k++) {
        Py_ssize_t at = marks.v[k];
        if (b[at] == 0x3C) {
            /* most tags are none of these: "<s…", "</s…" and "<!…" are all that can be (each
               byte read as after8 reads it, | 0x20); after8 reads other bytes near the end */
            if (at + 9 <= n) {
                unsigned char c1 = b[at + 1] | 0x20, c2 = b[at + 2] | 0x20;
                if (c1 != 's' && c1 != '!' && !(c1 == '/' && c2 == 's')) continue;
            }
            uint64_t a = after8(b, n, at);
            if ((a & prefix_mask(6)) == SCRIPT && !is_name((unsigned char)((a >> 48) & 0xFF))) { if (push(&sopen, at)) goto out; }
            if ((a & prefix_mask(7)) == CSCRIPT) { if (push(&sclose, at)) goto out; }
            if ((a & prefix_mask(5)) == STYLE && !is_name((unsigned char)((a >> 40) & 0xFF))) { if (push(&topen, at)) goto out; }
            if ((a & prefix_mask(6)) == CSTYLE) { if (push(&tclose, at)) goto out; }
            if ((a & prefix_mask(3)) == COMMENT) { if (push(&copen, at)) goto out; }
        } else {
            Py_ssize_t m1 = at - 1 > 0 ? at - 1 : 0, m2 = at - 2 > 0 ? at - 2 : 0;
            if (b[m1] == 0x2D && b[m2] == 0x2D) { if (push(&cshut, at)) goto out; }
        }
    }
    /* candidates, each with the end its own kind would have */
    Py_ssize_t ncand = sopen.n + topen.n + copen.n;
    sp = (span *)malloc((size_t)(ncand ? ncand : 1) * sizeof(span));
    if (!sp) goto out;
    Py_ssize_t c = 0;
    for (Py_ssize_t k = 0; k < sopen.n; k++) { sp[c].start = sopen.v[k]; sp[c++].end = first_at_or_after(sclose.v, sclose.n, sopen.v[k] + 1, n); }
    for (Py_ssize_t k = 0; k < topen.n; k++) { sp[c].start = topen.v[k]; sp[c++].end = first_at_or_after(tclose.v, tclose.n, topen.v[k] + 1, n); }
    for (Py_ssize_t k = 0; k < copen.n; k++) { sp[c].start = copen.v[k]; sp[c++].end = first_at_or_after(cshut.v, cshut.n, copen.v[k] + 4, n); }
    /* scripts that carry the page's text as data: their content, after the text */
    Py_ssize_t data_bytes = 0;
    if (keep_data && sopen.n) {
        s->data = (span *)malloc((size_t)sopen.n * sizeof(span));
        if (!s->data) goto out;
        /* a marker counts for the nearest "<script" at or before it, within 400 bytes: so
           for each "<script", a marker starting before the next one and 400 bytes on */
        for (Py_ssize_t k = 0; k < sopen.n; k++) {
            Py_ssize_t from = sopen.v[k], upto = from + 400;
            int seen = 0;
            if (k + 1 < sopen.n && sopen.v[k + 1] < upto) upto = sopen.v[k + 1];
            for (int m = 0; m < 4 && !seen; m++) {
                size_t ml = strlen(MARKERS[m]);
                Py_ssize_t stop = upto - 1 + (Py_ssize_t)ml;  /* a marker may end past upto */
                if (stop > n) stop = n;
                if (stop - from >= (Py_ssize_t)ml && memmem(b + from, (size_t)(stop - from), MARKERS[m], ml)) seen = 1;
            }
            if (!seen) continue;
            Py_ssize_t at = sopen.v[k], end = sp[k].end, gt = -1;
            for (Py_ssize_t j = at; j < end; j++) if (b[j] == 0x3E) { gt = j; break; }
            Py_ssize_t from2 = gt + 1;  /* find() gives -1 when there is none: from 0, as in Python */
            s->data[s->ndata].start = from2;
            s->data[s->ndata++].end = end > from2 ? end : from2;
            data_bytes += 1 + (end > from2 ? end - from2 : 0);
        }
    }
    /* stretches as a tokenizer reads them: a candidate inside a kept one is no stretch */
    qsort(sp, (size_t)ncand, sizeof(span), by_start);
    Py_ssize_t kept = 0, shut = -1;
    for (Py_ssize_t k = 0; k < ncand; k++) {
        if (sp[k].start < shut) continue;
        sp[kept++] = sp[k];
        shut = sp[k].end;
    }
    if (kept) {
        s->unclosed = sp[kept - 1].end >= n && n - sp[kept - 1].start > 2048;
        for (Py_ssize_t k = 0; k < kept; k++) {
            Py_ssize_t upto = k + 1 < kept ? sp[k + 1].start : n;
            if (sp[k].end < upto) upto = sp[k].end;
            if (upto > sp[k].start) s->outside -= upto - sp[k].start;
        }
    }
    /* runs of text: from the start to the first mark, from each ">" that the next mark is a
       "<" to it, and from the last mark to the end unless it is a "<" */
    s->text = (unsigned char *)malloc((size_t)n + (size_t)(join_data ? data_bytes : 0) + 1);
    if (!s->text) goto out;
    unsigned char *o = s->text;
    Py_ssize_t len = 0, sk = 0;
    for (Py_ssize_t k = -1; k < marks.n; k++) {
        Py_ssize_t rs, re;
        if (k == -1) { rs = 0; re = marks.v[0]; }
        else if (k == marks.n - 1) { if (b[marks.v[k]] == 0x3C) break; rs = marks.v[k]; re = n; }
        else { if (!(b[marks.v[k]] == 0x3E && b[marks.v[k + 1]] == 0x3C)) continue; rs = marks.v[k]; re = marks.v[k + 1]; }
        /* the last kept stretch starting at or before rs */
        while (sk < kept && sp[sk].start <= rs) sk++;
        if (sk > 0 && rs < sp[sk - 1].end) continue;
        if (re <= rs) continue;
        o[len++] = b[rs] == 0x3E ? 0x20 : b[rs];  /* a run starts at a ">" or at 0 */
        memcpy(o + len, b + rs + 1, (size_t)(re - rs - 1));  /* and holds no other mark */
        len += re - rs - 1;
    }
    if (join_data) {
        for (Py_ssize_t k = 0; k < s->ndata; k++) {
            o[len++] = 0x20;
            memcpy(o + len, b + s->data[k].start, (size_t)(s->data[k].end - s->data[k].start));
            len += s->data[k].end - s->data[k].start;
        }
    }
    s->len = len;
    rc = 0;
out:
    if (rc) sifted_free(s);
    free(marks.v); free(sopen.v); free(sclose.v); free(topen.v); free(tclose.v);
    free(copen.v); free(cshut.v); free(sp);
    return rc;
}

static PyObject *between_tags(PyObject *self, PyObject *args) {
    Py_buffer buf; int keep_data = 0;
    if (!PyArg_ParseTuple(args, "y*|p", &buf, &keep_data)) return NULL;
    sifted s;
    PyObject *result = NULL, *datas = NULL, *text = NULL;
    if (sift_core((const unsigned char *)buf.buf, buf.len, keep_data, 0, &s)) { PyErr_NoMemory(); goto done; }
    datas = PyList_New(0);
    if (!datas) goto done;
    for (Py_ssize_t k = 0; k < s.ndata; k++) {
        PyObject *piece = PyBytes_FromStringAndSize((const char *)buf.buf + s.data[k].start, s.data[k].end - s.data[k].start);
        if (!piece || PyList_Append(datas, piece)) { Py_XDECREF(piece); goto done; }
        Py_DECREF(piece);
    }
    text = PyBytes_FromStringAndSize((const char *)s.text, s.len);
    if (!text) goto done;
    result = Py_BuildValue("(OnOnO)", text, s.nlt, s.unclosed ? Py_True : Py_False, s.outside, datas);
done:
    Py_XDECREF(text); Py_XDECREF(datas);
    sifted_free(&s);
    PyBuffer_Release(&buf);
    return result;
}

/* --- the fast fingerprint ------------------------------------------------------------ */

static unsigned char BYTE_MAP[256];
#define SPACE 32
#define BASE 0x100000001B3ULL
/* the text is hashed in blocks of BLOCK window starts (see sign); POW[k] = BASE^k and
   INV_POW[k] = BASE^-k modulo 2^64, made when the module loads */
#define BLOCK 4096
#define MAX_WINDOW 256
static uint64_t POW[BLOCK + MAX_WINDOW], INV_POW[BLOCK];

/* an in-place sort of hashes: qsort's call per comparison was a fifth of a page's
   fingerprint; an insertion sort below 16, quicksort (middle pivot) above */
static void sort_u64(uint64_t *a, Py_ssize_t n) {
    while (n > 16) {
        uint64_t p = a[n / 2];
        Py_ssize_t i = 0, j = n - 1;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { uint64_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        /* recurse into the smaller part, loop on the larger: the stack stays shallow */
        if (j + 1 < n - i) { sort_u64(a, j + 1); a += i; n -= i; }
        else { sort_u64(a + i, n - i); n = j + 1; }
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        uint64_t x = a[i]; Py_ssize_t j = i;
        while (j > 0 && a[j - 1] > x) { a[j] = a[j - 1]; j--; }
        a[j] = x;
    }
}

/* Sort hashes: the mixed hashes are spread evenly over 64 bits, so a many are first dealt
   into buckets by their top bits (about four a bucket), each then sorted on its own: linear
   time, where the quicksort was a tenth of the sift. (Hashes crowded into few buckets, as
   no mix gives, only cost the quicksort's time again.) 0, or -1 with no memory. */
static int sort_hashes(uint64_t *a, Py_ssize_t n) {
    if (n <= 256) { sort_u64(a, n); return 0; }
    int bits = 1;
    while (((Py_ssize_t)1 << bits) < n / 4 && bits < 24) bits++;
    Py_ssize_t buckets = (Py_ssize_t)1 << bits;
    Py_ssize_t *start = (Py_ssize_t *)calloc((size_t)buckets + 1, sizeof(Py_ssize_t));
    uint64_t *out = (uint64_t *)malloc((size_t)n * sizeof(uint64_t));
    if (!start || !out) { free(start); free(out); return -1; }
    int shift = 64 - bits;
    for (Py_ssize_t i = 0; i < n; i++) start[(a[i] >> shift) + 1]++;
    for (Py_ssize_t b = 0; b < buckets; b++) start[b + 1] += start[b];
    for (Py_ssize_t i = 0; i < n; i++) out[start[a[i] >> shift]++] = a[i];
    /* start[b] is now the end of bucket b (the start of b + 1) */
    Py_ssize_t from = 0;
    for (Py_ssize_t b = 0; b < buckets; b++) {
        sort_u64(out + from, start[b] - from);
        from = start[b];
    }
    memcpy(a, out, (size_t)n * sizeof(uint64_t));
    free(start); free(out);
    return 0;
}

/* a window's sum, mixed (splitmix64), kept in h when 0 modulo `sample`: h's new count */
static inline Py_ssize_t keep_if_sampled(uint64_t *h, Py_ssize_t kept, uint64_t x, Py_ssize_t sample) {
    x ^= x >> 30; x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27; x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    int keep = (sample & (sample - 1)) == 0 ? (x & (uint64_t)(sample - 1)) == 0 : x % (uint64_t)sample == 0;
    h[kept] = x;  /* written always, counted when kept: no branch to mispredict */
    return kept + keep;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* sign's fold sixteen bytes at a time (SSSE3, asked once when the module loads), from raw[i]
   on, up to the first sixteen that hold a C2 or E2 byte (a typographic mark may start there:
   sign reads those one by one) or to the last sixteen that fit: the next i. The same as the
   loop in sign: BYTE_MAP by comparisons (ASCII letters lower-cased, digits and bytes from
   0x80 kept, the rest a space), then each byte kept that is a word byte or follows one,
   packed by a shuffle from COMPACT (a half's kept bytes, in order, for each mask of 8) */
static int HAVE_SSSE3 = 0;
static unsigned char COMPACT[256][8], KEPT[256];
__attribute__((target("ssse3")))
static Py_ssize_t fold_ssse3(const unsigned char *raw, Py_ssize_t n, Py_ssize_t i,
                             unsigned char *d, Py_ssize_t *m_io, int *prev_io) {
    const __m128i C2 = _mm_set1_epi8((char)0xC2), E2 = _mm_set1_epi8((char)0xE2);
    const __m128i SP = _mm_set1_epi8(SPACE), CASE = _mm_set1_epi8(0x20), ZERO = _mm_setzero_si128();
    Py_ssize_t m = *m_io;
    unsigned prev = (unsigned)*prev_io;
    for (; i + 16 <= n; i += 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(raw + i));
        if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(c, C2), _mm_cmpeq_epi8(c, E2)))) break;
        /* signed comparisons: the bytes from 0x80 are below zero, so in no ASCII range */
        __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(0x40)), _mm_cmplt_epi8(c, _mm_set1_epi8(0x5B)));
        __m128i lower = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(0x60)), _mm_cmplt_epi8(c, _mm_set1_epi8(0x7B)));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(0x2F)), _mm_cmplt_epi8(c, _mm_set1_epi8(0x3A)));
        __m128i word = _mm_or_si128(_mm_or_si128(upper, lower), _mm_or_si128(digit, _mm_cmplt_epi8(c, ZERO)));
        __m128i v = _mm_or_si128(c, _mm_and_si128(upper, CASE));
        v = _mm_or_si128(_mm_and_si128(word, v), _mm_andnot_si128(word, SP));
        unsigned w = (unsigned)_mm_movemask_epi8(word);
        unsigned keep = (w | (w << 1) | prev) & 0xFFFF;
        prev = (w >> 15) & 1;
        unsigned lo = keep & 0xFF, hi = keep >> 8;
        _mm_storel_epi64((__m128i *)(d + m), _mm_shuffle_epi8(v, _mm_loadl_epi64((const __m128i *)COMPACT[lo])));
        m += KEPT[lo];
        _mm_storel_epi64((__m128i *)(d + m), _mm_shuffle_epi8(_mm_srli_si128(v, 8), _mm_loadl_epi64((const __m128i *)COMPACT[hi])));
        m += KEPT[hi];
    }
    *m_io = m;
    *prev_io = (int)prev;
    return i;
}
#endif

/* The sampled, sorted, unique window hashes of raw[0..n) into *out (malloc'd; *count of
   them): 0, or -1 with no memory. What signature_numpy computes: bytes folded (ASCII
   letters lower-cased, punctuation and typographic marks a space), runs of spaces as one,
   then each window of `window` bytes starting at 0 or after a space hashed as
   sum(d[s + i] * BASE^i), mixed (splitmix64), kept when the mix is 0 modulo `sample`. */
__attribute__((optimize("no-tree-vectorize")))
static int sign(const unsigned char *raw, Py_ssize_t n, Py_ssize_t window, Py_ssize_t sample,
                uint64_t **out, Py_ssize_t *count) {
    unsigned char *d = (unsigned char *)malloc((size_t)n + 16);
    uint64_t *h = NULL;
    *out = NULL; *count = 0;
    if (!d) return -1;
    /* fold and collapse in one pass; a typographic mark (E2 80 xx, E2 81 xx; C2 A0, AB, BB,
       AD) makes its own bytes a space, as the numpy version's masks do (`force`: bytes
       still to blank). Sixteen bytes at a time where the processor can (fold_ssse3), the
       bytes around a C2 or E2 one by one. */
    Py_ssize_t m = 0, i = 0; int force = 0, prev_word = 0;
    while (i < n) {
#if defined(__x86_64__) && defined(__GNUC__)
        if (HAVE_SSSE3 && !force) i = fold_ssse3(raw, n, i, d, &m, &prev_word);
#endif
        Py_ssize_t stop = i + 16 < n ? i + 16 : n;
        for (; i < stop; i++) {
            unsigned char c = raw[i], v = BYTE_MAP[c];
            if (c >= 0xC2 && n > 2) {  /* rare on most pages: the branch is predicted */
                if (c == 0xE2 && i < n - 2 && (raw[i + 1] == 0x80 || raw[i + 1] == 0x81)) force = force > 3 ? force : 3;
                else if (c == 0xC2 && i < n - 1 && (raw[i + 1] == 0xA0 || raw[i + 1] == 0xAB || raw[i + 1] == 0xBB || raw[i + 1] == 0xAD)) force = force > 2 ? force : 2;
            }
            if (force) { v = SPACE; force--; }
            /* every word byte and the first separator after a word (so never a leading
               one), without a branch: word and space alternate too often to predict */
            int word = v != SPACE;
            d[m] = v;
            m += word | prev_word;
            prev_word = word;
        }
    }
    /* the window starts: 0 and each place after a space (a space is always followed by a
       word byte), found sixteen bytes at a time; the hashing below walks them without a
       search from one to the next, and the windows' sums and mixes, which do not depend
       on each other, overlap in the core */
    Py_ssize_t last = m - window, ns = 0;
    Py_ssize_t *st = (Py_ssize_t *)malloc(((size_t)m / 2 + 2) * sizeof(Py_ssize_t));
    if (!st) { free(d); return -1; }
    if (last >= 0) {
        st[ns++] = 0;
        Py_ssize_t j = 0;
#ifdef __SSE2__
        const __m128i SP = _mm_set1_epi8(SPACE);
        for (; j + 16 <= last; j += 16) {
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(d + j)), SP));
            while (mask) { st[ns++] = j + __builtin_ctz(mask) + 1; mask &= mask - 1; }
        }
#endif
        for (; j < last; j++) if (d[j] == SPACE) st[ns++] = j + 1;
    }
    if (m < window) { free(d); free(st); return 0; }
    h = (uint64_t *)malloc((size_t)(ns + 1) * sizeof(uint64_t));
    if (!h) { free(d); free(st); return -1; }
    Py_ssize_t kept = 0;
    if (window <= MAX_WINDOW) {
        /* Each window's hash from a prefix sum over a block of the text: with
           L[j] = sum over base <= k < j of d[k] * BASE^(k - base), a window starting at s
           sums to (L[s + window] - L[s]) * BASE^-(s - base), exactly (arithmetic modulo
           2^64, where the odd BASE has an inverse): one multiply a byte and one a window,
           where the sum written out took `window` multiplies a window, and a byte is in
           about five windows */
        uint64_t *L = (uint64_t *)malloc((size_t)(BLOCK + MAX_WINDOW + 1) * sizeof(uint64_t));
        if (!L) { free(d); free(h); free(st); return -1; }
        Py_ssize_t k = 0;
        for (Py_ssize_t base = 0; k < ns; base += BLOCK) {
            Py_ssize_t upto = base + BLOCK + window;  /* the prefix the block's windows need */
            if (upto > m) upto = m;
            uint64_t acc = 0;
            L[0] = 0;
            for (Py_ssize_t j = base; j < upto; j++) {
                acc += (uint64_t)d[j] * POW[j - base];
                L[j - base + 1] = acc;
            }
            for (; k < ns && st[k] < base + BLOCK; k++) {
                Py_ssize_t s = st[k] - base;
                kept = keep_if_sampled(h, kept, (L[s + window] - L[s]) * INV_POW[s], sample);
            }
        }
        free(L);
    } else {
        for (Py_ssize_t k = 0; k < ns; k++) {
            Py_ssize_t s = st[k];
            uint64_t x = 0, q = 1;
            for (Py_ssize_t i = 0; i < window; i++) { x += (uint64_t)d[s + i] * q; q *= BASE; }
            kept = keep_if_sampled(h, kept, x, sample);
        }
    }
    free(d); free(st);
    if (sort_hashes(h, kept) < 0) { free(h); return -1; }
    Py_ssize_t u = 0;
    for (Py_ssize_t i = 0; i < kept; i++) if (i == 0 || h[i] != h[u - 1]) h[u++] = h[i];
    *out = h; *count = u;
    return 0;
}

static PyObject *signature(PyObject *self, PyObject *args) {
    Py_buffer buf; Py_ssize_t window, sample;
    if (!PyArg_ParseTuple(args, "y*nn", &buf, &window, &sample)) return NULL;
    if (window < 1 || sample < 1) { PyBuffer_Release(&buf); PyErr_SetString(PyExc_ValueError, "window and sample must be >= 1"); return NULL; }
    uint64_t *h; Py_ssize_t u;
    PyObject *result = NULL;
    if (sign((const unsigned char *)buf.buf, buf.len, window, sample, &h, &u)) PyErr_NoMemory();
    else result = PyBytes_FromStringAndSize(h ? (const char *)h : "", u * (Py_ssize_t)sizeof(uint64_t));
    free(h);
    PyBuffer_Release(&buf);
    return result;
}

/* --- character references, as html.unescape reads them ------------------------------- */

/* set_references() fills these from Python's own html module: the text of "&#N;" for
   N < 0xA0 (where html.unescape has its special cases), and every HTML5 name */
static unsigned char *NUMERIC[0xA0];
static Py_ssize_t NUMERIC_LEN[0xA0];
typedef struct { char *name; Py_ssize_t len; char *value; Py_ssize_t vlen; } named;
static named *NAMES = NULL;
static Py_ssize_t NNAMES = 0;
/* each byte as windows-1252 text in UTF-8 (an undefined byte as U+FFFD): how the engine
   decodes a page whose bytes are not UTF-8 (decoding.decode_with) */
static unsigned char CP1252[256][4];
static unsigned char CP1252_LEN[256];

static int by_name(const void *a, const void *b) {
    const named *x = (const named *)a, *y = (const named *)b;
    Py_ssize_t k = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, (size_t)k);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static const named *find_name(const unsigned char *s, Py_ssize_t len) {
    named key = {(char *)s, len, NULL, 0};
    return (const named *)bsearch(&key, NAMES, (size_t)NNAMES, sizeof(named), by_name);
}

static PyObject *set_references(PyObject *self, PyObject *args) {
    PyObject *numeric, *names, *cp1252;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &numeric, &PyDict_Type, &names, &PyList_Type, &cp1252)) return NULL;
    if (PyList_GET_SIZE(numeric) != 0xA0 || PyList_GET_SIZE(cp1252) != 256) { PyErr_SetString(PyExc_ValueError, "160 numeric references, 256 bytes"); return NULL; }
    if (NAMES) return Py_NewRef(Py_None);  /* set once per process */
    for (Py_ssize_t i = 0; i < 256; i++) {
        char *v; Py_ssize_t len;
        if (PyBytes_AsStringAndSize(PyList_GET_ITEM(cp1252, i), &v, &len)) return NULL;
        if (len > 4) { PyErr_SetString(PyExc_ValueError, "a byte's text is at most 4 bytes"); return NULL; }
        memcpy(CP1252[i], v, (size_t)len);
        CP1252_LEN[i] = (unsigned char)len;
    }
    for (Py_ssize_t i = 0; i < 0xA0; i++) {
        char *v; Py_ssize_t len;
        if (PyBytes_AsStringAndSize(PyList_GET_ITEM(numeric, i), &v, &len)) return NULL;
        NUMERIC[i] = (unsigned char *)malloc((size_t)len + 1);
        if (!NUMERIC[i]) return PyErr_NoMemory();
        memcpy(NUMERIC[i], v, (size_t)len);
        NUMERIC_LEN[i] = len;
    }
    Py_ssize_t n = PyDict_Size(names), pos = 0, k = 0;
    named *table = (named *)calloc((size_t)(n ? n : 1), sizeof(named));
    if (!table) return PyErr_NoMemory();
    PyObject *key, *value;
    while (PyDict_Next(names, &pos, &key, &value)) {
        char *a, *b; Py_ssize_t la, lb;
        if (PyBytes_AsStringAndSize(key, &a, &la) || PyBytes_AsStringAndSize(value, &b, &lb)) return NULL;
        table[k].name = (char *)malloc((size_t)la + 1); table[k].value = (char *)malloc((size_t)lb + 1);
        if (!table[k].name || !table[k].value) return PyErr_NoMemory();
        memcpy(table[k].name, a, (size_t)la); memcpy(table[k].value, b, (size_t)lb);
        table[k].len = la; table[k].vlen = lb; k++;
    }
    qsort(table, (size_t)k, sizeof(named), by_name);
    NAMES = table; NNAMES = k;
    return Py_NewRef(Py_None);
}

static Py_ssize_t put_utf8(unsigned char *o, uint32_t cp) {
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | (cp >> 6)); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) { o[0] = (unsigned char)(0xE0 | (cp >> 12)); o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (unsigned char)(0x80 | (cp & 0x3F)); return 3; }
    o[0] = (unsigned char)(0xF0 | (cp >> 18)); o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* html.unescape's answer for "&#N;" (and "&#xN;", with or without the ";") */
static Py_ssize_t put_numeric(unsigned char *o, uint32_t num) {
    if (num < 0xA0) { memcpy(o, NUMERIC[num], (size_t)NUMERIC_LEN[num]); return NUMERIC_LEN[num]; }
    if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) return put_utf8(o, 0xFFFD);
    if ((num >= 0xFDD0 && num <= 0xFDEF) || (num & 0xFFFE) == 0xFFFE) return 0;  /* not characters */
    return put_utf8(o, num);
}

static int is_hex(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

static int excluded(unsigned char c) {  /* what ends a name: [\t\n\f <&#;] */
    return c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';';
}

/* html.unescape over UTF-8 t[0..n) into o (room for n * 2 + 8 bytes: no reference is
   shorter than twice its value, except "&#N" for N < 0xA0, at most 3 bytes for 4 or more);
   the length written, or -1 when a name holds a non-ASCII character within its first 32
   bytes (html.unescape counts characters, not bytes: the caller takes the Python path) */
static Py_ssize_t unescape(const unsigned char *t, Py_ssize_t n, unsigned char *o) {
    Py_ssize_t i = 0, len = 0;
    while (i < n) {
        const unsigned char *amp = (const unsigned char *)memchr(t + i, '&', (size_t)(n - i));
        Py_ssize_t upto = amp ? amp - t : n;
        memcpy(o + len, t + i, (size_t)(upto - i));
        len += upto - i;
        i = upto;
        if (i >= n) break;
        Py_ssize_t j = i + 1;
        if (j < n && t[j] == '#') {
            Py_ssize_t k = j + 1, r;
            int hex = k < n && (t[k] == 'x' || t[k] == 'X') && k + 1 < n && is_hex(t[k + 1]);
            if (hex) k++;
            else if (!(k < n && t[k] >= '0' && t[k] <= '9')) { o[len++] = '&'; i++; continue; }
            uint32_t num = 0;
            for (r = k; r < n && (hex ? is_hex(t[r]) : (t[r] >= '0' && t[r] <= '9')); r++) {
                unsigned d = t[r] <= '9' ? (unsigned)(t[r] - '0') : (unsigned)((t[r] | 0x20) - 'a' + 10);
                num = num * (hex ? 16u : 10u) + d;
                if (num > 0x110000) num = 0x110000;  /* saturates: anything past 0x10FFFF is U+FFFD */
            }
            if (r < n && t[r] == ';') r++;
            len += put_numeric(o + len, num);
            i = r;
            continue;
        }
        if (j >= n || excluded(t[j])) { o[len++] = '&'; i++; continue; }
        Py_ssize_t r = j;
        while (r < n && r - j < 32 && !excluded(t[r])) { if (t[r] >= 0x80) return -1; r++; }
        Py_ssize_t slen = r - j + (r < n && t[r] == ';');
        const named *hit = find_name(t + j, slen);
        Py_ssize_t x = slen;
        if (!hit) {  /* the longest name (of two or more) that the text starts with */
            for (x = slen - 1; x > 1 && !(hit = find_name(t + j, x)); x--) {}
        }
        if (hit) {
            memcpy(o + len, hit->value, (size_t)hit->vlen);
            len += hit->vlen;
            memcpy(o + len, t + j + x, (size_t)(slen - x));
            len += slen - x;
        } else {
            o[len++] = '&';
            memcpy(o + len, t + j, (size_t)slen);
            len += slen;
        }
        i = j + slen;
    }
    return len;
}

/* whether b[0..n) is UTF-8 that Python's strict decoder accepts */
static int valid_utf8(const unsigned char *b, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w; memcpy(&w, b + i, 8);
            if (!(w & 0x8080808080808080ULL)) { i += 8; continue; }
        }
        unsigned char c = b[i];
        if (c < 0x80) { i++; continue; }
        Py_ssize_t k; unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) k = 1;
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        else return 0;
        if (i + k >= n) return 0;
        if (b[i + 1] < lo || b[i + 1] > hi) return 0;
        for (Py_ssize_t q = 2; q <= k; q++) if (b[i + q] < 0x80 || b[i + q] > 0xBF) return 0;
        i += k + 1;
    }
    return 1;
}

/* The sift's bytes t[0..n) as the engine reads them (sifting._sifted_text): UTF-8, else
   windows-1252 (as decode_with falls back to), NULs left out, character references read.
   0 with *out (malloc'd; NULL when t is that text already) and *len; 1 when Python must
   read them (unescape's answer); -1 with no memory. */
static int read_text(const unsigned char *t, Py_ssize_t n, unsigned char **out, Py_ssize_t *len) {
    unsigned char *plain = NULL;
    Py_ssize_t m = n;
    *out = NULL; *len = n;
    if (!valid_utf8(t, n)) {
        plain = (unsigned char *)malloc((size_t)n * 3 + 1);
        if (!plain) return -1;
        m = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            unsigned char c = t[i];
            if (c < 0x80) { if (c) plain[m++] = c; }
            else { memcpy(plain + m, CP1252[c], CP1252_LEN[c]); m += CP1252_LEN[c]; }
        }
    } else if (memchr(t, 0, (size_t)n)) {
        plain = (unsigned char *)malloc((size_t)n + 1);
        if (!plain) return -1;
        m = 0;
        for (Py_ssize_t i = 0; i < n; i++) if (t[i]) plain[m++] = t[i];
    }
    const unsigned char *p = plain ? plain : t;
    if (!memchr(p, '&', (size_t)m)) { *out = plain; *len = m; return 0; }
    unsigned char *o = (unsigned char *)malloc((size_t)m * 2 + 8);
    if (!o) { free(plain); return -1; }
    Py_ssize_t k = unescape(p, m, o);
    free(plain);
    if (k < 0) { free(o); return 1; }
    *out = o; *len = k;
    return 0;
}

/* sift_signature(body, keep_data, window, sample) -> (hashes | None, text, tags, unclosed,
   outside, text_len): the sift and the fingerprint of what it read in one call, for a page
   that is (or claims to be) UTF-8 or Latin: what signature(sift(page)) gives, without
   three passes in Python between them (decode, html.unescape, encode). When the sifted
   text is not UTF-8, or a reference needs Python's own reading, the hashes are None and
   the text is the sifted bytes for the Python path; otherwise the text is None. */
static PyObject *sift_signature(PyObject *self, PyObject *args) {
    Py_buffer buf; int keep_data; Py_ssize_t window, sample;
    if (!PyArg_ParseTuple(args, "y*pnn", &buf, &keep_data, &window, &sample)) return NULL;
    if (window < 1 || sample < 1) { PyBuffer_Release(&buf); PyErr_SetString(PyExc_ValueError, "window and sample must be >= 1"); return NULL; }
    sifted s;
    PyObject *result = NULL;
    unsigned char *clean = NULL;
    uint64_t *h = NULL; Py_ssize_t u = 0;
    if (sift_core((const unsigned char *)buf.buf, buf.len, keep_data, 1, &s)) { PyErr_NoMemory(); goto done; }
    const unsigned char *t = s.text;
    Py_ssize_t n = s.len;
    int python = !NAMES;
    if (!python) {
        int rc = read_text(s.text, s.len, &clean, &n);
        if (rc < 0) { PyErr_NoMemory(); goto done; }
        python = rc;
        if (clean) t = clean;
    }
    if (python) {
        result = Py_BuildValue("(Oy#nOnn)", Py_None, (const char *)s.text, s.len, s.nlt,
                               s.unclosed ? Py_True : Py_False, s.outside, s.len);
        goto done;
    }
    if (sign(t, n, window, sample, &h, &u)) { PyErr_NoMemory(); goto done; }
    result = Py_BuildValue("(y#OnOnn)", h ? (const char *)h : "", u * (Py_ssize_t)sizeof(uint64_t),
                           Py_None, s.nlt, s.unclosed ? Py_True : Py_False, s.outside, s.len);
done:
    free(clean); free(h);
    sifted_free(&s);
    PyBuffer_Release(&buf);
    return result;
}

/* --- words (align.PageText) ------------------------------------------------------------- */

static inline int ascii_word(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* words_of(parts, owners, findall) -> (words, owners): the words (\w+) of each text part,
   and for each word the owner given with its part: a part in ASCII (nearly every block of
   a page) split here, where \w is letters, digits and "_"; any other given to findall
   (the expression itself). What align.PageText made with a findall and two extends a
   block. */
static PyObject *words_of(PyObject *self, PyObject *args) {
    PyObject *parts, *ids, *findall;
    if (!PyArg_ParseTuple(args, "O!O!O", &PyList_Type, &parts, &PyList_Type, &ids, &findall)) return NULL;
    Py_ssize_t np = PyList_GET_SIZE(parts);
    if (PyList_GET_SIZE(ids) != np) { PyErr_SetString(PyExc_ValueError, "a part without an owner"); return NULL; }
    PyObject *words = PyList_New(0), *owners = PyList_New(0);
    if (!words || !owners) goto fail;
    for (Py_ssize_t k = 0; k < np; k++) {
        PyObject *part = PyList_GET_ITEM(parts, k), *id = PyList_GET_ITEM(ids, k);
        if (!PyUnicode_Check(part)) { PyErr_SetString(PyExc_TypeError, "parts are str"); goto fail; }
        if (PyUnicode_IS_ASCII(part)) {
            const unsigned char *s = (const unsigned char *)PyUnicode_DATA(part);
            Py_ssize_t n = PyUnicode_GET_LENGTH(part), i = 0;
            while (i < n) {
                while (i < n && !ascii_word(s[i])) i++;
                Py_ssize_t start = i;
                while (i < n && ascii_word(s[i])) i++;
                if (i == start) break;
                PyObject *w = PyUnicode_New(i - start, 127);
                if (!w) goto fail;
                memcpy(PyUnicode_DATA(w), s + start, (size_t)(i - start));
                int rc = PyList_Append(words, w);
                Py_DECREF(w);
                if (rc < 0 || PyList_Append(owners, id) < 0) goto fail;
            }
        } else {
            PyObject *found = PyObject_CallOneArg(findall, part);
            if (!found) goto fail;
            if (!PyList_Check(found)) { Py_DECREF(found); PyErr_SetString(PyExc_TypeError, "findall gives a list"); goto fail; }
            Py_ssize_t m = PyList_GET_SIZE(found);
            for (Py_ssize_t j = 0; j < m; j++) {
                if (PyList_Append(words, PyList_GET_ITEM(found, j)) < 0 || PyList_Append(owners, id) < 0) { Py_DECREF(found); goto fail; }
            }
            Py_DECREF(found);
        }
    }
    PyObject *out = Py_BuildValue("(NN)", PyList_AsTuple(words), PyList_AsTuple(owners));
    Py_DECREF(words); Py_DECREF(owners);
    return out;
fail:
    Py_XDECREF(words); Py_XDECREF(owners);
    return NULL;
}

/* --- runs (align._runs) ------------------------------------------------------------------ */

/* runs(page, story, at, firsts, lasts, order, anchor) -> [(story_start, page_start, length)]:
   align._runs's loop over its anchors in C. page and story are the words as numbers (the
   story's; a page word the story lacks is -1, equal to none); the k-th anchor is the page's
   4-gram at at[k], found in the story at order[firsts[k]:lasts[k]] (the first 16 taken); an
   anchor whose word before is the story's word before is inside a run already found; each
   run is extended as far as the words agree. All int64 buffers. */
static PyObject *runs_of(PyObject *self, PyObject *args) {
    Py_buffer bp, bs, ba, bf, bl, bo;
    Py_ssize_t anchor;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*n", &bp, &bs, &ba, &bf, &bl, &bo, &anchor)) return NULL;
    PyObject *out = NULL;
    const int64_t *p = (const int64_t *)bp.buf, *s = (const int64_t *)bs.buf, *at = (const int64_t *)ba.buf,
                  *firsts = (const int64_t *)bf.buf, *lasts = (const int64_t *)bl.buf, *order = (const int64_t *)bo.buf;
    Py_ssize_t n = bp.len / 8, ns = bs.len / 8, na = ba.len / 8, no = bo.len / 8;
    if (bf.len != ba.len || bl.len != ba.len) { PyErr_SetString(PyExc_ValueError, "runs: anchors of one length"); goto done; }
    out = PyList_New(0);
    if (!out) goto done;
    for (Py_ssize_t k = 0; k < na; k++) {
        int64_t i = at[k], a = firsts[k], b = lasts[k];
        if (b - a > 16) b = a + 16;
        if (i < 0 || i + anchor > n || a < 0 || b > no) { PyErr_SetString(PyExc_ValueError, "runs: an anchor out of range"); Py_CLEAR(out); goto done; }
        for (int64_t q = a; q < b; q++) {
            int64_t j = order[q];
            if (j < 0 || j + anchor > ns) { PyErr_SetString(PyExc_ValueError, "runs: a story place out of range"); Py_CLEAR(out); goto done; }
            if (i && j && p[i - 1] == s[j - 1] && p[i - 1] >= 0) continue;
            int64_t length = anchor;
            while (i + length < n && j + length < ns && p[i + length] == s[j + length]) length++;
            PyObject *run = Py_BuildValue("(LLL)", (long long)j, (long long)i, (long long)length);
            if (!run || PyList_Append(out, run) < 0) { Py_XDECREF(run); Py_CLEAR(out); goto done; }
            Py_DECREF(run);
        }
    }
done:
    PyBuffer_Release(&bp); PyBuffer_Release(&bs); PyBuffer_Release(&ba);
    PyBuffer_Release(&bf); PyBuffer_Release(&bl); PyBuffer_Release(&bo);
    return out;
}

/* --- the heaviest chain of runs (align._predecessors) ----------------------------------- */

/* predecessors(story_starts, page_starts, lengths) -> (end, prev): align._predecessors's loop
   in C, sum for sum: each run's best is its length less 1e-3, or a fitting earlier run's
   best plus its length less 1e-3 ((best + length) - 1e-3, in that order, in doubles), the
   first of equal sums kept; end is the first run of the greatest best. The lists are
   int64 buffers of one length. */
static PyObject *predecessors(PyObject *self, PyObject *args) {
    Py_buffer bs, bp, bl;
    if (!PyArg_ParseTuple(args, "y*y*y*", &bs, &bp, &bl)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = bl.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *ss = (const int64_t *)bs.buf, *ps = (const int64_t *)bp.buf, *ls = (const int64_t *)bl.buf;
    double *best = NULL;
    Py_ssize_t *prev = NULL;
    if (bs.len != bl.len || bp.len != bl.len || n == 0) {
        PyErr_SetString(PyExc_ValueError, "predecessors: three int64 buffers of one length, not empty");
        goto done;
    }
    best = (double *)malloc((size_t)n * sizeof(double));
    prev = (Py_ssize_t *)malloc((size_t)n * sizeof(Py_ssize_t));
    if (!best || !prev) { PyErr_NoMemory(); goto done; }
    Py_ssize_t end = 0;
    for (Py_ssize_t b = 0; b < n; b++) {
        double len_b = (double)ls[b];
        best[b] = len_b - 1e-3;
        prev[b] = -1;
        for (Py_ssize_t a = 0; a < b; a++) {
            if (ss[a] + ls[a] <= ss[b] && ps[a] + ls[a] <= ps[b]) {
                double sum = (best[a] + len_b) - 1e-3;
                if (sum > best[b]) { best[b] = sum; prev[b] = a; }
            }
        }
        if (best[b] > best[end]) end = b;
    }
    PyObject *out = PyList_New(n);
    if (!out) goto done;
    for (Py_ssize_t b = 0; b < n; b++) {
        PyObject *v = PyLong_FromSsize_t(prev[b]);
        if (!v) { Py_DECREF(out); goto done; }
        PyList_SET_ITEM(out, b, v);
    }
    result = Py_BuildValue("(nN)", end, out);
done:
    free(best); free(prev);
    PyBuffer_Release(&bs); PyBuffer_Release(&bp); PyBuffer_Release(&bl);
    return result;
}

/* --- where a page carries text as data (embedded.py) ---------------------------------- */

/* a byte in lower case, as Python's re.IGNORECASE reads bytes (ASCII letters only) */
static inline unsigned char ascii_lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c | 0x20 : c; }

static inline int lower_is(const unsigned char *b, const char *w, Py_ssize_t k) {
    for (Py_ssize_t j = 0; j < k; j++) if (ascii_lower(b[j]) != (unsigned char)w[j]) return 0;
    return 1;
}

/* whether b[from..to) holds w (lower case, ASCII) in any case */
static int holds_ci(const unsigned char *b, Py_ssize_t from, Py_ssize_t to, const char *w, Py_ssize_t k) {
    for (Py_ssize_t p = from; p + k <= to; p++) if (ascii_lower(b[p]) == (unsigned char)w[0] && lower_is(b + p, w, k)) return 1;
    return 0;
}

/* i appended to places: 0, or -1 with an error set */
static int put_place(PyObject *places, Py_ssize_t i) {
    PyObject *at = PyLong_FromSsize_t(i);
    int rc = at ? PyList_Append(places, at) : -1;
    Py_XDECREF(at);
    return rc;
}

/* what one candidate place holds: a "<script" (any case) whose tag holds a data marker, or
   one of the markers embedded.py asks about (as written) */
static int look_at(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, int *markers, PyObject *ld,
                   PyObject *next, PyObject *styles) {
    unsigned char c = b[i];
    if (c == '<') {
        if (i + 6 <= n && lower_is(b + i + 1, "style", 5)) return put_place(styles, i);
        if (i + 7 > n || !lower_is(b + i + 1, "script", 6)) return 0;
        /* the tag: up to its first ">" (or the end); the expressions' [^>]* keep to it */
        const unsigned char *gt = (const unsigned char *)memchr(b + i + 7, '>', (size_t)(n - i - 7));
        Py_ssize_t end = gt ? gt - b : n;
        if (holds_ci(b, i + 7, end, "application/ld+json", 19) && put_place(ld, i) < 0) return -1;
        if (holds_ci(b, i + 7, end, "__next_data__", 13) && put_place(next, i) < 0) return -1;
    } else if (c == 'a') {
        if (i + 19 <= n && memcmp(b + i, "application/ld+json", 19) == 0) *markers |= 1;
    } else if (c == '_') {
        if (i + 13 <= n && memcmp(b + i, "__NEXT_DATA__", 13) == 0) *markers |= 2;
        if (i + 8 <= n && memcmp(b + i, "__NUXT__", 8) == 0) *markers |= 4;
    } else if (c == 'F') {
        if (i + 20 <= n && memcmp(b + i, "Fusion.globalContent", 20) == 0) *markers |= 8;
    }
    return 0;
}

/* data_marks(body) -> (markers, ld, next, styles): which of embedded.MARKERS the page
   holds (bits 1, 2, 4, 8, as written), the places of the "<script" tags (in any case) that
   say "application/ld+json" and "__NEXT_DATA__" (in any case) before their ">": the only
   places embedded's expressions can match at, and the places of "<style" (in any case),
   where styles.style_blocks looks. One pass, sixteen bytes at a time: each place where two
   bytes begin "<s", "ap", "__" or "Fu" is looked at; where embedded's four substring
   searches and two expressions, and style_blocks' search, each went through the page. */
static PyObject *data_marks(PyObject *self, PyObject *args) {
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "y*", &buf)) return NULL;
    const unsigned char *b = (const unsigned char *)buf.buf;
    Py_ssize_t n = buf.len, i = 0;
    int markers = 0;
    PyObject *ld = PyList_New(0), *next = PyList_New(0), *styles = PyList_New(0);
    if (!ld || !next || !styles) goto fail;
#ifdef __SSE2__
    const __m128i LT = _mm_set1_epi8('<'), S = _mm_set1_epi8('s'), A = _mm_set1_epi8('a'),
                  P = _mm_set1_epi8('p'), U = _mm_set1_epi8('_'), F = _mm_set1_epi8('F'),
                  LU = _mm_set1_epi8('u'), CASE = _mm_set1_epi8(0x20);
    for (; i + 17 <= n; i += 16) {
        __m128i v0 = _mm_loadu_si128((const __m128i *)(b + i)), v1 = _mm_loadu_si128((const __m128i *)(b + i + 1));
        __m128i hit = _mm_and_si128(_mm_cmpeq_epi8(v0, LT), _mm_cmpeq_epi8(_mm_or_si128(v1, CASE), S));
        hit = _mm_or_si128(hit, _mm_and_si128(_mm_cmpeq_epi8(v0, A), _mm_cmpeq_epi8(v1, P)));
        hit = _mm_or_si128(hit, _mm_and_si128(_mm_cmpeq_epi8(v0, U), _mm_cmpeq_epi8(v1, U)));
        hit = _mm_or_si128(hit, _mm_and_si128(_mm_cmpeq_epi8(v0, F), _mm_cmpeq_epi8(v1, LU)));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        while (mask) {
            if (look_at(b, n, i + __builtin_ctz(mask), &markers, ld, next, styles) < 0) goto fail;
            mask &= mask - 1;
        }
    }
#endif
    for (; i < n; i++) if (look_at(b, n, i, &markers, ld, next, styles) < 0) goto fail;
    PyBuffer_Release(&buf);
    return Py_BuildValue("(iNNN)", markers, ld, next, styles);
fail:
    Py_XDECREF(ld); Py_XDECREF(next); Py_XDECREF(styles);
    PyBuffer_Release(&buf);
    return NULL;
}

/* --- the index lookup ---------------------------------------------------------------- */

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* lookup(q, hashes, owners, sizes, bucket_starts, starts_itemsize, shift, probe, min_hits,
   min_share) -> [(story number, hits, share)]: StoryIndex.query's arithmetic, for every
   story that shares at least min_hits of the page's hashes and min_share of its own (in
   story-number order; numpy arrays in, no copies) */
static PyObject *lookup(PyObject *self, PyObject *args) {
    Py_buffer qb, hb, ob, sb, bb; Py_ssize_t itemsize, probe, min_hits; int shift; double min_share;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*ninnd", &qb, &hb, &ob, &sb, &bb, &itemsize, &shift, &probe, &min_hits, &min_share)) return NULL;
    const uint64_t *q = (const uint64_t *)qb.buf, *hs = (const uint64_t *)hb.buf;
    const int32_t *owners = (const int32_t *)ob.buf, *sizes = (const int32_t *)sb.buf;
    Py_ssize_t nq = qb.len / 8, nh = hb.len / 8, nb = bb.len / itemsize, ns = sb.len / 4;
    PyObject *result = PyList_New(0);
    int32_t *found = NULL; Py_ssize_t nf = 0, cap = 0;
    if (!result) goto done;
    for (Py_ssize_t k = 0; k < nq; k++) {
        uint64_t x = q[k];
        Py_ssize_t bucket = shift >= 64 ? 0 : (Py_ssize_t)(x >> shift);
        if (bucket + 1 >= nb) continue;
        Py_ssize_t lo, hi;
        if (itemsize == 4) { lo = ((const uint32_t *)bb.buf)[bucket]; hi = ((const uint32_t *)bb.buf)[bucket + 1]; }
        else { lo = (Py_ssize_t)((const int64_t *)bb.buf)[bucket]; hi = (Py_ssize_t)((const int64_t *)bb.buf)[bucket + 1]; }
        if (hi > nh) hi = nh;
        if (hi - lo > probe) {  /* a wide bucket (a hash in very many stories): search it */
            Py_ssize_t a = lo, b = hi;
            while (a < b) { Py_ssize_t mid = (a + b) / 2; if (hs[mid] < x) a = mid + 1; else b = mid; }
            lo = a;
        }
        for (Py_ssize_t i = lo; i < hi && hs[i] <= x; i++) {
            if (hs[i] != x) continue;
            if (nf == cap) {
                cap = cap ? cap * 2 : 64;
                int32_t *v = (int32_t *)realloc(found, (size_t)cap * sizeof(int32_t));
                if (!v) { PyErr_NoMemory(); Py_CLEAR(result); goto done; }
                found = v;
            }
            found[nf++] = owners[i];
        }
    }
    /* hits per story: sort the owners and count each run */
    qsort(found, (size_t)nf, sizeof(int32_t), cmp_i32);
    for (Py_ssize_t i = 0; i < nf;) {
        Py_ssize_t j = i;
        while (j < nf && found[j] == found[i]) j++;
        Py_ssize_t hits = j - i;
        int32_t o = found[i];
        double size = (o >= 0 && o < ns && sizes[o] > 1) ? (double)sizes[o] : 1.0;
        double share = (double)hits / size;
        if (hits >= min_hits && share >= min_share) {
            PyObject *row = Py_BuildValue("(ind)", (int)o, hits, share);
            if (!row || PyList_Append(result, row)) { Py_XDECREF(row); Py_CLEAR(result); goto done; }
            Py_DECREF(row);
        }
        i = j;
    }
done:
    free(found);
    PyBuffer_Release(&qb); PyBuffer_Release(&hb); PyBuffer_Release(&ob); PyBuffer_Release(&sb); PyBuffer_Release(&bb);
    return result;
}

/* wide() -> the processor's wider instructions the sift uses here (newswire doctor says) */
static PyObject *wide(PyObject *self, PyObject *args) {
#if defined(__x86_64__) && defined(__GNUC__)
    PyObject *out = PyList_New(0);
    if (!out) return NULL;
    const char *names[] = {"avx2", "ssse3"};
    int have[] = {HAVE_AVX2, HAVE_SSSE3};
    for (int k = 0; k < 2; k++) {
        if (!have[k]) continue;
        PyObject *name = PyUnicode_FromString(names[k]);
        if (!name || PyList_Append(out, name) < 0) { Py_XDECREF(name); Py_DECREF(out); return NULL; }
        Py_DECREF(name);
    }
    PyObject *wide = PyList_AsTuple(out);
    Py_DECREF(out);
    return wide;
#endif
    return PyTuple_New(0);
}

static PyMethodDef METHODS[] = {
    {"wide", wide, METH_NOARGS, "The wider instructions in use (NEWSWIRE_PLAIN_C=1: none)."},
    {"between_tags", between_tags, METH_VARARGS, "The sift: (text, '<' count, unclosed, outside, data)."},
    {"signature", signature, METH_VARARGS, "Sorted unique sampled window hashes (uint64 bytes)."},
    {"sift_signature", sift_signature, METH_VARARGS, "The sift and the fingerprint of its text in one call."},
    {"set_references", set_references, METH_VARARGS, "html.unescape's tables (set once)."},
    {"lookup", lookup, METH_VARARGS, "StoryIndex.query's hits and shares."},
    {"words_of", words_of, METH_VARARGS, "The words of text parts, each with its part's owner (align.PageText)."},
    {"runs", runs_of, METH_VARARGS, "align._runs's loop over its anchors: [(story_start, page_start, length)]."},
    {"predecessors", predecessors, METH_VARARGS, "align._predecessors's loop: (end, prev)."},
    {"data_marks", data_marks, METH_VARARGS, "Where a page may carry text as data (embedded.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_sift", NULL, -1, METHODS};

PyMODINIT_FUNC PyInit__sift(void) {
    /* BASE is odd: its inverse modulo 2^64 by Newton's iteration (each step doubles the
       bits that are right: 3 to start with, 96 after five) */
    uint64_t inv = BASE;
    for (int i = 0; i < 5; i++) inv *= 2 - BASE * inv;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    HAVE_AVX2 = __builtin_cpu_supports("avx2") && !getenv("NEWSWIRE_PLAIN_C");
    HAVE_SSSE3 = __builtin_cpu_supports("ssse3") && !getenv("NEWSWIRE_PLAIN_C");
    for (int mask = 0; mask < 256; mask++) {
        int k = 0;
        for (int b = 0; b < 8; b++) if (mask >> b & 1) COMPACT[mask][k++] = (unsigned char)b;
        KEPT[mask] = (unsigned char)k;
        while (k < 8) COMPACT[mask][k++] = 0x80;  /* a shuffle index with its top bit: zero */
    }
#endif
    POW[0] = 1, INV_POW[0] = 1;
    for (int k = 1; k < BLOCK + MAX_WINDOW; k++) POW[k] = POW[k - 1] * BASE;
    for (int k = 1; k < BLOCK; k++) INV_POW[k] = INV_POW[k - 1] * inv;
    if (BASE * inv != 1) {
        PyErr_SetString(PyExc_ImportError, "_sift: no inverse of the hash base");
        return NULL;
    }
    for (int i = 0; i < 256; i++) {
        unsigned char c = (unsigned char)i;
        if (i >= 0x80) BYTE_MAP[i] = c;
        else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) BYTE_MAP[i] = c;
        else if (c >= 'A' && c <= 'Z') BYTE_MAP[i] = (unsigned char)(c + 32);
        else BYTE_MAP[i] = SPACE;
    }
    return PyModule_Create(&MODULE);
}
