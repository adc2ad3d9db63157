"""The page's styles, read without a browser: @media answered, sheets cut into rules
cheaply, the cascade, and hostile CSS that must not stop a scan."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from newswire.engine.extract import extract
from newswire.engine.styles import media_matches, sheet_rules, style_blocks


@pytest.mark.parametrize("query, holds", [
    ("", True), ("screen", True), ("print", False), ("all and (min-width: 900px)", True),
    ("(max-width: 600px)", False), ("only screen and (max-width:1280px)", True),
    ("not print", True), ("(orientation: portrait)", False), ("print, (min-width: 1px)", True),
    ("(prefers-color-scheme: dark)", False), ("(min-width: 100em)", False),
    ("(some-future-feature)", False),
])  # fmt: skip
def test_media_queries_are_answered_for_a_desktop_reader(query, holds):
    assert media_matches(query) is holds


def test_a_sheet_keeps_only_the_rules_that_apply():
    css = """/* .x{display:none} */ @charset "utf-8"; @import url(a.css);
    @font-face{font-family:x;src:url(f.woff)} @keyframes k{from{opacity:0}to{opacity:1}}
    @media print{.p{display:none}} @media screen and (min-width:900px){.w{display:none}}
    .a,.b > img{display:none} .c{color:red} @supports (display:grid){.g{opacity:0}}"""
    kept = {r.selector for r in sheet_rules(css)}
    assert kept == {".w", ".a", ".b > img", ".g"}


@pytest.mark.parametrize("css", [
    "{" * 5000, "}" * 5000, ".a{display:none" * 2000, "@media (" * 3000,
    ":is(" * 500 + ".x{display:none}", "\x00.a{display:none}", ".a{display:none!important!}",
    "a[href=\"{\"]{display:none}", ".a{background:url(\"x;y\")}" * 1000,
    "\ud800 .a { display: none }".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
])  # fmt: skip
def test_hostile_css_neither_crashes_nor_hides_the_page(css):
    html = f"<style>{css}</style><div class=a><p>Still here for the reader.</p></div>"
    blocks = extract(LexborHTMLParser(html), style_blocks(html.encode())).blocks
    assert isinstance(blocks, tuple)


def test_a_hostile_style_attribute_is_ignored():
    html = '<div style="display:none;x:' + "(" * 3000 + '"><p>Seen by the reader.</p></div>'
    assert extract(LexborHTMLParser(html)).blocks


def test_a_print_style_block_hides_nothing_on_screen():
    body = b'<style media="print">.a{display:none}</style><div class=a><p>Seen.</p></div>'
    assert style_blocks(body) == ()
