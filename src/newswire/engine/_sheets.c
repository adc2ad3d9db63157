/* The reading of a stylesheet into rules (styles._read_sheet's loop), compiled.
 *
 * styles.py reads every stylesheet of a page that may hold a story (a news site's run to
 * 50-500 KB, and a page's inline <style> blocks to 1 MB): cut into blocks, each block's
 * declarations looked at for a property the reader view honours, each selector list split
 * and each selector's rightmost compound (tag, id, classes) and needed ids and classes
 * read. In Python that is about 5 us a rule and a third of the style pass, on a page of
 * the crawl that a browser would not even have to parse again; here it is a pass over
 * the bytes. No library does this part: tinycss2 and cssselect2 (which styles.py uses
 * for what is not plain) tokenize in Python, and lexbor's CSS parser is not exported by
 * selectolax.
 *
 * read_blocks(css) gives, for each block of css (comments and unapplied at-rules already
 * cut by styles.py) in order, one of:
 *   (selector, body, tag, id, classes, needs, hides, shows)  a selector read here;
 *   (group, body, hides, shows)     a selector list with nested parentheses: styles.py
 *                                   splits it (tinycss2) and reads each selector;
 *   (group, body)                   a block holding a byte outside ASCII: styles.py reads
 *                                   it whole (str.lower, \s and \w are Unicode there).
 * Blocks without an honoured property, and selector lists that are empty, at-rules or
 * hostile (styles.MAX_SELECTOR, MAX_NESTING), give nothing, as in styles.py.
 *
 * Every test here is a regular expression of styles.py written out for ASCII text
 * (_RELEVANT, _MAY_HIDE, _SHOWING_AGAIN, _key_and_needs's, _split_group's); styles.py
 * keeps the Python reading as the reference and uses it where this module is missing,
 * and tests/engine/test_styles.py compares the two on every sheet of the dev corpus and
 * on generated sheets.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static PyObject *NAMES = NULL;      /* tuple of bytes: the honoured properties */
static PyTypeObject *RULE = NULL;   /* styles.Rule, a named tuple of seven fields */
static Py_ssize_t MAX_SELECTOR = 4000, MAX_NESTING = 32;
static PyObject *EMPTY = NULL, *EMPTY_TUPLE = NULL, *EMPTY_SET = NULL;

/* Python's \s and str.isspace() on ASCII: \t \n \v \f \r, \x1c-\x1f and the space */
static inline int ws(unsigned char c) { return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20); }
static inline int lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c | 0x20 : c; }
static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
/* \w on ASCII, and [^\W\d] */
static inline int word(unsigned char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_'; }
static inline int word_start(unsigned char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_'; }

/* does folded s[at..n) start with the literal w? */
static inline int at_word(const unsigned char *s, Py_ssize_t n, Py_ssize_t at, const char *w, Py_ssize_t k) {
    return at + k <= n && memcmp(s + at, w, (size_t)k) == 0;
}
static inline Py_ssize_t skip_ws(const unsigned char *s, Py_ssize_t n, Py_ssize_t at) {
    while (at < n && ws(s[at])) at++;
    return at;
}
/* "name \s* : \s*" at at: the position after it, or -1 */
static Py_ssize_t after_colon(const unsigned char *s, Py_ssize_t n, Py_ssize_t at, const char *name) {
    Py_ssize_t k = (Py_ssize_t)strlen(name);
    if (!at_word(s, n, at, name, k)) return -1;
    at = skip_ws(s, n, at + k);
    if (at >= n || s[at] != ':') return -1;
    return skip_ws(s, n, at + 1);
}
/* Python's $ (no MULTILINE): the end, or a last "\n" */
static inline int at_end(Py_ssize_t n, const unsigned char *s, Py_ssize_t at) {
    return at == n || (at == n - 1 && s[at] == '\n');
}
static int contains(const unsigned char *s, Py_ssize_t n, const char *w) {
    Py_ssize_t k = (Py_ssize_t)strlen(w);
    return k <= n && memmem(s, (size_t)n, w, (size_t)k) != NULL;
}

/* _RELEVANT: (?:^|[;{\s])(?:names)\s*: */
static int relevant(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t nn = PyTuple_GET_SIZE(NAMES);
    for (Py_ssize_t p = 0; p < n; p++) {
        if (p > 0 && !(s[p - 1] == ';' || s[p - 1] == '{' || ws(s[p - 1]))) continue;
        for (Py_ssize_t j = 0; j < nn; j++) {
            PyObject *name = PyTuple_GET_ITEM(NAMES, j);
            Py_ssize_t k = PyBytes_GET_SIZE(name);
            if (s[p] != (unsigned char)PyBytes_AS_STRING(name)[0] || !at_word(s, n, p, PyBytes_AS_STRING(name), k)) continue;
            Py_ssize_t q = skip_ws(s, n, p + k);
            if (q < n && s[q] == ':') return 1;
        }
    }
    return 0;
}

/* after "0" (font-size) or "[01]" (width, height): (?:\.0+)? then what may follow */
static Py_ssize_t zeros(const unsigned char *s, Py_ssize_t n, Py_ssize_t q) {
    if (q + 1 < n && s[q] == '.' && s[q + 1] == '0') {
        q += 1;
        while (q < n && s[q] == '0') q++;
    }
    return q;
}
static inline int ends_declaration(const unsigned char *s, Py_ssize_t n, Py_ssize_t q) {
    q = skip_ws(s, n, q);
    return at_end(n, s, q) || (q < n && (s[q] == ';' || s[q] == '!'));
}

/* _MAY_HIDE over the folded block */
static int may_hide(const unsigned char *s, Py_ssize_t n) {
    if (contains(s, n, "scale") || contains(s, n, "matrix") || contains(s, n, "translate")
        || contains(s, n, "clip") || contains(s, n, "text-indent") || contains(s, n, "url("))
        return 1;
    for (Py_ssize_t p = 0; p < n; p++) {
        unsigned char c = s[p];
        Py_ssize_t q;
        if (c == 'd' && (q = after_colon(s, n, p, "display")) >= 0) {
            if (at_word(s, n, q, "none", 4)) return 1;
        } else if (c == 'v' && (q = after_colon(s, n, p, "visibility")) >= 0) {
            if (at_word(s, n, q, "hidden", 6) || at_word(s, n, q, "collapse", 8)) return 1;
        } else if (c == 'o' && (q = after_colon(s, n, p, "opacity")) >= 0) {
            /* [0.]+%?\s*(?:[;!}]|$) */
            Py_ssize_t r = q;
            while (r < n && (s[r] == '0' || s[r] == '.')) r++;
            if (r > q) {
                if (r < n && s[r] == '%') r++;
                r = skip_ws(s, n, r);
                if (at_end(n, s, r) || (r < n && (s[r] == ';' || s[r] == '!' || s[r] == '}'))) return 1;
            }
        } else if (c == '-') {
            /* -\s*\d{3,} */
            Py_ssize_t r = skip_ws(s, n, p + 1);
            if (r + 2 < n && is_digit(s[r]) && is_digit(s[r + 1]) && is_digit(s[r + 2])) return 1;
        } else if (c == 'f' && (q = after_colon(s, n, p, "font-size")) >= 0) {
            /* 0(?:\.0+)?[a-z%]*\s*(?:[;!]|$) */
            if (q < n && s[q] == '0') {
                Py_ssize_t r = zeros(s, n, q + 1);
                while (r < n && ((s[r] >= 'a' && s[r] <= 'z') || s[r] == '%')) r++;
                if (ends_declaration(s, n, r)) return 1;
            }
        }
        if ((c == 'w' && (q = after_colon(s, n, p, "width")) >= 0)
            || (c == 'h' && (q = after_colon(s, n, p, "height")) >= 0)) {
            /* [01](?:\.0+)?(?:px)?\s*(?:[;!]|$) */
            if (q < n && (s[q] == '0' || s[q] == '1')) {
                Py_ssize_t r = zeros(s, n, q + 1);
                if (r + 1 < n && s[r] == 'p' && s[r + 1] == 'x') r += 2;
                if (ends_declaration(s, n, r)) return 1;
            }
        }
    }
    return 0;
}

/* ("opacity" or "transform" in it) and _SHOWING_AGAIN */
static int shows_again(const unsigned char *s, Py_ssize_t n) {
    if (!contains(s, n, "opacity") && !contains(s, n, "transform")) return 0;
    for (Py_ssize_t p = 0; p < n; p++) {
        Py_ssize_t q;
        if (s[p] == 'o' && (q = after_colon(s, n, p, "opacity")) >= 0) {
            /* 0*\.0*[1-9]|[1-9] */
            Py_ssize_t r = q;
            while (r < n && s[r] == '0') r++;
            if (r < n && s[r] == '.') {
                r++;
                while (r < n && s[r] == '0') r++;
                if (r < n && s[r] >= '1' && s[r] <= '9') return 1;
            }
            if (q < n && s[q] >= '1' && s[q] <= '9') return 1;
        } else if (s[p] == 't' && (q = after_colon(s, n, p, "transform")) >= 0) {
            if (at_word(s, n, q, "none", 4)) return 1;
            if (at_word(s, n, q, "scale(", 6)) {
                Py_ssize_t r = skip_ws(s, n, q + 6);
                if (r < n && s[r] == '1') {
                    r = skip_ws(s, n, r + 1);
                    if (r < n && s[r] == ')') return 1;
                }
            }
        }
    }
    return 0;
}

/* the length of an identifier (?:--|-?[^\W\d])[\w-]* at s[at..n), 0 for none */
static Py_ssize_t ident(const unsigned char *s, Py_ssize_t n, Py_ssize_t at) {
    Py_ssize_t q;
    if (at + 1 < n && s[at] == '-' && s[at + 1] == '-') q = at + 2;
    else if (at + 1 < n && s[at] == '-' && word_start(s[at + 1])) q = at + 2;
    else if (at < n && word_start(s[at])) q = at + 1;
    else return 0;
    while (q < n && (word(s[q]) || s[q] == '-')) q++;
    return q - at;
}

static PyObject *ascii(const unsigned char *s, Py_ssize_t n) {
    return PyUnicode_DecodeASCII((const char *)s, n, NULL);
}

/* _key_and_needs(selector) for an ASCII selector s[0..n): sets *key (tag, id, classes)
   and *needs; 0, or -1 with an exception */
static int key_and_needs(const unsigned char *sel, Py_ssize_t n, PyObject **key, PyObject **needs) {
    unsigned char *buf = NULL;
    const unsigned char *s = sel;
    PyObject *tag = NULL, *id = NULL, *classes = NULL, *set = NULL;
    *key = *needs = NULL;
    if (memchr(sel, '(', (size_t)n)) {
        /* re.sub(r"\([^()]*\)", "()", selector): one pass, innermost groups */
        buf = (unsigned char *)malloc((size_t)n + 1);
        if (!buf) { PyErr_NoMemory(); return -1; }
        Py_ssize_t o = 0, i = 0;
        while (i < n) {
            if (sel[i] == '(') {
                Py_ssize_t j = i + 1;
                while (j < n && sel[j] != '(' && sel[j] != ')') j++;
                if (j < n && sel[j] == ')') { buf[o++] = '('; buf[o++] = ')'; i = j + 1; continue; }
            }
            buf[o++] = sel[i++];
        }
        s = buf;
        n = o;
    }
    if (memchr(s, '.', (size_t)n) || memchr(s, '#', (size_t)n)) {
        set = PyFrozenSet_New(NULL);
        if (!set) goto fail;
        Py_ssize_t p = 0;
        while (p < n) {
            if (s[p] == '.' || s[p] == '#') {
                Py_ssize_t k = ident(s, n, p + 1);
                if (k) {
                    PyObject *t = ascii(s + p, k + 1);
                    if (!t || PySet_Add(set, t) < 0) { Py_XDECREF(t); goto fail; }
                    Py_DECREF(t);
                    p += k + 1;
                    continue;
                }
            }
            p++;
        }
    } else {
        set = EMPTY_SET;
        Py_INCREF(set);
    }
    /* the rightmost compound: after the last combinator, trailing space stripped */
    Py_ssize_t end = n;
    while (end > 0 && ws(s[end - 1])) end--;
    Py_ssize_t start = end;
    while (start > 0) {
        unsigned char c = s[start - 1];
        if (c == ' ' || c == '>' || c == '+' || c == '~' || c == '\t' || c == '\n') break;
        start--;
    }
    if (start == end) {
        tag = EMPTY; Py_INCREF(tag);
        id = EMPTY; Py_INCREF(id);
        classes = EMPTY_TUPLE; Py_INCREF(classes);
    } else {
        const unsigned char *t = s + start;
        Py_ssize_t m = end - start, k = 0;
        /* ^[a-zA-Z][\w-]* */
        if (((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z')) {
            k = 1;
            while (k < m && (word(t[k]) || t[k] == '-')) k++;
        }
        unsigned char small[256], *low = k <= 256 ? small : (unsigned char *)malloc((size_t)k);
        if (!low) { PyErr_NoMemory(); goto fail; }
        for (Py_ssize_t i = 0; i < k; i++) low[i] = (unsigned char)lower(t[i]);
        tag = ascii(low, k);
        if (low != small) free(low);
        if (!tag) goto fail;
        for (Py_ssize_t p = 0; p < m && !id; p++) {
            if (t[p] == '#') {
                Py_ssize_t j = ident(t, m, p + 1);
                if (j && !(id = ascii(t + p + 1, j))) goto fail;
            }
        }
        if (!id) { id = EMPTY; Py_INCREF(id); }
        PyObject *list = PyList_New(0);
        if (!list) goto fail;
        Py_ssize_t p = 0;
        while (p < m) {
            if (t[p] == '.') {
                Py_ssize_t j = ident(t, m, p + 1);
                if (j) {
                    PyObject *c = ascii(t + p + 1, j);
                    if (!c || PyList_Append(list, c) < 0) { Py_XDECREF(c); Py_DECREF(list); goto fail; }
                    Py_DECREF(c);
                    p += j + 1;
                    continue;
                }
            }
            p++;
        }
        classes = PyList_AsTuple(list);
        Py_DECREF(list);
        if (!classes) goto fail;
    }
    *key = PyTuple_Pack(3, tag, id, classes);
    if (!*key) goto fail;
    Py_DECREF(tag); Py_DECREF(id); Py_DECREF(classes);
    *needs = set;
    free(buf);
    return 0;
fail:
    Py_XDECREF(tag); Py_XDECREF(id); Py_XDECREF(classes); Py_XDECREF(set);
    free(buf);
    return -1;
}

/* one selector's Rule, appended to out: made as tuple.__new__(Rule, fields) makes it (what
   the named tuple's constructor does, without a call), numbered by its place in out, times
   2**16 (styles._read_sheet numbers the rules of the items it reads itself from there) */
static int put_selector(PyObject *out, const unsigned char *s, Py_ssize_t n, PyObject *body,
                        int hides, int shows) {
    /* strip() */
    while (n > 0 && ws(s[0])) { s++; n--; }
    while (n > 0 && ws(s[n - 1])) n--;
    if (n == 0) return 0;
    PyObject *key, *needs, *sel = ascii(s, n);
    if (!sel) return -1;
    if (key_and_needs(s, n, &key, &needs) < 0) { Py_DECREF(sel); return -1; }
    PyObject *number = PyLong_FromSsize_t(PyList_GET_SIZE(out) << 16);
    PyObject *rule = number ? RULE->tp_alloc(RULE, 7) : NULL;
    if (!rule) { Py_DECREF(sel); Py_DECREF(key); Py_DECREF(needs); Py_XDECREF(number); return -1; }
    PyObject *yes = hides ? Py_True : Py_False, *again = shows ? Py_True : Py_False;
    Py_INCREF(body); Py_INCREF(yes); Py_INCREF(again);
    PyTuple_SET_ITEM(rule, 0, sel);
    PyTuple_SET_ITEM(rule, 1, body);
    PyTuple_SET_ITEM(rule, 2, number);
    PyTuple_SET_ITEM(rule, 3, key);
    PyTuple_SET_ITEM(rule, 4, yes);
    PyTuple_SET_ITEM(rule, 5, needs);
    PyTuple_SET_ITEM(rule, 6, again);
    int rc = PyList_Append(out, rule);
    Py_DECREF(rule);
    return rc;
}

static int has_high(const unsigned char *s, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) if (s[i] & 0x80) return 1;
    return 0;
}

static PyObject *read_blocks(PyObject *self, PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    if (!NAMES) { PyErr_SetString(PyExc_RuntimeError, "_sheets.bind() was not called"); return NULL; }
    /* an ASCII str is its own UTF-8; another is encoded for the call (not with
       PyUnicode_AsUTF8AndSize, which would keep the copy with the str, and styles.py keeps
       the str as its cache's key) */
    PyObject *encoded = NULL;
    Py_ssize_t n;
    const unsigned char *b;
    if (PyUnicode_IS_ASCII(text)) {
        b = (const unsigned char *)PyUnicode_DATA(text);
        n = PyUnicode_GET_LENGTH(text);
    } else {
        encoded = PyUnicode_AsUTF8String(text);
        if (!encoded) return NULL;  /* a lone surrogate: styles.py reads the sheet in Python */
        b = (const unsigned char *)PyBytes_AS_STRING(encoded);
        n = PyBytes_GET_SIZE(encoded);
    }
    PyObject *out = PyList_New(0);
    if (!out) { Py_XDECREF(encoded); return NULL; }
    int whole = 1;  /* every item a Rule: nothing for Python to read */
    unsigned char small[4096], *folded = small;
    Py_ssize_t room = sizeof(small);
    Py_ssize_t from = 0;
    for (;;) {
        const unsigned char *close = (const unsigned char *)memchr(b + from, '}', (size_t)(n - from));
        if (!close) break;  /* what follows the last "}" is not closed */
        Py_ssize_t to = close - b, brace = -1;
        for (Py_ssize_t i = to - 1; i >= from; i--) if (b[i] == '{') { brace = i; break; }
        Py_ssize_t part = from;
        from = to + 1;
        if (brace < 0) continue;
        Py_ssize_t gs = part;  /* the group: after the "{" before the block's own */
        for (Py_ssize_t i = brace - 1; i >= part; i--) if (b[i] == '{') { gs = i + 1; break; }
        const unsigned char *body = b + brace + 1, *group = b + gs;
        Py_ssize_t nb = to - brace - 1, ng = brace - gs;
        if (has_high(body, nb) || has_high(group, ng)) {
            whole = 0;
            PyObject *item = Py_BuildValue("(s#s#)", (const char *)group, ng, (const char *)body, nb);
            if (!item || PyList_Append(out, item) < 0) { Py_XDECREF(item); goto fail; }
            Py_DECREF(item);
            continue;
        }
        if (nb > room) {
            if (folded != small) free(folded);
            room = nb * 2;
            folded = (unsigned char *)malloc((size_t)room);
            if (!folded) { PyErr_NoMemory(); folded = small; goto fail; }
        }
        for (Py_ssize_t i = 0; i < nb; i++) folded[i] = (unsigned char)lower(body[i]);
        if (!relevant(folded, nb)) continue;
        /* group.rsplit(";", 1)[-1].strip() */
        for (Py_ssize_t i = ng - 1; i >= 0; i--) if (group[i] == ';') { group += i + 1; ng -= i + 1; break; }
        while (ng > 0 && ws(group[0])) { group++; ng--; }
        while (ng > 0 && ws(group[ng - 1])) ng--;
        if (ng == 0 || group[0] == '@') continue;
        Py_ssize_t opens = 0, shuts = 0;
        int nested = 0;
        for (Py_ssize_t i = 0, depth_open = 0; i < ng; i++) {
            if (group[i] == '(') { opens++; if (depth_open) nested = 1; depth_open = 1; }
            else if (group[i] == ')') { shuts++; depth_open = 0; }
        }
        if (ng > MAX_SELECTOR || opens > MAX_NESTING) continue;
        int hides = may_hide(folded, nb), shows = shows_again(folded, nb);
        PyObject *bodystr = ascii(body, nb);
        if (!bodystr) goto fail;
        if (opens && (nested || opens != shuts)) {
            /* _NESTED or unbalanced: tinycss2 splits it (styles._split_group) */
            whole = 0;
            PyObject *item = Py_BuildValue("(s#ONN)", (const char *)group, ng, bodystr,
                                           PyBool_FromLong(hides), PyBool_FromLong(shows));
            Py_DECREF(bodystr);
            if (!item || PyList_Append(out, item) < 0) { Py_XDECREF(item); goto fail; }
            Py_DECREF(item);
            continue;
        }
        /* split at the commas outside parentheses: ,(?![^()]*\)) */
        Py_ssize_t start = 0;
        for (Py_ssize_t i = 0; i <= ng; i++) {
            if (i < ng && group[i] != ',') continue;
            if (i < ng && opens) {
                Py_ssize_t j = i + 1;
                while (j < ng && group[j] != '(' && group[j] != ')') j++;
                if (j < ng && group[j] == ')') continue;  /* inside parentheses */
            }
            if (put_selector(out, group + start, i - start, bodystr, hides, shows) < 0) {
                Py_DECREF(bodystr);
                goto fail;
            }
            start = i + 1;
        }
        Py_DECREF(bodystr);
    }
    if (folded != small) free(folded);
    Py_XDECREF(encoded);
    return Py_BuildValue("(NO)", out, whole ? Py_True : Py_False);
fail:
    if (folded != small) free(folded);
    Py_XDECREF(encoded);
    Py_DECREF(out);
    return NULL;
}

static PyObject *bind(PyObject *self, PyObject *args) {
    PyObject *names;
    PyTypeObject *rule;
    if (!PyArg_ParseTuple(args, "O!nnO!", &PyTuple_Type, &names, &MAX_SELECTOR, &MAX_NESTING,
                          &PyType_Type, &rule)) return NULL;
    if (!PyType_IsSubtype(rule, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "bind: Rule is a named tuple");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        if (!PyBytes_Check(name) || PyBytes_GET_SIZE(name) == 0) {
            PyErr_SetString(PyExc_TypeError, "bind: the names are non-empty bytes");
            return NULL;
        }
    }
    Py_INCREF(names);
    Py_XSETREF(NAMES, names);
    Py_INCREF(rule);
    Py_XSETREF(RULE, rule);
    Py_RETURN_NONE;
}

static PyMethodDef METHODS[] = {
    {"read_blocks", read_blocks, METH_VARARGS, "A stylesheet's blocks and selectors, read (see the module's notes)."},
    {"bind", bind, METH_VARARGS, "bind(names, max_selector, max_nesting, Rule): the honoured properties, the limits and the rules' class."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_sheets", NULL, -1, METHODS};

PyMODINIT_FUNC PyInit__sheets(void) {
    EMPTY = PyUnicode_FromStringAndSize("", 0);
    EMPTY_TUPLE = PyTuple_New(0);
    EMPTY_SET = PyFrozenSet_New(NULL);
    if (!EMPTY || !EMPTY_TUPLE || !EMPTY_SET) return NULL;
    return PyModule_Create(&MODULE);
}
