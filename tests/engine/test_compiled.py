"""The engine's compiled loops (_sift.c) give exactly what their numpy versions give, on
markup made to trip a tokenizer and on any text; and the engine runs without them."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from newswire.engine import walks
from newswire.engine.fingerprint import COMPILED, signature, signature_numpy
from newswire.engine.sifting import _between_tags, _between_tags_numpy

pytestmark = pytest.mark.skipif(COMPILED is None, reason="the compiled part is not built")

FRAGMENTS = [b"<", b">", b"<script", b"</script>", b"<SCRIPT type=x>", b"<style>", b"</style",
             b"<!--", b"-->", b"--", b"<scripts>", b"<p>", b"</p>", b"text ", b" words and more ",
             b'"<style"', b"application/ld+json", b"__NEXT_DATA__", b"__NUXT__", b"\xe2\x80\x99",
             b"\xc2\xa0", b"&amp;", b"\x00", b"\n"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=120), st.booleans())
def test_the_sift_is_the_same_compiled(parts, keep_data):
    body = b"".join(parts)
    assert _between_tags(body, keep_data) == _between_tags_numpy(body, keep_data)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600), st.sampled_from([(32, 8), (16, 1), (24, 3)]))
def test_the_fingerprint_is_the_same_compiled(text, shape):
    window, sample = shape
    fast = signature(text, window=window, sample=sample).hashes
    slow = signature_numpy(text, window=window, sample=sample).hashes
    assert np.array_equal(fast, slow)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abcdefghij", min_size=1, max_size=12),
            st.text(alphabet="xyz", min_size=4000, max_size=9000),  # a run past a block
            st.sampled_from([" ", ". ", "\u2019", "\u00a0", "\n", "--"]),
        ),
        min_size=1,
        max_size=2500,
    ),
    st.sampled_from([(32, 8), (16, 1), (256, 2), (300, 4), (1, 1)]),
)
def test_the_fingerprint_of_long_text_is_the_same_compiled(words, shape):
    """Texts past the compiled hashing's blocks (4,096 window starts), with windows up to
    its widest (256 bytes) and past it."""
    text = " ".join(words)
    window, sample = shape
    fast = signature(text, window=window, sample=sample).hashes
    slow = signature_numpy(text, window=window, sample=sample).hashes
    assert np.array_equal(fast, slow)


def test_the_engine_runs_and_finds_the_same_without_them(tmp_path):
    from ..factories import (
        article,
        ninjs,
        page_record,
        paragraphs,
        write_stories,
        write_terms,
        write_warc,
    )

    stories = write_stories(tmp_path / "s.jsonl", [ninjs("urn:t:a", paragraphs(1))])
    terms = write_terms(tmp_path / "t.json")
    crawl = tmp_path / "c.warc.gz"
    write_warc(crawl, [page_record("https://r.example/a", article(paragraphs(1))),
                       page_record("https://r.example/x", article(paragraphs(9)))])  # fmt: skip
    args = [sys.executable, "-m", "newswire", "scan", "--stories", str(stories), "--terms",
            str(terms), str(crawl)]  # fmt: skip
    compiled = subprocess.run(args, capture_output=True, text=True, check=True)
    pure = subprocess.run(args, capture_output=True, text=True, check=True,
                          env={**os.environ, "NEWSWIRE_PURE_PYTHON": "1"})  # fmt: skip
    assert compiled.stdout == pure.stdout and compiled.stdout.count("\n") == 1


def _mixed_texts(seed: int, count: int) -> list[bytes]:
    """Pages and texts that take the wide loops (sixteen and thirty-two bytes at a time) and
    leave them: long ASCII runs, runs of separators, typographic marks (C2/E2 bytes) at every
    offset of a sixteen, markup, non-ASCII letters, lengths around the loops' edges."""
    import random

    rng = random.Random(seed)
    pieces = [b"word ", b"Longerword ", b"ALLCAPS ", b"d1g1ts ", b", ", b". ", b"  \n\t ",
              b"--", b"\xe2\x80\x99", b"\xe2\x80\x94", b"\xe2\x81\xa0", b"\xc2\xa0",
              b"\xc2\xab", b"caf\xc3\xa9 ", b"\xe2\x82\xac", b"<p>", b"</p>", b"<b>x</b>",
              b"<script>if (a<b) c>d;</script>", b"<!-- c -->", b"&amp;", b"_", b"A" * 40,
              b"z" * 17, b"<", b">"]  # fmt: skip
    out = []
    for _ in range(count):
        text = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 400)))
        out.append(text[: len(text) - rng.randint(0, 15)] if text else text)
    return out


def test_the_wide_loops_give_what_the_plain_ones_give():
    """The sift and the fingerprint with the processor's wider instructions (AVX2, SSSE3, where
    it has them) and without (``NEWSWIRE_PLAIN_C=1``, read when the module loads) give the
    same, on texts made to enter and leave those loops at every offset."""
    if not COMPILED.wide():
        pytest.skip("this processor has none of the wider instructions the sift uses")
    code = (
        "import sys, pickle\n"
        "from newswire.engine.fingerprint import COMPILED\n"
        "texts = pickle.loads(sys.stdin.buffer.read())\n"
        "out = [(COMPILED.between_tags(t, True), COMPILED.signature(t, 32, 8),"
        " COMPILED.signature(t, 5, 1)) for t in texts]\n"
        "sys.stdout.buffer.write(pickle.dumps((COMPILED.wide(), out)))\n"
    )
    import pickle

    texts = _mixed_texts(7, 400)
    plain = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(texts),
                           capture_output=True, check=True,
                           env={**os.environ, "NEWSWIRE_PLAIN_C": "1"})  # fmt: skip
    wide, answers = pickle.loads(plain.stdout)
    assert wide == ()
    for text, answer in zip(texts, answers, strict=True):
        here = (COMPILED.between_tags(text, True), COMPILED.signature(text, 32, 8),
                COMPILED.signature(text, 5, 1))  # fmt: skip
        assert here == answer, text[:200]


# character references as html.unescape reads them (named with and without ";", prefixes
# of longer names, numeric at and past every edge), bytes that are not UTF-8, NULs
REFERENCES = [b"&amp;", b"&amp", b"&ampx;", b"&nbsp", b"&copy 2024", b"&notin;", b"&notit;",
              b"&rsquo;", b"&#8217;", b"&#x2019;", b"&#X2019", b"&#128;", b"&#129;", b"&#0;",
              b"&#13;", b"&#x9f;", b"&#xa0;", b"&#xD800;", b"&#xFDD0;", b"&#xFFFE;",
              b"&#x10FFFF;", b"&#x110000;", b"&#99999999999;", b"&#0000065;", b"&#", b"&#x;",
              b"&;", b"& ", b"Q&A", b"AT&T's", b"&\xc3\xa9", b"&eacute\xc3\xa9;",
              b"&abcdefghijklmnopqrstuvwxyz0123456789;", b"&GT", b"&nGt;", b"\xe9", b"\x93",
              b"\x81", b"\xff\xfe", b"\xc3\xa9", b"\xe2\x80\x94", b"\x00", b"&am\x00p;"]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS + REFERENCES), max_size=120),
    st.sampled_from([None, "utf-8", "iso-8859-1", "windows-1252", "shift_jis"]),
)
def test_the_sift_and_its_fingerprint_in_one_call_are_the_same(parts, charset):
    from newswire.engine.errors import PageError
    from newswire.engine.sifting import sift, sift_signature
    from newswire.engine.types import Page

    page = Page("https://r.example/", b"<p>" + b"".join(parts) + b" words after", charset=charset)

    def read(how):  # the hashes and the doubt, or the refusal
        try:
            sig, doubt = how()
        except PageError as exc:
            return exc.reason
        return sig.hashes.tolist(), doubt

    def slow():
        text, doubt = sift(page)
        return signature(text, window=16, sample=1), doubt

    assert read(lambda: sift_signature(page, window=16, sample=1)) == read(slow)


def test_every_reference_is_read_as_html_unescape_reads_it():
    """Each numeric reference up to U+10FFFF (and past it), one by one, through the compiled
    reading: the text it gives fingerprints as html.unescape's does."""
    import html

    from newswire.engine.sifting import sift_signature
    from newswire.engine.types import Page

    numbers = [*range(0x250), *range(0xD7F0, 0xE010), *range(0xFDC0, 0xFE00),
               *range(0xFFF0, 0x10010), 0x1FFFE, 0x1FFFF, 0x10FFFE, 0x10FFFF, 0x110000]  # fmt: skip
    for number in numbers:
        ref = f"w{number}x&#{number};y{number}z"
        page = Page("https://r.example/", f"<p>{ref} and more words".encode())
        fused, _ = sift_signature(page, window=4, sample=1)
        slow = signature(html.unescape(ref) + " and more words", window=4, sample=1)
        assert np.array_equal(fused.hashes, slow.hashes), number


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=30), min_size=1, max_size=40),
    st.lists(st.integers(0, 40), max_size=60),
    st.integers(1, 4),
    st.sampled_from([0.0, 0.04, 0.3]),
)
def test_the_index_lookup_is_the_same_compiled(stories, page, min_hits, min_share):
    """Small hash values make shared hashes, wide buckets and boilerplate drops likely."""
    from newswire.engine.index import StoryIndex
    from newswire.engine.types import Signature

    index = StoryIndex(max_df_share=0.2, min_df_ceiling=2)
    mix = np.uint64(0x9E3779B97F4A7C15)
    for k, values in enumerate(stories):
        index.add(f"urn:s:{k}", Signature(np.unique(np.asarray(values, dtype=np.uint64) * mix)))
    index.build()
    q = np.unique(np.asarray(page, dtype=np.uint64) * mix)
    assume(q.shape[0] and index._hashes.shape[0])  # query() answers those before looking
    compiled = COMPILED.lookup(q, index._hashes, index._owners, index._sizes_arr,
                               index._bucket_starts, index._bucket_starts.dtype.itemsize,
                               index._bucket_shift, 2, min_hits, min_share)  # fmt: skip
    assert compiled == index._hits(q, min_hits, min_share)


# --- the extraction walk (_walk.c) ------------------------------------------------

WALK_FRAGMENTS = [
    "<p>", "</p>", "<div class='story-body'>", "<div id='Related-Links'>", "</div>",
    "<section class='comments'>", "</section>", "<nav>", "</nav>", "<aside>", "</aside>",
    "<article>", "</article>", "<span class='byline'>", "</span>", "By Ann Lee ", "<br>",
    "<h2>", "</h2>", "<figure>", "</figure>", "<figcaption>Photo: AP</figcaption>",
    "<img src=' /a.jpg ' alt='A'>", "<img data-src='/b.png'>", "<img src='data:x'>",
    "<a href=' https://wire.example/s '>", "<a href='   '>", "<a>", "</a>", "<ul><li>",
    "</li></ul>", "<table><tr><td>", "</td></tr></table>", "<script>var a='<p>x</p>';</script>",
    "<style>p{}</style>", "<!-- c -->", "<noscript>" + "word " * 45 + "</noscript>",
    "<noscript><img src='/px.gif'></noscript>", "<template><p>t</p></template>",
    "<svg><text>s</text></svg>", "<select><option>o</option></select>", "<my-widget class='x'>",
    "</my-widget>", "<b>", "</b>", "text ", " words\n\tand more ", "\u00a0", "\u2028",
    "caf\u00e9 ", "\x1c", "&amp;", "<em class='Caf\u00c9'>", "</em>", "<form>", "</form>",
    "<center>", "<title>In body</title>", "<button>Go</button>", "<main>", "</main>",
]  # fmt: skip


def _both_walks(html: bytes):
    from selectolax.lexbor import LexborHTMLParser

    module = walks
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    return module._walk(root), module._walk_compiled(root, module.WALK)


walk_built = pytest.mark.skipif(
    walks.WALK is None, reason="the compiled walk is not built"
)


@walk_built
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WALK_FRAGMENTS), max_size=80), st.sampled_from(["utf-8", "cp1252"]))
def test_the_extraction_walk_is_the_same_compiled(parts, charset):
    """Blocks (text, tag, path, chrome, hint, origin), images with their captions and links
    with their elements: the same, on markup of every kind, unbalanced and mis-nested."""
    html = "<html><body>" + "".join(parts)
    python, compiled = _both_walks(html.encode(charset, "replace"))
    assert compiled == python


@walk_built
def test_the_compiled_walk_reads_bytes_as_selectolax_does():
    """Bytes that are not UTF-8 (lexbor passes them through) become U+FFFD per text node, as
    selectolax decodes each node; a sequence split across two nodes is not joined."""
    html = (
        b"<p>caf\xe9 <b>\xe2\x80</b>\x99 \xff\xfe</p><p class='\xc3\x28'>x</p><a href='\xff'>y</a>"
    )
    python, compiled = _both_walks(html)
    assert compiled == python
    assert "\ufffd" in python[0][0].text


@walk_built
def test_the_compiled_walk_survives_deep_and_wide_pages():
    deep = b"<div>" * 1500 + b"<p>deep text</p>" + b"</div>" * 1500
    wide = b"<p>" + b"<span class='related'>x</span>" * 20000 + b"</p>"
    for html in (deep, wide, b"", b"<html></html>", b"just text"):
        python, compiled = _both_walks(html)
        assert compiled == python


def test_the_walk_is_left_out_without_the_compiled_part():
    code = "import newswire.engine.walks as walks; print(walks.WALK)"
    env = {**os.environ, "NEWSWIRE_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "None"


BIND_CHECKS = r"""
import sys
import selectolax.lexbor
from selectolax.lexbor import LexborHTMLParser
import newswire.engine.walks as extract
walk = extract.WALK
page = LexborHTMLParser(extract._PROBE)
title, div = page.css_first("title"), page.css_first("div#Main")
attrs = [(k.encode(), v.encode()) for k, v in div.attributes.items()]
good = (selectolax.lexbor.__file__, page.root.mem_id, title.child.mem_id,
        title.child.text_content.encode(), div.mem_id, attrs)
tags, stems = extract._tag_flags(walk), extract._CHROME_STEMS

def tried(*args):
    try:
        walk.bind(*args)
    except (ImportError, ValueError) as e:
        return str(e)
    return "bound"

print(tried(*good[:3], b"A probe pagX", *good[4:], tags, stems))
print(tried(*good[:3], b"A probe", *good[4:], tags, stems))
print(tried(*good[:5], attrs[:-1], tags, stems))
print(tried(*good[:5], [(b"id", b"Main"), (b"class", b"story"), (b"data-n", b"cafe 1")], tags, stems))
print(tried(*good[:4], title.child.mem_id, attrs, tags, stems))
print(tried(*good, {"p": -1}, stems))
print(tried(*good, tags, ("",)))
# the tables are the ones Python gives: without <p> as a block, or without the stems,
# the walk reads otherwise
html = LexborHTMLParser(b"<body><div>a<p>b</p></div><ul class='related'><li>c</li></ul></body>")
before = extract._walk_compiled(html.body, walk)
assert before == extract._walk(html.body)
print(tried(*good, {k: v & ~walk.BLOCK if k == "p" else v for k, v in tags.items()}, stems))
print(len(extract._walk_compiled(html.body, walk)[0]), len(before[0]))
print(tried(*good, tags, ()))
print([b.chrome for b in extract._walk_compiled(html.body, walk)[0]], [b.chrome for b in before[0]])
"""


@walk_built
def test_the_compiled_walk_checks_lexbor_and_takes_its_rules_from_python():
    """bind() refuses a text node or attributes it reads otherwise than selectolax (a wrong
    layout would read another offset), and walks by the tag table and chrome stems that
    extract.py gives it, not by its own."""
    out = subprocess.run([sys.executable, "-c", BIND_CHECKS], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    text_refused = "lexbor's text node is not read as selectolax reads it"
    attrs_refused = "lexbor's attributes are not read as selectolax reads them"
    assert lines[:5] == [text_refused, text_refused, attrs_refused, attrs_refused, attrs_refused]
    assert lines[5] == "the tag table maps tag names to flags"
    assert lines[6] == "the chrome stems are ASCII words"
    assert lines[7] == "bound"
    assert lines[8] == "2 3"  # "a" and "b" run together when <p> is not a block
    assert lines[9] == "bound"
    assert lines[10] == "[-1, -1, -1] [-1, -1, 1]"  # the related list is chrome by its stem


DATA_FRAGMENTS = [
    b"<script>", b"</script>", b"<SCRIPT type='application/ld+json'>", b"<script type=application/LD+JSON>",
    b'<script type="application/ld+json">', b"<script id=__NEXT_DATA__ type=x>", b"<script id='__next_data__'>",
    b"<scripts type=application/ld+json>", b"<script src=a.js>", b"<script", b">", b"<", b"<s", b"__",
    b'{"@type": "NewsArticle", "articleBody": "A paragraph long enough to read as prose, with words and more words.", "author": {"name": "Ann Lee"}, "datePublished": "2024-05-02"}',
    b'{"props": {"pageProps": {"body": "Another paragraph long enough to read as prose in Next.js data for the test."}}}',
    b"window.__NUXT__=(function(a){return {body:\"A Nuxt paragraph long enough to read as prose, in a script.\"}})(1);",
    b'Fusion.globalContent={"content_elements": [{"content": "An Arc paragraph long enough to read as prose, in the global content."}]};',
    b"application/ld+json", b"__NEXT_DATA__", b"__NUXT__", b"Fusion.globalContent", b"Fusion", b"appl",
    b"<p>Visible text.</p>", b"\xe2\x80\x99", b"\n", b" ",
]  # fmt: skip


DATA_OPENS = [b"<script type='application/ld+json'>", b"<SCRIPT TYPE=Application/Ld+Json >",
              b'<script data-x="1" type="application/ld+json" nonce=z>', b"<script id=__NEXT_DATA__>",
              b"<script type=application/json id='__next_data__'>", b"<scripts id=__NEXT_DATA__>",
              b"<script>", b"<script type=text/plain>application/ld+json", b"<script\n id=__NEXT_DATA__\n>"]  # fmt: skip
DATA_BODIES = [*DATA_FRAGMENTS[14:18], b"", b"{not json", b"<p>in a script</p>"]
DATA_CLOSES = [b"</script>", b"</SCRIPT >", b"", b"</scrip>"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.sampled_from(DATA_OPENS), st.sampled_from(DATA_BODIES), st.sampled_from(DATA_CLOSES)
            ).map(b"".join),
            st.sampled_from(DATA_FRAGMENTS),
        ),
        max_size=12,
    ),
    st.integers(0, 40),
)
def test_the_data_scripts_are_found_the_same_compiled(parts, cut):
    """embedded() through the compiled pass (data_marks: the expressions tried only where a
    tag names the data) gives what the four substring searches and two expressions over
    the whole page give, on pages made of data scripts in any case, cut anywhere."""
    from newswire.engine import embedded

    body = b"".join(parts)
    body = body[: len(body) - cut] if cut < len(body) else body
    compiled = embedded.embedded(body)
    kept = embedded.COMPILED
    embedded.COMPILED = None
    try:
        assert compiled == embedded.embedded(body)
    finally:
        embedded.COMPILED = kept


def test_the_data_scripts_of_the_dev_pages_are_found_the_same_compiled():
    from newswire.engine import embedded
    from newswire.engine.read import read_warc
    from newswire.engine.types import Page

    from ..conftest import shared_or_skip

    warc = shared_or_skip("corpus", "dev", "pages.warc.gz")
    bodies = [p.body for p in read_warc(warc) if isinstance(p, Page)]
    compiled = [embedded.embedded(b) for b in bodies]
    kept = embedded.COMPILED
    embedded.COMPILED = None
    try:
        assert compiled == [embedded.embedded(b) for b in bodies]
    finally:
        embedded.COMPILED = kept
    assert sum(1 for e in compiled if e) > 50  # pages that carry text as data were read


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=80), st.sampled_from(["p", "h2", "figcaption", "li"])),
                max_size=30))  # fmt: skip
def test_a_pages_words_are_split_the_same_compiled(texts):
    """align.PageText.of with its ASCII blocks split in C (words_of) gives the words and
    their blocks that the expression gives, on any text: ASCII, not, mixed, empty, with
    the record separator and entities in it."""
    from newswire.engine import align
    from newswire.engine.types import Block

    extra = ["\x1e", "&#30;", "caf\u00e9", "a_b 9", "\u00a0", "&amp;", "ﬁ"]
    blocks = tuple(Block(i, text + extra[i % len(extra)] * (i % 3 == 0), tag, (i,))
                   for i, (text, tag) in enumerate(texts))  # fmt: skip
    compiled = align.PageText.of(blocks)
    kept = align.COMPILED
    align.COMPILED = None
    try:
        assert compiled == align.PageText.of(blocks)
    finally:
        align.COMPILED = kept


def test_the_dev_pages_words_are_split_the_same_compiled():
    from newswire.engine import align
    from newswire.engine.decoding import parse
    from newswire.engine.extract import extract
    from newswire.engine.read import read_warc
    from newswire.engine.types import Page

    from ..conftest import shared_or_skip

    warc = shared_or_skip("corpus", "dev", "pages.warc.gz")
    pages = [p for p in read_warc(warc) if isinstance(p, Page)][:300]
    blocks = [extract(parse(p, screened=False)[0]).blocks for p in pages]
    compiled = [align.PageText.of(b) for b in blocks]
    kept = align.COMPILED
    align.COMPILED = None
    try:
        assert compiled == [align.PageText.of(b) for b in blocks]
    finally:
        align.COMPILED = kept


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=20))
def test_a_storys_words_are_split_the_same_compiled(paragraphs):
    """StoryText.of with its ASCII paragraphs split in C gives the words and paragraph ends
    the expression gives (paragraphs without words, empty ones, any text)."""
    from newswire.engine import align
    from newswire.engine.types import Story

    story = Story(uri="urn:t:s", headline="A headline", paragraphs=tuple(paragraphs))
    compiled = align.StoryText.of(story)
    kept = align.COMPILED
    align.COMPILED = None
    try:
        plain = align.StoryText.of(story)
    finally:
        align.COMPILED = kept
    assert (compiled.words, compiled.paragraph_ends) == (plain.words, plain.paragraph_ends)
    assert compiled.vocab == plain.vocab and np.array_equal(compiled.ids, plain.ids)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), min_size=4, max_size=120),
        # a short stretch repeated: each 4-gram at more than the 16 places an anchor takes
        st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=4, max_size=7).map(
            lambda w: (w * 60)[:240]
        ),
    ),
    st.one_of(
        st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "x", "y"]), max_size=200),
        st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=200),
    ),
)
def test_runs_and_their_chain_are_the_same_compiled(story_words, page_words):
    """align._runs and the chain through them, in C (runs, predecessors), against the
    Python loops: a story of few distinct words that repeats itself (anchors at many
    places, more than 16 for some), pages that share and break runs, words it lacks."""
    from newswire.engine import align
    from newswire.engine.types import Block, Story

    story = Story(uri="urn:t:s", headline="h", paragraphs=(" ".join(story_words),))
    blocks = (Block(0, " ".join(page_words), "p", (0,)),)
    st_, page = align.StoryText.of(story), align.PageText.of(blocks)
    compiled = (align._runs(st_, page), align.align(st_, page))
    kept = align.COMPILED
    align.COMPILED = None
    try:
        assert compiled == (align._runs(st_, page), align.align(st_, page))
    finally:
        align.COMPILED = kept
