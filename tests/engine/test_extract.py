from __future__ import annotations

import pytest

from newswire.engine.errors import PageError
from newswire.engine.extract import decode, extract, parse
from newswire.engine.types import Page


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
    with pytest.raises(PageError) as err:
        parse(page(body))
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
