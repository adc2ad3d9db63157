/* The extraction walk (walks._walk) over selectolax's lexbor tree, compiled.
 *
 * extract() walks every node of a page that may hold a story; in Python that walk was
 * a quarter of a scan (about 2 us of Python a node, 1,600 nodes a page). selectolax
 * does not export a C API, but its module exports lexbor's functions and a node's
 * address (LexborNode.mem_id), so this module finds those functions with dlsym in the
 * already loaded selectolax module and walks the same tree that selectolax built:
 * no second parser, nothing copied.
 *
 * The walk does what walks._walk does, event for event; Python keeps what needs a
 * node object (an image's HTML, a link's element, whether a <noscript> holds text) and
 * the chrome words' expression, and is called back for them. walks.py checks this
 * module against the Python walk on a probe page when it loads it, and does not use it
 * when they differ (another selectolax, another lexbor): the node layout below is
 * lexbor's lxb_dom_node_t as selectolax's lexbor.pxd declares it. bind() also checks a
 * text node's bytes and an element's attributes against what selectolax reads, and
 * takes the tag table and the chrome stems from walks.py, so the rules are written
 * once; pyproject.toml pins selectolax to the minor version this is tested with, and
 * tests/engine/test_compiled_required.py fails on Linux x86-64 when it is not bound.
 *
 * Why not Cython against selectolax's lexbor.pxd: that .pxd declares lexbor's C headers
 * (cdef extern from "lexbor/html/html.h"), which selectolax's wheels do not ship, so the
 * build would need lexbor's sources of the exact version selectolax bundles: more to pin,
 * not less.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct node node;
struct node {
    void *events;
    uintptr_t local_name, prefix, ns;
    void *owner_document;
    node *next, *prev, *parent, *first_child, *last_child;
    void *user;
    int type;
};
typedef struct {
    unsigned char *data;
    size_t length;
} lexbor_str;
typedef struct {
    node base;
    lexbor_str data;
} character_data;

enum { ELEMENT = 1, TEXT = 3 };

typedef const unsigned char *(*qualified_name_fn)(node *, size_t *);
typedef node *(*nav_fn)(node *);
typedef int (*type_fn)(node *);
typedef void *(*attr_nav_fn)(void *);
typedef const unsigned char *(*attr_str_fn)(void *, size_t *);
static attr_nav_fn first_attribute, next_attribute;
static attr_str_fn attr_name, attr_value;
static qualified_name_fn qualified_name;

/* --- tags ------------------------------------------------------------------ */

enum {
    SKIP = 1,          /* the subtree is not read (walks._SKIP) */
    BLOCK = 2,         /* walks._BLOCK */
    CHROME_TAG = 4,    /* walks._CHROME_TAGS */
    NEVER_CHROME = 8,  /* walks._NEVER_CHROME */
    IMG = 16,
    ANCHOR = 32,
    FIGURE = 64,
    NOSCRIPT = 128,
};

typedef struct {
    const char *name; /* UTF-8 of str, which the table owns */
    int flags;
    PyObject *str; /* the name as an interned str */
    size_t len;
} tag_info;

/* The tag table and the chrome words' stems are walks.py's (its _SKIP, _BLOCK,
   _CHROME_TAGS, _NEVER_CHROME and _CHROME_STEMS), given to bind(): the rules live in
   Python, in one place; this module only knows what each flag makes the walk do. */
static tag_info *TAGS; /* ended by a NULL name */
static char **STEMS;   /* ended by NULL */
static size_t *STEM_LEN;
static unsigned char STEM_FIRST[256]; /* a stem starts with this byte */

/* the tags whose names start with byte c: TAGS[TAG_FROM[c]] up to TAGS[TAG_FROM[c + 1]]
   (the table is sorted by first byte at bind time: a lookup compares a few names, and an
   element not in the table, a <span>, one or none) */
static unsigned short TAG_FROM[257];

static const tag_info *find_tag(const unsigned char *name, size_t len) {
    for (unsigned short i = TAG_FROM[name[0]]; i < TAG_FROM[name[0] + 1]; i++) {
        const tag_info *t = &TAGS[i];
        if (t->len == len && memcmp(t->name, name, len) == 0) return t;
    }
    return NULL;
}

static int by_first_byte(const void *a, const void *b) {
    return (int)(unsigned char)((const tag_info *)a)->name[0] -
           (int)(unsigned char)((const tag_info *)b)->name[0];
}

static void free_tables(tag_info *tags, char **stems, size_t *stem_len) {
    if (tags)
        for (tag_info *t = tags; t->name != NULL; t++) Py_DECREF(t->str);
    if (stems)
        for (char **s = stems; *s != NULL; s++) PyMem_Free(*s);
    PyMem_Free(tags), PyMem_Free(stems), PyMem_Free(stem_len);
}

/* The tag table from a dict {tag: flags} and the stems from a tuple of ASCII str, as new
   arrays (NULL with an error set) */
static int make_tables(PyObject *tag_flags, PyObject *stem_words, tag_info **tags_out,
                       char ***stems_out, size_t **stem_len_out) {
    Py_ssize_t n = PyDict_Size(tag_flags), m = PyTuple_GET_SIZE(stem_words), pos = 0, i = 0;
    tag_info *tags = PyMem_Calloc((size_t)n + 1, sizeof(tag_info));
    char **stems = PyMem_Calloc((size_t)m + 1, sizeof(char *));
    size_t *stem_len = PyMem_Calloc((size_t)m + 1, sizeof(size_t));
    if (!tags || !stems || !stem_len) {
        free_tables(NULL, NULL, NULL), PyMem_Free(tags), PyMem_Free(stems), PyMem_Free(stem_len);
        PyErr_NoMemory();
        return -1;
    }
    PyObject *key, *value;
    while (PyDict_Next(tag_flags, &pos, &key, &value)) {
        long flags = PyLong_Check(value) ? PyLong_AsLong(value) : -1;
        Py_ssize_t len;
        const char *name = PyUnicode_Check(key) ? PyUnicode_AsUTF8AndSize(key, &len) : NULL;
        if (name == NULL || len == 0 || flags < 0 || flags > 255) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "the tag table maps tag names to flags");
            free_tables(tags, stems, stem_len);
            return -1;
        }
        Py_INCREF(key);
        PyUnicode_InternInPlace(&key);
        tags[i].str = key;
        tags[i].name = PyUnicode_AsUTF8AndSize(key, &len);
        tags[i].len = (size_t)len;
        tags[i].flags = (int)flags;
        i++;
    }
    for (i = 0; i < m; i++) {
        Py_ssize_t len;
        PyObject *word = PyTuple_GET_ITEM(stem_words, i);
        const char *stem = PyUnicode_Check(word) ? PyUnicode_AsUTF8AndSize(word, &len) : NULL;
        if (stem == NULL || len == 0 || !PyUnicode_IS_ASCII(word)) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "the chrome stems are ASCII words");
            free_tables(tags, stems, stem_len);
            return -1;
        }
        stems[i] = PyMem_Malloc((size_t)len + 1);
        if (stems[i] == NULL) {
            free_tables(tags, stems, stem_len);
            PyErr_NoMemory();
            return -1;
        }
        memcpy(stems[i], stem, (size_t)len + 1);
        stem_len[i] = (size_t)len;
    }
    *tags_out = tags, *stems_out = stems, *stem_len_out = stem_len;
    return 0;
}

/* --- text -------------------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
    int ascii; /* every byte so far is ASCII */
} buffer;

static int buffer_add(buffer *b, const char *data, size_t len, int ascii) {
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len) cap *= 2;
        char *grown = PyMem_Realloc(b->data, cap);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->ascii &= ascii;
    return 0;
}

static int is_ascii(const unsigned char *s, size_t n) {
    unsigned char any = 0;
    for (size_t i = 0; i < n; i++) any |= s[i];
    return any < 0x80;
}

/* Python's str.split() whitespace, in ASCII: \t \n \v \f \r, \x1c-\x1f and space */
static int ascii_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* " ".join(text.split()) of the buffer (cleared); NULL with an error set, or a str */
static PyObject *take_text(buffer *b) {
    PyObject *out;
    if (b->ascii) {
        size_t n = 0;
        int gap = 0;
        for (size_t i = 0; i < b->len; i++) {
            unsigned char c = (unsigned char)b->data[i];
            if (ascii_space(c)) {
                gap = n > 0;
            } else {
                if (gap) b->data[n++] = ' ';
                gap = 0;
                b->data[n++] = (char)c;
            }
        }
        out = PyUnicode_DecodeASCII(b->data, (Py_ssize_t)n, "strict");
    } else {
        /* the buffer is valid UTF-8 (add_text makes it so): Python splits on its own
           idea of whitespace (U+00A0, U+2028 …) */
        PyObject *text = PyUnicode_DecodeUTF8(b->data, (Py_ssize_t)b->len, "strict");
        PyObject *parts = text ? PyUnicode_Split(text, NULL, -1) : NULL;
        Py_XDECREF(text);
        if (parts == NULL) {
            b->len = 0;
            b->ascii = 1;
            return NULL;
        }
        PyObject *space = PyUnicode_FromStringAndSize(" ", 1);
        out = space ? PyUnicode_Join(space, parts) : NULL;
        Py_XDECREF(space);
        Py_DECREF(parts);
    }
    b->len = 0;
    b->ascii = 1;
    return out;
}

/* A text node's bytes, added as selectolax reads them: UTF-8, and each invalid
   sequence U+FFFD (decoded on its own, as text_content decodes each node) */
static int add_text(buffer *b, node *n) {
    lexbor_str *s = &((character_data *)n)->data;
    if (s->data == NULL || s->length == 0) return 0;
    const char *data = (const char *)s->data;
    if (is_ascii(s->data, s->length)) return buffer_add(b, data, s->length, 1);
    PyObject *text = PyUnicode_DecodeUTF8(data, (Py_ssize_t)s->length, "replace");
    if (text == NULL) return -1;
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    int rc = utf8 ? buffer_add(b, utf8, (size_t)size, 0) : -1;
    Py_DECREF(text);
    return rc;
}

/* The values of an element's class, id and href, read in one pass over its attributes
   (the last of a name wins, as in selectolax's attributes dict); NULL when missing */
typedef struct {
    const unsigned char *value[3];
    size_t len[3];
} some_attributes;

enum { CLASS, ID, HREF };

static void read_attributes(node *el, some_attributes *a) {
    memset(a, 0, sizeof(*a));
    for (void *at = first_attribute(el); at != NULL; at = next_attribute(at)) {
        size_t n = 0;
        const unsigned char *name = attr_name(at, &n);
        int k = -1;
        if (name == NULL) continue;
        if (n == 5 && memcmp(name, "class", 5) == 0) k = CLASS;
        else if (n == 2 && memcmp(name, "id", 2) == 0) k = ID;
        else if (n == 4 && memcmp(name, "href", 4) == 0) k = HREF;
        if (k < 0) continue;
        a->len[k] = 0;
        a->value[k] = attr_value(at, &a->len[k]);
    }
}

/* An attribute's value as selectolax reads it (U+FFFD for invalid bytes), or NULL
   (no error) when it is missing or empty */
static PyObject *attribute(const some_attributes *a, int k, int *failed) {
    if (a->value[k] == NULL || a->len[k] == 0) return NULL;
    PyObject *out = PyUnicode_DecodeUTF8((const char *)a->value[k], (Py_ssize_t)a->len[k], "replace");
    if (out == NULL) *failed = 1;
    return out;
}

/* --- the walk ---------------------------------------------------------------- */

typedef struct {
    int is_block;
    int figure; /* a <figure>: first image and first block inside it follow */
    Py_ssize_t first_image, first_block;
    Py_ssize_t chrome; /* the parent's, restored on close */
    PyObject *block_tag, *hint, *origin; /* the parent's, restored on close (owned) */
} frame;

typedef struct {
    PyObject *blocks, *images, *links, *block_cls, *on_image, *on_figure, *holds_text,
        *chrome_words;
    buffer buf;
    frame *stack;
    PyObject **path; /* the open elements' ids (owned ints) */
    PyObject *path_now; /* the tuple of them, made once for the blocks that share it */
    Py_ssize_t depth, cap;
    Py_ssize_t chrome; /* depth of the innermost open chrome element (-1: none) */
    long next_id;
    PyObject *block_tag, *hint, *origin; /* the innermost open element's (owned) */
} walk_state;

static PyObject *EMPTY, *NOSCRIPT_ORIGIN;

static PyObject *path_tuple(walk_state *w) {
    if (w->path_now == NULL) {
        w->path_now = PyTuple_New(w->depth);
        if (w->path_now == NULL) return NULL;
        for (Py_ssize_t i = 0; i < w->depth; i++) {
            Py_INCREF(w->path[i]);
            PyTuple_SET_ITEM(w->path_now, i, w->path[i]);
        }
    }
    Py_INCREF(w->path_now);
    return w->path_now;
}

static int flush(walk_state *w) {
    PyObject *text = take_text(&w->buf);
    if (text == NULL) return -1;
    if (PyUnicode_GET_LENGTH(text) == 0) {
        Py_DECREF(text);
        return 0;
    }
    /* a Block made as tuple.__new__(Block, fields) makes it (what the named tuple's
       constructor does, without its Python frame) */
    PyTypeObject *cls = (PyTypeObject *)w->block_cls;
    PyObject *block = cls->tp_alloc(cls, 7);
    if (block == NULL) {
        Py_DECREF(text);
        return -1;
    }
    PyObject *fields[7] = {
        PyLong_FromSsize_t(PyList_GET_SIZE(w->blocks)), text, w->block_tag, path_tuple(w),
        PyLong_FromSsize_t(w->chrome), w->hint, w->origin,
    };
    Py_INCREF(w->block_tag), Py_INCREF(w->hint), Py_INCREF(w->origin);
    for (int i = 0; i < 7; i++) PyTuple_SET_ITEM(block, i, fields[i]);
    if (!fields[0] || !fields[3] || !fields[4]) {
        Py_DECREF(block); /* (a NULL item is skipped by the tuple's dealloc) */
        return -1;
    }
    int rc = PyList_Append(w->blocks, block);
    Py_DECREF(block);
    return rc;
}

static void set(PyObject **slot, PyObject *value) {
    Py_INCREF(value);
    Py_SETREF(*slot, value);
}

static int open_element(walk_state *w, int is_block, const tag_info *tag, PyObject *words,
                        PyObject *origin, int chrome) {
    if (w->depth == w->cap) {
        Py_ssize_t cap = w->cap ? w->cap * 2 : 64;
        frame *stack = PyMem_Realloc(w->stack, (size_t)cap * sizeof(frame));
        if (stack == NULL) return PyErr_NoMemory(), -1;
        w->stack = stack;
        PyObject **path = PyMem_Realloc(w->path, (size_t)cap * sizeof(PyObject *));
        if (path == NULL) return PyErr_NoMemory(), -1;
        w->path = path;
        w->cap = cap;
    }
    frame *f = &w->stack[w->depth];
    f->is_block = is_block;
    f->figure = tag != NULL && (tag->flags & FIGURE);
    f->first_image = PyList_GET_SIZE(w->images);
    f->first_block = PyList_GET_SIZE(w->blocks);
    f->chrome = w->chrome;
    f->block_tag = w->block_tag; /* the parent's values, for the frame to own */
    f->hint = w->hint;
    f->origin = w->origin;
    Py_INCREF(f->block_tag);
    Py_INCREF(f->hint);
    Py_INCREF(f->origin);
    PyObject *id = PyLong_FromLong(++w->next_id);
    if (id == NULL) {
        Py_DECREF(f->block_tag), Py_DECREF(f->hint), Py_DECREF(f->origin);
        return -1;
    }
    Py_CLEAR(w->path_now);
    if (chrome) w->chrome = w->depth;
    w->path[w->depth++] = id;
    if (is_block) set(&w->block_tag, tag->str);
    if (PyUnicode_GET_LENGTH(words)) set(&w->hint, words);
    set(&w->origin, origin);
    return 0;
}

static int close_element(walk_state *w) {
    frame *f = &w->stack[w->depth - 1];
    int rc = 0;
    if (f->is_block && w->buf.len) rc = flush(w);
    if (rc == 0 && f->figure) {
        PyObject *r = PyObject_CallFunction(w->on_figure, "nn", f->first_image, f->first_block);
        if (r == NULL) rc = -1;
        Py_XDECREF(r);
    }
    w->depth--;
    Py_DECREF(w->path[w->depth]);
    Py_CLEAR(w->path_now);
    w->chrome = f->chrome;
    Py_SETREF(w->block_tag, f->block_tag);
    Py_SETREF(w->hint, f->hint);
    Py_SETREF(w->origin, f->origin);
    return rc;
}

/* walks._chrome_words's own first test: a chrome word's stem in the words (one pass,
   a position's first byte looked up before any stem is compared: a memmem a stem cost
   more than the rest of the element) */
static int may_be_chrome(const char *w, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!STEM_FIRST[(unsigned char)w[i]]) continue;
        for (size_t k = 0; STEMS[k] != NULL; k++)
            if (STEMS[k][0] == w[i] && n - i >= STEM_LEN[k] &&
                memcmp(w + i, STEMS[k], STEM_LEN[k]) == 0)
                return 1;
    }
    return 0;
}

/* The words of class and id, lower-cased (walks._walk's ``words``); ``plain`` is set
   when they are ASCII and hold no chrome word's stem (no need to ask Python) */
static PyObject *class_words(const some_attributes *a, int *failed, int *plain) {
    const unsigned char *cls = a->len[CLASS] ? a->value[CLASS] : NULL;
    const unsigned char *ident = a->len[ID] ? a->value[ID] : NULL;
    *plain = 0;
    if (cls == NULL && ident == NULL) {
        Py_INCREF(EMPTY);
        *plain = 1;
        return EMPTY;
    }
    size_t nc = cls ? a->len[CLASS] : 0, ni = ident ? a->len[ID] : 0;
    size_t n = nc + ni + (cls && ident);
    if ((!cls || is_ascii(cls, nc)) && (!ident || is_ascii(ident, ni))) {
        /* ASCII: str.lower() is ASCII's lower case */
        char small[256];
        char *buf = n <= sizeof(small) ? small : PyMem_Malloc(n);
        if (buf == NULL) {
            *failed = 1;
            PyErr_NoMemory();
            return NULL;
        }
        size_t k = 0;
        if (cls) memcpy(buf, cls, nc), k = nc;
        if (cls && ident) buf[k++] = ' ';
        if (ident) memcpy(buf + k, ident, ni);
        for (size_t i = 0; i < n; i++)
            if (buf[i] >= 'A' && buf[i] <= 'Z') buf[i] = (char)(buf[i] + 32);
        PyObject *words = PyUnicode_DecodeASCII(buf, (Py_ssize_t)n, "strict");
        *plain = !may_be_chrome(buf, n);
        if (buf != small) PyMem_Free(buf);
        if (words == NULL) *failed = 1;
        return words;
    }
    PyObject *c = attribute(a, CLASS, failed);
    if (*failed) return NULL;
    PyObject *i = attribute(a, ID, failed);
    if (*failed) {
        Py_XDECREF(c);
        return NULL;
    }
    PyObject *words;
    if (c && i) words = PyUnicode_FromFormat("%U %U", c, i);
    else words = c ? c : i, Py_INCREF(words);
    Py_XDECREF(c);
    Py_XDECREF(i);
    if (words == NULL) {
        *failed = 1;
        return NULL;
    }
    PyObject *lower = PyObject_CallMethod(words, "lower", NULL);
    Py_DECREF(words);
    if (lower == NULL) *failed = 1;
    return lower;
}

/* Enter an element: 1 when it was opened (its children are read), 0 when it is
   skipped, -1 on an error */
static int enter(walk_state *w, node *el) {
    size_t len = 0;
    const unsigned char *name = qualified_name(el, &len);
    const tag_info *tag = (name != NULL && len) ? find_tag(name, len) : NULL;
    int flags = tag ? tag->flags : 0;
    PyObject *origin = w->origin;
    if (flags & SKIP) {
        if (!(flags & NOSCRIPT)) return 0;
        PyObject *r = PyObject_CallFunction(w->holds_text, "K", (unsigned long long)(uintptr_t)el);
        if (r == NULL) return -1;
        int holds = PyObject_IsTrue(r);
        Py_DECREF(r);
        if (holds < 0) return -1;
        if (!holds) return 0;
        origin = NOSCRIPT_ORIGIN;
    }
    int is_block = (flags & BLOCK) != 0;
    if (is_block && w->buf.len && flush(w) < 0) return -1;
    if (flags & IMG) {
        PyObject *path = path_tuple(w);
        if (path == NULL) return -1;
        PyObject *r = PyObject_CallFunction(w->on_image, "KnN", (unsigned long long)(uintptr_t)el,
                                            PyList_GET_SIZE(w->blocks), path);
        Py_XDECREF(r);
        return r == NULL ? -1 : 0;
    }
    int failed = 0, plain = 0;
    some_attributes attrs;
    read_attributes(el, &attrs);
    if (flags & ANCHOR) {
        PyObject *href = attribute(&attrs, HREF, &failed);
        if (failed) return -1;
        if (href != NULL) {
            PyObject *link = Py_BuildValue("KNn", (unsigned long long)(uintptr_t)el, href,
                                           PyList_GET_SIZE(w->blocks));
            if (link == NULL || PyList_Append(w->links, link) < 0) {
                Py_XDECREF(link);
                return -1;
            }
            Py_DECREF(link);
        }
    }
    PyObject *words = class_words(&attrs, &failed, &plain);
    if (failed) return -1;
    int chrome = (flags & CHROME_TAG) != 0;
    if (!chrome && !plain && PyUnicode_GET_LENGTH(words) && !(flags & NEVER_CHROME)) {
        PyObject *r = PyObject_CallOneArg(w->chrome_words, words);
        chrome = r ? PyObject_IsTrue(r) : -1;
        Py_XDECREF(r);
        if (chrome < 0) {
            Py_DECREF(words);
            return -1;
        }
    }
    int rc = open_element(w, is_block, tag, words, origin, chrome);
    Py_DECREF(words);
    return rc < 0 ? -1 : 1;
}

static int run(walk_state *w, node *root) {
    node *n = root;
    for (;;) {
        int opened = 0;
        int type = n->type;
        if (type == TEXT) {
            if (add_text(&w->buf, n) < 0) return -1;
        } else if (type == ELEMENT) {
            opened = enter(w, n);
            if (opened < 0) return -1;
        }
        if (opened && n->first_child != NULL) {
            n = n->first_child;
            continue;
        }
        if (opened && close_element(w) < 0) return -1;
        while (n != root && n->next == NULL) {
            n = n->parent;
            if (close_element(w) < 0) return -1;
        }
        if (n == root) return 0;
        n = n->next;
    }
}

static PyObject *walk(PyObject *self, PyObject *args) {
    unsigned long long root;
    walk_state w;
    memset(&w, 0, sizeof(w));
    if (!PyArg_ParseTuple(args, "KO!O!O!OOOOO", &root, &PyList_Type, &w.blocks, &PyList_Type,
                          &w.images, &PyList_Type, &w.links, &w.block_cls, &w.on_image,
                          &w.on_figure, &w.holds_text, &w.chrome_words))
        return NULL;
    if (!PyType_Check(w.block_cls) || !PyType_IsSubtype((PyTypeObject *)w.block_cls, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "the block class must be a named tuple");
        return NULL;
    }
    if (qualified_name == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "lexbor is not bound (call bind first)");
        return NULL;
    }
    w.buf.ascii = 1;
    w.chrome = -1;
    w.block_tag = EMPTY, w.hint = EMPTY, w.origin = EMPTY;
    Py_INCREF(EMPTY), Py_INCREF(EMPTY), Py_INCREF(EMPTY);
    int rc = run(&w, (node *)(uintptr_t)root);
    if (rc == 0) {
        while (w.depth && rc == 0) rc = close_element(&w);
        if (rc == 0 && w.buf.len) rc = flush(&w);
    }
    while (w.depth) { /* after an error: let the frames go */
        frame *f = &w.stack[--w.depth];
        Py_DECREF(f->block_tag), Py_DECREF(f->hint), Py_DECREF(f->origin);
        Py_DECREF(w.path[w.depth]);
    }
    Py_XDECREF(w.path_now);
    Py_DECREF(w.block_tag), Py_DECREF(w.hint), Py_DECREF(w.origin);
    PyMem_Free(w.stack), PyMem_Free(w.path), PyMem_Free(w.buf.data);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

/* keys(root): the ids ("#id") and classes (".class") of the elements under a node, the
   node included (styles._present_keys, as selectolax reads them: a class attribute split
   as str.split() splits it, an id or class of invalid UTF-8 with U+FFFD) */
static int add_key(PyObject *set, char mark, const unsigned char *v, size_t n) {
    PyObject *key;
    if (is_ascii(v, n)) {
        char small[256];
        char *buf = n + 1 <= sizeof(small) ? small : PyMem_Malloc(n + 1);
        if (buf == NULL) { PyErr_NoMemory(); return -1; }
        buf[0] = mark;
        memcpy(buf + 1, v, n);
        key = PyUnicode_DecodeASCII(buf, (Py_ssize_t)n + 1, "strict");
        if (buf != small) PyMem_Free(buf);
    } else {
        PyObject *text = PyUnicode_DecodeUTF8((const char *)v, (Py_ssize_t)n, "replace");
        if (text == NULL) return -1;
        key = PyUnicode_FromFormat("%c%U", mark, text);
        Py_DECREF(text);
    }
    if (key == NULL) return -1;
    int rc = PySet_Add(set, key);
    Py_DECREF(key);
    return rc;
}

/* Python's str.split() whitespace, of ASCII */
static int split_space(unsigned char c) { return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20); }

static int add_classes(PyObject *set, const unsigned char *v, size_t n) {
    if (!is_ascii(v, n)) {
        PyObject *text = PyUnicode_DecodeUTF8((const char *)v, (Py_ssize_t)n, "replace");
        if (text == NULL) return -1;
        PyObject *words = PyUnicode_Split(text, NULL, -1);
        Py_DECREF(text);
        if (words == NULL) return -1;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
            PyObject *key = PyUnicode_FromFormat(".%U", PyList_GET_ITEM(words, i));
            if (key == NULL || PySet_Add(set, key) < 0) {
                Py_XDECREF(key);
                Py_DECREF(words);
                return -1;
            }
            Py_DECREF(key);
        }
        Py_DECREF(words);
        return 0;
    }
    size_t i = 0;
    while (i < n) {
        while (i < n && split_space(v[i])) i++;
        size_t start = i;
        while (i < n && !split_space(v[i])) i++;
        if (i > start && add_key(set, '.', v + start, i - start) < 0) return -1;
    }
    return 0;
}

static PyObject *keys(PyObject *self, PyObject *args) {
    unsigned long long address;
    if (!PyArg_ParseTuple(args, "K", &address)) return NULL;
    if (qualified_name == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "lexbor is not bound (call bind first)");
        return NULL;
    }
    PyObject *set = PySet_New(NULL);
    if (set == NULL) return NULL;
    node *root = (node *)(uintptr_t)address, *n = root;
    for (;;) {
        if (n->type == ELEMENT) {
            some_attributes a;
            read_attributes(n, &a);
            if ((a.value[ID] && a.len[ID] && add_key(set, '#', a.value[ID], a.len[ID]) < 0) ||
                (a.value[CLASS] && a.len[CLASS] && add_classes(set, a.value[CLASS], a.len[CLASS]) < 0)) {
                Py_DECREF(set);
                return NULL;
            }
        }
        if (n->first_child != NULL) {
            n = n->first_child;
            continue;
        }
        while (n != root && n->next == NULL) n = n->parent;
        if (n == root) return set;
        n = n->next;
    }
}

/* --- selectors, compiled once (styles.matching) --------------------------------------- */

typedef void *(*create_fn)(void);
typedef unsigned int (*parser_init_fn)(void *parser, void *tokenizer);
typedef unsigned int (*init_fn)(void *object);
typedef void *(*destroy_fn)(void *object, int self_destroy);
typedef void (*selectors_set_fn)(void *parser, void *selectors);
typedef void *(*parse_fn)(void *parser, const unsigned char *data, size_t length);
typedef void (*list_destroy_fn)(void *list);
typedef unsigned int (*match_cb)(void *node, void *spec, void *ctx);
typedef unsigned int (*match_fn)(void *selectors, void *node, void *list, match_cb cb, void *ctx);
static create_fn css_parser_create, css_selectors_create, selectors_create;
static parser_init_fn css_parser_init;
static init_fn css_selectors_init, selectors_init;
static destroy_fn css_parser_destroy, css_selectors_destroy, selectors_destroy;
static selectors_set_fn css_parser_selectors_set;
static parse_fn css_selectors_parse;
static list_destroy_fn css_list_destroy_memory;
static match_fn selectors_match_node;
static int HAVE_SELECTORS = 0;
static void *CSS_PARSER = NULL, *CSS_SELECTORS = NULL, *SELECTORS = NULL;
static void **COMPILED = NULL;
static Py_ssize_t N_COMPILED = 0, CAP_COMPILED = 0;
/* each compiled selector's number carries the generation it was made in (the high 32 bits):
   a number kept from before a reset() is told apart, not taken for another selector */
static long long GENERATION = 0;

/* lexbor's selector parser and matcher, made as selectolax makes them: 0, or -1 */
static int make_selectors(void) {
    if (CSS_PARSER != NULL) return 0;
    void *parser = css_parser_create(), *css = css_selectors_create(), *sel = selectors_create();
    if (parser == NULL || css == NULL || sel == NULL || css_parser_init(parser, NULL) != 0 ||
        css_selectors_init(css) != 0 || selectors_init(sel) != 0) {
        if (parser) css_parser_destroy(parser, 1);
        if (css) css_selectors_destroy(css, 1);
        if (sel) selectors_destroy(sel, 1);
        return -1;
    }
    css_parser_selectors_set(parser, css);
    CSS_PARSER = parser, CSS_SELECTORS = css, SELECTORS = sel;
    return 0;
}

/* every compiled list shares the parser's memory: given back through any one of them, and
   the parser made afresh (its memory is gone with them) */
static void reset_selectors(void) {
    if (N_COMPILED > 0) css_list_destroy_memory(COMPILED[N_COMPILED - 1]);
    N_COMPILED = 0;
    GENERATION++;
    if (CSS_PARSER != NULL) {
        css_parser_destroy(CSS_PARSER, 1);
        css_selectors_destroy(CSS_SELECTORS, 1);
        selectors_destroy(SELECTORS, 1);
        CSS_PARSER = CSS_SELECTORS = SELECTORS = NULL;
    }
}

/* Find lexbor's functions in the loaded selectolax module and check, on a page that
   Python parsed, that this module reads lexbor as selectolax does: the node layout (a
   subtree's first child, next sibling, parent and type read both ways), a text node's
   bytes (expected: what selectolax reads) and an element's attributes (expected: the
   (name, value) pairs in order, UTF-8). Then take the tag table and the chrome stems.
   bind(path, probe_root, text_node, text_bytes, element, attributes, tag_flags, stems) */
static PyObject *bind(PyObject *self, PyObject *args) {
    const char *path, *text;
    Py_ssize_t text_len;
    unsigned long long probe, text_node, element;
    PyObject *attributes, *tag_flags, *stem_words;
    if (!PyArg_ParseTuple(args, "sKKy#KO!O!O!", &path, &probe, &text_node, &text, &text_len,
                          &element, &PyList_Type, &attributes, &PyDict_Type, &tag_flags,
                          &PyTuple_Type, &stem_words))
        return NULL;
    void *lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (lib == NULL) {
        PyErr_Format(PyExc_ImportError, "selectolax's lexbor is not loaded: %s", dlerror());
        return NULL;
    }
    qualified_name_fn qn = (qualified_name_fn)dlsym(lib, "lxb_dom_element_qualified_name");
    nav_fn fc = (nav_fn)dlsym(lib, "lxb_dom_node_first_child_noi");
    nav_fn nx = (nav_fn)dlsym(lib, "lxb_dom_node_next_noi");
    nav_fn pa = (nav_fn)dlsym(lib, "lxb_dom_node_parent_noi");
    type_fn ty = (type_fn)dlsym(lib, "lxb_dom_node_type_noi");
    attr_nav_fn fa = (attr_nav_fn)dlsym(lib, "lxb_dom_element_first_attribute_noi");
    attr_nav_fn na = (attr_nav_fn)dlsym(lib, "lxb_dom_element_next_attribute_noi");
    attr_str_fn an = (attr_str_fn)dlsym(lib, "lxb_dom_attr_qualified_name");
    attr_str_fn av = (attr_str_fn)dlsym(lib, "lxb_dom_attr_value_noi");
    if (!qn || !fc || !nx || !pa || !ty || !fa || !na || !an || !av) {
        PyErr_SetString(PyExc_ImportError, "selectolax does not export lexbor's functions");
        return NULL;
    }
    /* the probe's subtree, read by the functions and by the layout alike */
    node *n = (node *)(uintptr_t)probe;
    for (int i = 0; n != NULL && i < 64; i++) {
        if (fc(n) != n->first_child || nx(n) != n->next || pa(n) != n->parent ||
            ty(n) != n->type) {
            PyErr_SetString(PyExc_ImportError, "lexbor's node layout is not the one expected");
            return NULL;
        }
        n = n->first_child ? n->first_child : n->next;
    }
    /* a text node's data: its type by lexbor's function, then its length, then its bytes
       (the length first: a pointer read at the wrong offset is not followed unless the
       size beside it is the one expected) */
    node *t = (node *)(uintptr_t)text_node;
    lexbor_str *s = &((character_data *)t)->data;
    if (ty(t) != TEXT || s->length != (size_t)text_len || s->data == NULL ||
        memcmp(s->data, text, (size_t)text_len) != 0) {
        PyErr_SetString(PyExc_ImportError, "lexbor's text node is not read as selectolax reads it");
        return NULL;
    }
    /* an element's attributes, in order, by name and value */
    Py_ssize_t k = 0, expected = PyList_GET_SIZE(attributes);
    for (void *at = fa((node *)(uintptr_t)element); at != NULL; at = na(at), k++) {
        size_t name_len = 0, value_len = 0;
        const unsigned char *name = an(at, &name_len), *value = av(at, &value_len);
        PyObject *pair = k < expected ? PyList_GET_ITEM(attributes, k) : NULL;
        const char *want_name, *want_value;
        Py_ssize_t want_name_len, want_value_len;
        if (pair == NULL || !PyArg_ParseTuple(pair, "y#y#", &want_name, &want_name_len,
                                              &want_value, &want_value_len) ||
            name == NULL || value == NULL || name_len != (size_t)want_name_len ||
            value_len != (size_t)want_value_len || memcmp(name, want_name, name_len) != 0 ||
            memcmp(value, want_value, value_len) != 0) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ImportError,
                            "lexbor's attributes are not read as selectolax reads them");
            return NULL;
        }
    }
    if (k != expected) {
        PyErr_SetString(PyExc_ImportError, "lexbor's attributes are not read as selectolax reads them");
        return NULL;
    }
    tag_info *tags;
    char **stems;
    size_t *stem_len;
    if (make_tables(tag_flags, stem_words, &tags, &stems, &stem_len) < 0) return NULL;
    free_tables(TAGS, STEMS, STEM_LEN);
    TAGS = tags, STEMS = stems, STEM_LEN = stem_len;
    size_t n_tags = 0;
    while (TAGS[n_tags].name != NULL) n_tags++;
    qsort(TAGS, n_tags, sizeof(tag_info), by_first_byte);
    for (int c = 0, i = 0; c <= 256; c++) {
        while (i < (int)n_tags && (c == 256 || (unsigned char)TAGS[i].name[0] < c)) i++;
        TAG_FROM[c] = (unsigned short)i;
    }
    memset(STEM_FIRST, 0, sizeof(STEM_FIRST));
    for (char **stem = STEMS; *stem != NULL; stem++) STEM_FIRST[(unsigned char)(*stem)[0]] = 1;
    qualified_name = qn;
    first_attribute = fa, next_attribute = na, attr_name = an, attr_value = av;
    /* lexbor's selector functions, for match(): optional (without them, none is compiled
       and styles.matching asks selectolax, as it did before) */
    reset_selectors();
    css_parser_create = (create_fn)dlsym(lib, "lxb_css_parser_create");
    css_parser_init = (parser_init_fn)dlsym(lib, "lxb_css_parser_init");
    css_parser_destroy = (destroy_fn)dlsym(lib, "lxb_css_parser_destroy");
    css_selectors_create = (create_fn)dlsym(lib, "lxb_css_selectors_create");
    css_selectors_init = (init_fn)dlsym(lib, "lxb_css_selectors_init");
    css_selectors_destroy = (destroy_fn)dlsym(lib, "lxb_css_selectors_destroy");
    css_parser_selectors_set = (selectors_set_fn)dlsym(lib, "lxb_css_parser_selectors_set_noi");
    css_selectors_parse = (parse_fn)dlsym(lib, "lxb_css_selectors_parse");
    css_list_destroy_memory = (list_destroy_fn)dlsym(lib, "lxb_css_selector_list_destroy_memory");
    selectors_create = (create_fn)dlsym(lib, "lxb_selectors_create");
    selectors_init = (init_fn)dlsym(lib, "lxb_selectors_init");
    selectors_destroy = (destroy_fn)dlsym(lib, "lxb_selectors_destroy");
    selectors_match_node = (match_fn)dlsym(lib, "lxb_selectors_match_node");
    HAVE_SELECTORS = css_parser_create && css_parser_init && css_parser_destroy &&
                     css_selectors_create && css_selectors_init && css_selectors_destroy &&
                     css_parser_selectors_set && css_selectors_parse && css_list_destroy_memory &&
                     selectors_create && selectors_init && selectors_destroy && selectors_match_node;
    Py_RETURN_NONE;
}

/* compile(selector) -> a number for match(), or -1 for a selector lexbor does not read
   (None when lexbor's selector functions were not found). Compiled selectors live in one
   arena (lexbor's parser keeps every list it made in its memory) until reset(). */
static PyObject *compile_selector(PyObject *self, PyObject *args) {
    const char *text;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#", &text, &len)) return NULL;
    if (!HAVE_SELECTORS) Py_RETURN_NONE;
    if (make_selectors() < 0) return PyErr_NoMemory();
    if (N_COMPILED == CAP_COMPILED) {
        Py_ssize_t cap = CAP_COMPILED ? CAP_COMPILED * 2 : 256;
        void **lists = (void **)realloc(COMPILED, (size_t)cap * sizeof(void *));
        if (lists == NULL) return PyErr_NoMemory();
        COMPILED = lists, CAP_COMPILED = cap;
    }
    void *list = css_selectors_parse(CSS_PARSER, (const unsigned char *)text, (size_t)len);
    if (list == NULL) return PyLong_FromLong(-1);
    COMPILED[N_COMPILED] = list;
    return PyLong_FromLongLong((long long)(GENERATION << 32) + N_COMPILED++);
}

static unsigned int on_match(void *node, void *spec, void *ctx) {
    *(int *)ctx = 1;
    return 0;  /* LXB_STATUS_OK */
}

/* match(node mem_id, number) -> whether the element itself matches the compiled selector;
   None for a number from before the last reset() (compile the selector again) */
static PyObject *match_selector(PyObject *self, PyObject *args) {
    unsigned long long at;
    long long number;
    if (!PyArg_ParseTuple(args, "KL", &at, &number)) return NULL;
    if (number < 0 || (number >> 32) != GENERATION) Py_RETURN_NONE;
    Py_ssize_t k = (Py_ssize_t)(number & 0xFFFFFFFFLL);
    if (k >= N_COMPILED || SELECTORS == NULL) Py_RETURN_NONE;
    int matched = 0;
    selectors_match_node(SELECTORS, (void *)(uintptr_t)at, COMPILED[k], on_match, &matched);
    return PyBool_FromLong(matched);
}

/* reset(): every compiled selector forgotten, their memory given back */
static PyObject *reset(PyObject *self, PyObject *args) {
    reset_selectors();
    Py_RETURN_NONE;
}

static PyMethodDef METHODS[] = {
    {"bind", bind, METH_VARARGS,
     "Find lexbor in selectolax's module, check it on a probe page, take the tag table and "
     "the chrome stems: bind(path, root, text_node, text_bytes, element, attributes, "
     "tag_flags, stems)."},
    {"walk", walk, METH_VARARGS, "walks._walk over the tree under a node (its mem_id)."},
    {"keys", keys, METH_VARARGS, "The ids and classes under a node (its mem_id), the node's own too."},
    {"compile", compile_selector, METH_VARARGS, "A selector compiled: its number, -1 if unread, None without lexbor's selector functions."},
    {"match", match_selector, METH_VARARGS, "Whether an element (its mem_id) matches a compiled selector."},
    {"reset", reset, METH_NOARGS, "Forget every compiled selector."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_walk", NULL, -1, METHODS};

PyMODINIT_FUNC PyInit__walk(void) {
    EMPTY = PyUnicode_InternFromString("");
    NOSCRIPT_ORIGIN = PyUnicode_InternFromString("noscript");
    if (EMPTY == NULL || NOSCRIPT_ORIGIN == NULL) return NULL;
    PyObject *module = PyModule_Create(&MODULE);
    if (module == NULL) return NULL;
    /* the flags a tag table gives (what each makes the walk do) */
    if (PyModule_AddIntConstant(module, "SKIP", SKIP) < 0 ||
        PyModule_AddIntConstant(module, "BLOCK", BLOCK) < 0 ||
        PyModule_AddIntConstant(module, "CHROME_TAG", CHROME_TAG) < 0 ||
        PyModule_AddIntConstant(module, "NEVER_CHROME", NEVER_CHROME) < 0 ||
        PyModule_AddIntConstant(module, "IMG", IMG) < 0 ||
        PyModule_AddIntConstant(module, "ANCHOR", ANCHOR) < 0 ||
        PyModule_AddIntConstant(module, "FIGURE", FIGURE) < 0 ||
        PyModule_AddIntConstant(module, "NOSCRIPT", NOSCRIPT) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
