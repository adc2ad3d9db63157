from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.engine.decoding import decode, parse
from newswire.engine.errors import PageError
from newswire.engine.extract import extract
from newswire.engine.fingerprint import fold_bytes
from newswire.engine.sifting import sift_text
from newswire.engine.types import Extracted, Page


def page(body: bytes, charset: str | None = None) -> Page:
    return Page("https://ex.org/p", body, "text/html", charset)


def test_undeclared_windows_1252_is_decoded() -> None:
    body = "<p>Café “quoted” — naïve</p>".encode("cp1252")
    assert "Café “quoted” — naïve" in parse(page(body))[1]


def test_lying_charset_header_is_not_trusted() -> None:
    body = "<p>Señor’s menu</p>".encode("cp1252")
    assert "Señor’s menu" in parse(page(body, charset="utf-8"))[1]


def test_utf8_bytes_under_a_latin1_label_are_utf8() -> None:
    body = '<meta charset="iso-8859-1"><p>Zürich’s café</p>'.encode()
    assert "Zürich’s café" in decode(page(body))
    assert "Zürich’s café" in parse(page(body))[1]


def test_declared_single_byte_charset() -> None:
    body = '<meta charset="koi8-r"><p>Привет мир</p>'.encode("koi8-r")
    assert "Привет мир" in parse(page(body))[1]


def test_nul_bytes_are_dropped() -> None:
    _tree, text = parse(page(b"<p>Hel\x00lo wor\x00ld</p>"))
    assert "Hello world" in text and "\x00" not in text


def test_markup_nested_100000_deep_is_refused_quickly() -> None:
    body = b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000
    for read_text in (parse, sift_text):
        with pytest.raises(PageError) as err:
            read_text(page(body))
        assert err.value.reason == "too_deep" and "100000" in err.value.message


def test_huge_colspan_is_harmless() -> None:
    body = b'<table><tr><td colspan="9007199254740991">cell text</td></tr></table>'
    tree, text = parse(page(body))
    assert "cell text" in text
    assert [b.text for b in extract(tree).blocks] == ["cell text"]


def test_binary_served_as_html_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000 + bytes(range(256))
    with pytest.raises(PageError) as err:
        parse(page(png))
    assert err.value.reason == "not_html"


def test_blocks_images_links_and_chrome() -> None:
    html = (
        '<html><head><title>T</title><link rel="canonical" href="https://ex.org/c"></head><body>'
        "<nav><a href='/'>Home</a></nav><article><h1>Head</h1>"
        '<div class="attribution"><img src="/logo-300x75.png" alt="Logo"><p>By Ann Lee</p></div>'
        "<p>First <b>para</b>graph.</p><script>var x = 'not text';</script>"
        '<aside class="related"><ul><li><a href="/r">Ann Lee: other</a></li></ul></aside>'
        "</article></body></html>"
    )
    tree, text = parse(page(html.encode()))
    assert "not text" not in text
    ex = extract(tree)
    texts = [b.text for b in ex.blocks]
    assert texts == ["Home", "Head", "By Ann Lee", "First paragraph.", "Ann Lee: other"]
    assert ex.title == "T" and ex.canonical == "https://ex.org/c"
    by = {b.text: b for b in ex.blocks}
    assert by["Home"].chrome >= 0 and by["Ann Lee: other"].chrome >= 0
    assert by["First paragraph."].chrome == -1
    [img] = ex.images
    assert img.src == "/logo-300x75.png" and img.position == by["By Ann Lee"].index
    assert [link.href for link in ex.links] == ["/", "/r"]


def test_article_body_with_chrome_like_classes_is_not_chrome() -> None:
    html = '<body class="has-sidebar"><div class="entry share"><p>Body text here.</p></div></body>'
    ex = extract(parse(page(html.encode()))[0])
    assert ex.blocks[0].chrome == -1


# --- the sift: text read from the bytes, without a parse ------------------------


def folded(text: str) -> bytes:
    return bytes(fold_bytes(text)).strip()


def test_sift_leaves_out_scripts_styles_comments_and_tags() -> None:
    body = (
        b"<!DOCTYPE html><html><head><STYLE>p { color: red }</STYLE>"
        b'<script type="x">var s = "<p>not text</p>"; if (a < b) {}</script></head>'
        b'<body><!-- a comment with <b>markup</b> --><p class="lead">Don&rsquo;t '
        b'<a href="/x">look</a> back &amp; forth</p><scripts>kept</scripts>'
        b"<!--[if IE]><script>old()</script><![endif]--><p>The end</p></body></html>"
    )
    text = sift_text(page(body))
    assert folded(text) == b"don t look back forth kept the end"
    assert folded(text) == folded(parse(page(body))[1])


def test_sift_decodes_as_parse_does() -> None:
    body = "<p>Café “quoted” — naïve Señor’s</p>".encode("cp1252")
    assert folded(sift_text(page(body))) == folded(parse(page(body))[1])
    latin = '<meta charset="iso-8859-1"><p>It’s “fine”</p>'.encode("cp1252")
    assert "It’s “fine”" in sift_text(page(latin))
    assert "It’s “fine”" in parse(page(latin))[1]  # Latin-1 labels read as windows-1252
    koi = '<meta charset="koi8-r"><p>Привет мир</p>'.encode("koi8-r")
    assert "Привет мир" in sift_text(page(koi))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<",
        b">",
        b"<p>",
        b"short",
        b"<p>text without an end <script>never closed, all dropped",
        b"<p>unclosed comment <!-- runs to the end",
        b"<p>a > b and c < d</p>" * 3,
        b"<" * 5000,
        b">" * 5000,
        b"<p>x</p>\x00\x00<p>y</p>",
        bytes(range(256)) * 20,
    ],
)
def test_sift_survives_odd_bytes(body: bytes) -> None:
    try:
        text = sift_text(page(body))
    except PageError:
        return  # refused as not HTML, as parse refuses it
    assert isinstance(text, str)
    assert "never closed" not in text


_WORDS = st.sampled_from(
    ["news", "wire", "Café", "don’t", "a&amp;b", "&lt;tag&gt;", "x", "“quoted”", "2024", "–"]
)


@st.composite
def _markup(draw: st.DrawFn) -> str:
    """A well-formed page from the pieces real pages are made of."""
    parts = ["<html><head><title>t</title></head><body>"]
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["p", "inline", "script", "style", "comment", "div", "img"]))
        words = " ".join(draw(st.lists(_WORDS, min_size=1, max_size=8)))
        if kind == "p":
            parts.append(f'<p class="c">{words}</p>')
        elif kind == "inline":
            parts.append(f'<p>{words} <a href="/a?b=1&amp;c=2">{words}</a> <b>{words}</b></p>')
        elif kind == "script":
            parts.append(f"<script>var s = '<p>{words}</p>'; if (1 < 2) {{}}</script>")
        elif kind == "style":
            parts.append("<style>p > a { color: red }</style>")
        elif kind == "comment":
            parts.append(f"<!-- {words} <p>hidden</p> -->")
        elif kind == "div":
            parts.append(f"<div id='d'><span>{words}</span><br>{words}</div>")
        else:
            parts.append('<img src="/i.png" alt="an image">')
    parts.append("</body></html>")
    return "".join(parts)


@given(_markup())
@settings(max_examples=150, deadline=None)
def test_sift_reads_the_text_the_parser_reads(html: str) -> None:
    """On well-formed pages the sift's text folds to the parsed text, byte for byte."""
    body = html.encode()
    sifted = folded(sift_text(page(body)))
    parsed = folded(parse(page(body))[1])
    assert sifted.removeprefix(b"t").strip() == parsed  # the sift also reads <title>


def _extracted(body: str) -> Extracted:
    return extract(parse(page(body.encode()))[0])


def test_images_carry_their_caption_and_credit() -> None:
    ex = _extracted(
        '<article><figure class="photo"><img src="/a.jpg" alt="Smoke">'
        "<figcaption>Smoke over the ridge. <span>Photo: Getty Images</span></figcaption>"
        '</figure><div class="wp-caption"><img src="/b.jpg"><p class="wp-caption-text">'
        'Credit: AP Photo</p></div><img src="/c.jpg"><p>A paragraph, not a caption.</p></article>'
    )
    captions = {i.src: i.caption for i in ex.images}
    assert captions == {
        "/a.jpg": "Smoke over the ridge. Photo: Getty Images",
        "/b.jpg": "Credit: AP Photo",
        "/c.jpg": "",
    }


def test_candidate_byline_lines() -> None:
    ex = _extracted(
        "<article><h1>By the river, a new plan</h1>"
        '<div class="author-box">Grace Nakamura, Plainfield News Service</div>'
        "<p>By Kwame Thornbury</p><p>Written by A. N. Other</p>"
        "<p>The council met at noon, and by evening it was clear what it was for.</p>"
        "<p>Jane Doe is a staff reporter for the Plainfield News Service.</p>"
        "<p>the mayor is expected at the meeting of the board</p></article>"
    )
    assert [ex.blocks[i].text for i in ex.bylines] == [
        "Grace Nakamura, Plainfield News Service",
        "By Kwame Thornbury",
        "Written by A. N. Other",
        "Jane Doe is a staff reporter for the Plainfield News Service.",
    ]
