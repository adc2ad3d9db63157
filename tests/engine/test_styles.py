"""The page's styles, read without a browser: @media answered, sheets cut into rules
cheaply, the cascade, and hostile CSS that must not stop a scan."""

from __future__ import annotations

import random

import pytest
import tinycss2
from selectolax.lexbor import LexborHTMLParser

from newswire.engine import styles
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


# --- the hand-written fast paths agree with the libraries they stand in for -------------


@pytest.fixture(scope="module")
def dev_css() -> list[str]:
    """The CSS of every page of the dev corpus: its <style> blocks, comments dropped."""
    from newswire.engine.read import read_warc
    from newswire.engine.types import Page
    from tests.conftest import shared_or_skip

    warc = shared_or_skip("corpus", "dev", "pages.warc.gz")
    sheets = {css for p in read_warc(warc) if isinstance(p, Page) for css in style_blocks(p.body)}
    return [styles._COMMENT.sub(" ", css.lstrip("\ufeff")) for css in sorted(sheets)]


@pytest.fixture(scope="module")
def dev_pages() -> list[bytes]:
    """The HTML of every page of the dev corpus."""
    from newswire.engine.read import read_warc
    from newswire.engine.types import Page
    from tests.conftest import shared_or_skip

    warc = shared_or_skip("corpus", "dev", "pages.warc.gz")
    return [p.body for p in read_warc(warc) if isinstance(p, Page)]


def _blocks(css: str) -> list[tuple[str, str]]:
    out = []
    for part in css.split("}")[:-1]:
        head, brace, body = part.rpartition("{")
        if brace:
            out.append((head[head.rfind("{") + 1 :].strip(), body))
    return out


def _tinycss2_declarations(body: str) -> tuple[tuple[str, str, bool], ...]:
    found = []
    for d in tinycss2.parse_declaration_list(body, skip_whitespace=True, skip_comments=True):
        if d.type == "declaration" and d.lower_name in styles.HONOURED:
            value = " ".join(tinycss2.serialize(d.value).split())
            if not d.lower_name.startswith("background"):
                value = value.lower()
            found.append((d.lower_name, value, bool(d.important)))
    return tuple(found)


def test_plain_blocks_are_read_as_tinycss2_reads_them(dev_css):
    bodies = [b for css in dev_css for _, b in _blocks(css)]
    generated = [
        "DISPLAY:NONE", "display : none ! important", "display:none!IMPORTANT;opacity:0",
        "display:;opacity:0", ";;display:none;;", "margin: -9999px   0 ;", "x:y;display:block",
        "font-size:0 !important ; text-indent:-9999px", "display", "display:none:x",
        "  Visibility :  Hidden  ", "width:1PX;height:0", "position:absolute;left:-10000px",
        # parentheses: followed, unbalanced, stray, nested, with semicolons inside
        "transform:translate(-50%,-50%) scale(0);opacity:0", "width:calc(100% - (2 * 10px))",
        "clip:rect(0 0 0 0);width:1px", "clip:rect(0;0);display:none", "width:calc(1px;display:none",
        "display:none);width:(0", "x:a));display:none;y:(;;)", "clip-path:inset(50%)!important",
        "transform:matrix(1,0,0,1,0,0) !IMPORTANT", "opacity:var(--o, 0);display:block",
        "width:min(10px, 2vw);height:max(0px,(1px))", "background:rgba(0,0,0,.5)", "((;display:none",
    ]  # fmt: skip
    plain = [b for b in bodies + generated if styles._NOT_PLAIN.search(b) is None]
    read = [b for b in plain if styles._plain_declarations(b) is not None]
    assert len(read) > 1000  # the dev corpus is read, not skipped
    assert sum("(" in b for b in read) > 300
    wrong = [b for b in read if styles._plain_declarations(b) != _tinycss2_declarations(b)]
    assert wrong == []
    # a block that leaves a parenthesis open is tinycss2's to read (it closes it)
    left_open = [b for b in plain if styles._plain_declarations(b) is None]
    assert "width:calc(1px;display:none" in left_open and "display:none);width:(0" in left_open
    assert all(styles.block_declarations(b) == _tinycss2_declarations(b) for b in left_open)


def test_generated_blocks_read_by_hand_are_read_as_tinycss2_reads_them():
    """Blocks made at random from the pieces that part tokens (signs, dots, units, hashes,
    bangs, parentheses, spaces of every kind): each one the hand-written reading takes is
    read as tinycss2 reads it; the others are left to tinycss2."""
    pieces = ["1", "0", ".5", "5", "px", "rem", "%", "e", "E", "-", "+", ".", "(", ")", ",", " ",
              "#", "!important", "!", "calc(", "a", "x", "_", "*", "~", "=", "/", ":", ";", "width:",
              "opacity:", "display:", "none", "scale(", "rect(", "var(--o", "--", "h1", "\t", "\n",
              "\u00e9", "\u00a0", "&", "?", "<", "clip:", "0px", "font-size:", "1e3"]  # fmt: skip
    rng = random.Random(36)
    taken = 0
    for _ in range(30_000):
        block = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        if styles._NOT_PLAIN.search(block) is not None:
            continue
        plain = styles._plain_declarations(block)
        if plain is None:
            continue
        taken += 1
        assert plain == _tinycss2_declarations(block), block
    assert taken > 5000


def test_plain_selectors_get_the_specificity_cssselect2_gives(dev_css):
    import cssselect2

    checked = 0
    for css in dev_css:
        for group, _ in _blocks(css):
            if not group or group.startswith("@") or len(group) > styles.MAX_SELECTOR:
                continue
            for selector in styles._split_group(group):
                if (
                    styles._NOT_PLAIN_SELECTOR.search(selector)
                    or "::" in selector
                    or styles._legacy_pseudo(selector)
                    or not styles._lexbor_reads(selector)
                ):
                    continue
                try:
                    (compiled,) = cssselect2.compile_selector_list(
                        tinycss2.parse_component_value_list(selector)
                    )
                except (cssselect2.SelectorError, ValueError):
                    continue  # cssselect2 lacks a pseudo-class lexbor reads (":read-only")
                checked += 1
                assert styles._plain_specificity(selector) == tuple(compiled.specificity), selector
    assert checked > 1000


@pytest.mark.parametrize("selector, specificity", [
    (".--hide-me", (0, 1, 0)), ("_mCS_1", (0, 0, 1)), ("#a.b c[d] > e:first-child", (1, 3, 2)),
    ("*", (0, 0, 0)), (".é", (0, 1, 0)), ("a + b ~ c", (0, 0, 3)), ("[data-x=y] a", (0, 1, 1)), ('[href="a.b#c"]', (0, 1, 0)),
])  # fmt: skip
def test_specificity_of_plain_selectors(selector, specificity):
    assert styles.selector_specificity(selector) == specificity


# --- a rule applies to the elements it matches, not to those that hold one -------------


@pytest.mark.parametrize("css, html", [
    (".menu:not(.open)>.content>*{opacity:0} .content{transform:translateY(-10%)}",
     '<div class=menu><nav class=content><p>Inside</p></nav></div>'),
    (".box div{display:none} .x{position:relative;left:-5px}",
     '<div class=x><div class=box><div>Its own</div></div></div>'),
    ("p span{visibility:hidden} .x{clip-path:inset(1%)}",
     '<div class=x><p>Seen <span>not this</span></p></div>'),
    ("li > a{opacity:0} .x{scale:1.05;transform:scale(1.05)}",
     '<ul class=x><li><a href=/a>link</a></li></ul>'),
])  # fmt: skip
def test_a_rule_matching_only_inside_an_element_does_not_style_it(css, html):
    tree = LexborHTMLParser(f"<style>{css}</style><main>{html}<p>More text here.</p></main>")
    outer = tree.css_first(".x, .menu > .content, .content")
    sheets = styles.page_sheets(tree, styles.style_blocks(f"<style>{css}</style>".encode()))
    style = styles.style_of(outer, sheets)
    assert not styles.hidden_by(style, outer.tag or "")
    assert style.get("visibility") != "hidden"
    assert "data-newswire-self" not in (tree.html or "")  # the probe is taken off


# --- only blocks that can hide send their elements to the cascade ----------------------


@pytest.mark.parametrize("body, hides", [
    ("font-size:0.875rem", False), ("font-size:0", True), ("font-size:0px!important", True),
    ("transform:translateX(-50%)", False), ("transform:translateX(-2000px)", True),
    ("transform:scale(1.05)", False), ("transform:scale(0)", True), ("left:-9999px", True),
    ("position:absolute;left:-20px", False), ("height:0", True), ("height:0;overflow:visible", True),
    ("clip:rect(0 0 0 0)", True), ("clip-path:inset(50%)", True), ("text-indent:-9999px", True),
    ("text-indent:-1em", False), ("visibility:hidden", True), ("opacity:.5", False),
    ("background:url(a.png) no-repeat", True), ("margin:-1000px 0 0", True), ("z-index:-1000", False),
    ("display:none", True), ("display:block", False), ("width:1px", True), ("max-height:1px", True),
])  # fmt: skip
def test_what_a_block_can_hide_by_itself(body, hides):
    assert styles.hides_by_itself(body) is hides


@pytest.mark.parametrize("css, html", [
    (".p{position:absolute} .o{left:-9999px}", '<div class="p o">{}</div>'),
    (".c{overflow:hidden} .h{height:0}", '<div class="c h">{}</div>'),
    (".b{display:block} .t{text-indent:-9999px}", '<a class="b t" href=/x>{}</a>'),
    (".a{position:fixed} .k{clip:rect(0,0,0,0)}", '<span class="a k">{}</span>'),
])  # fmt: skip
def test_hiding_split_across_rules_is_still_found(css, html):
    page = (
        f"<style>{css}</style><main><p>The article text a reader sees.</p>"
        + html.format("<p>Hidden words nobody reads.</p>")
        + "</main>"
    )
    ex = extract(LexborHTMLParser(page), style_blocks(page.encode()))
    text = " ".join(b.text for b in ex.blocks)
    assert "article text" in text and "Hidden words" not in text


def test_the_sheet_cache_is_bounded_by_the_css_it_holds(monkeypatch):
    cache = styles._SheetCache(limit=1000)
    for i in range(50):
        cache.get(f".a{i}{{display:none}}" + " " * 100)
    assert cache.chars <= 1000 and len(cache.kept) < 50
    assert cache.get(".big{display:none}" + " " * 5000)  # read, though too big to keep
    assert cache.chars <= 1000


def _python_rules(css: str) -> tuple[styles.Rule, ...]:
    css = css.lstrip("\ufeff")
    if "/*" in css:
        css = styles._COMMENT.sub(" ", css)
    if "@" in css:
        css = styles._cut_unapplied(css)
    rules: list[styles.Rule] = []
    styles._read_blocks(css, rules)
    return tuple(rules)


def _as_tuples(rules):
    """The rules' fields, their numbers left out but held to their order: the numbers order
    a sheet's rules (the compiled reading numbers its k-th item's from k * 2**16, the Python
    reading counts), and only the order decides between equals."""
    numbers = [r.n for r in rules]
    assert numbers == sorted(set(numbers)), "rules numbered out of their order"
    return [(r.selector, r.body, r.key, r.hides, r.needs, r.shows) for r in rules]


def _generated_sheets(seed: int, count: int) -> list[str]:
    """Sheets made at random from the pieces the reading looks at: selectors with ids,
    classes, parentheses (nested, unbalanced), combinators and commas; declarations that
    hide, show again or do neither, with every kind of space; text outside ASCII; stray
    braces and semicolons; at-rules."""
    rng = random.Random(seed)
    sel = [".a", "#b", "div", "A", ".--x", "#-y", "._z1", ".1bad", "*", " ", ">", "+", "~", ",",
           ":not(.c)", ":is(.d, .e)", ":not(:is(.f))", "(", ")", "[x='.g']", "\t", "\n", ".é",
           "#\u00e9t\u00e9", "\u212a", "::before", ":hover", ";", "@x", ".h.i", "p#j.k"]  # fmt: skip
    decl = ["display:none", "DISPLAY : NONE", "visibility:hidden", "visibility: collapse",
            "opacity:0", "opacity: .0%", "opacity:0.5", "opacity:1", "opacity:00.01",
            "transform:none", "transform: scale( 1 )", "transform:scale(0)", "clip:rect(0 0 0 0)",
            "margin-left:-9999px", "margin: - 1000px", "text-indent:-999em", "font-size:0",
            "font-size:0.0PX", "font-size:0.5em", "width:1px", "height: 0 !important",
            "max-width:1.00px", "width:10px", "background:url(x.png)", "color:red",
            "position:absolute", "left:-10000px", "\u00a0display:none", "display:none\n",
            "opacity:0\n", "width:0\u2028", "top:0", ";", " ", "\x1c", "\u212aey:1"]  # fmt: skip
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            group = "".join(rng.choice(sel) for _ in range(rng.randint(1, 6)))
            body = ";".join(rng.choice(decl) for _ in range(rng.randint(0, 4)))
            shape = rng.random()
            if shape < 0.05:
                parts.append(f"@media print{{{group}{{{body}}}}}")
            elif shape < 0.1:
                parts.append(f"@media screen{{{group}{{{body}}}}}")
            elif shape < 0.13:
                parts.append(f"{group}{{{body}")  # never closed
            elif shape < 0.16:
                parts.append(f"{group}}}{body}}}")  # a stray brace
            elif shape < 0.19:
                parts.append(f"/* {group} */{group}{{{body}}}")
            else:
                parts.append(f"{group}{{{body}}}")
        out.append(("\ufeff" if rng.random() < 0.05 else "") + "".join(parts))
    return out


@pytest.mark.skipif(styles._compiled is None, reason="the compiled sheet reading is not built")
def test_the_compiled_sheet_reading_gives_the_python_rules(dev_css):
    sheets = [*dev_css, *_generated_sheets(36, 3000)]
    rules = 0
    for css in sheets:
        expected = _as_tuples(_python_rules(css))
        assert _as_tuples(styles._read_sheet(css)) == expected, css[:500]
        rules += len(expected)
    assert rules > 20_000
    # hostile: a sheet of one selector list nested 500 deep, or 5,000 characters long, is
    # left out by both; a lone surrogate (not UTF-8) is read in Python
    for css in (":is(" * 500 + ".a" + ")" * 500 + "{display:none}",
                ".a," * 1700 + ".b{display:none}", ".\ud800{display:none}.b{width:0}"):  # fmt: skip
        assert _as_tuples(styles._read_sheet(css)) == _as_tuples(_python_rules(css))


def test_the_present_keys_are_read_by_the_walk_as_by_selectolax(dev_pages):
    """The ids and classes of every dev page, and of pages with odd ones (spaces outside
    ASCII, bytes that are not UTF-8, empty and valueless attributes), read both ways."""
    odd = [
        b'<html class="x  y\x1cz"><body id="" class><p class="\xc2\xa0a\xc2\xa0b" id="i\xff">'
        b'<span class="\xe2\x80\x83c d\te\nf" id="#q"></span><b id=r class=s CLASS=t></b>'
        b"<template><i class=inside></i></template></body></html>",
        b"<p>no keys at all</p>",
    ]
    trees = [LexborHTMLParser(p) for p in [*dev_pages, *odd]]
    for tree in trees:
        for root in (tree.root, tree.body):
            if root is not None:
                assert styles._present_keys(root) == styles._present_keys_python(root)
    assert {".a", ".b", "#i\ufffd", ".c", ".d", "#r", ".s"} <= styles._present_keys(trees[-2].root)


def test_style_blocks_are_found_in_any_case():
    """``<style>`` blocks as HTML reads them, in every case of the tag's letters: a block
    with a media that does not hold is left out, ``<styles>`` is no style block, one never
    closed ends the search."""
    rng = random.Random(7)
    pieces = ["<style>", "<STYLE>", "<StYlE media=print>", "<style media='screen'>",
              "<style\tMEDIA=\"(max-width: 10px)\">", "</style>", "</STYLE >", "</StYle>",
              "<styles>", "<style_x>", "a{display:none}", "<p>text</p>", "<STYLE media=all>",
              "é", ">", "<"]  # fmt: skip

    def by_lower_case(body: bytes) -> tuple[str, ...]:
        # the reading before: the page lower-cased, then bytes.find
        folded, out, at = body.lower(), [], body.lower().find(b"<style")
        while at != -1:
            after = folded[at + 6 : at + 7]
            if after.isalnum() or after == b"_":
                at = folded.find(b"<style", at + 6)
                continue
            opened = folded.find(b">", at)
            closing = folded.find(b"</style", opened) if opened != -1 else -1
            if closing == -1:
                break
            attrs, start = folded[at + 6 : opened], opened + 1
            at = folded.find(b"<style", closing + 7)
            media = styles._MEDIA_ATTR.search(attrs) if attrs.strip() else None
            if media is not None:
                said = next(g for g in media.groups() if g is not None)
                if not media_matches(said.decode("latin-1")):
                    continue
            out.append(body[start:closing].decode("utf-8", "replace"))
        return tuple(out)

    found = 0
    for _ in range(3000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))).encode()
        assert style_blocks(body) == by_lower_case(body), body
        found += len(style_blocks(body))
    assert found > 1000


def test_a_class_is_dropped_from_a_selector_as_the_expression_drops_it():
    """styles._drop_class against the regular expression it stands for, on generated
    selectors: the class at the start, the end, twice, inside a longer name (``.ab``,
    ``.a-b``, ``.a_b``, ``.aé``), after other classes, in ``:not()``."""
    import re

    rng = random.Random(11)
    names = ["a", "ab", "is-visible", "é", "in_view", "x1"]
    parts = [".a", ".ab", ".a-b", ".a_b", ".a\u00e9", ".a1", ".is-visible", ".is-visible-x", ".\u00e9",
             ".\u00e9t\u00e9", ".in_view", ".x1", ".x12", " ", " > ", "div", "img", ":not(.a)",
             "#a", "[data-a]", "+", "~", ".", "..a"]  # fmt: skip
    for _ in range(3000):
        selector = "".join(rng.choice(parts) for _ in range(rng.randint(0, 8)))
        name = rng.choice(names)
        expected = re.sub(rf"\.{re.escape(name)}(?![\w-])", "", selector)
        assert styles._drop_class(selector, name) == expected, (selector, name)


def test_a_block_ends_where_its_braces_close():
    """styles._block_end (one level of rules matched at once) against counting the braces
    one by one, on generated sheets: flat blocks, deeper ones, blocks never closed."""
    rng = random.Random(5)
    parts = ["a{b}", "{", "}", "x", " ", ".c{d:e}", "@media x{", "p{q{r}}", ";", "\n"]

    def counted(css: str, start: int) -> int:
        depth = 1
        for at in range(start, len(css)):
            depth += {"{": 1, "}": -1}.get(css[at], 0)
            if depth == 0:
                return at + 1
        return len(css)

    for _ in range(4000):
        css = "".join(rng.choice(parts) for _ in range(rng.randint(0, 30)))
        start = rng.randint(0, len(css))
        assert styles._block_end(css, start) == counted(css, start), (css, start)


def test_compiled_selectors_match_as_selectolax_does():
    """Every selector of the test pages' own sheets, and generated ones (combinators,
    attributes, pseudo-classes, :not and :is, :nth-child), compiled once by lexbor, match
    each element as selectolax's css_matches does, wherever a rule would use them (a
    specificity: lexbor reads them); and after the compiled ones are forgotten (reset)."""
    from newswire.engine import walks

    if walks.WALK is None:
        pytest.skip("the compiled walk is not bound here")
    compiled = styles._compiled_selectors()
    assert compiled is not None, "the walk is bound, its compiled selectors are not"
    rng = random.Random(3)
    tags, classes = ["div", "p", "span", "a", "li", "ul", "img", "section"], ["x", "y", "z", "is-hidden"]

    def page() -> str:
        def element(depth: int) -> str:
            tag = rng.choice(tags)
            attrs = f" class='{' '.join(rng.sample(classes, rng.randint(0, 2)))}'"
            attrs += f" id=i{rng.randint(0, 9)}" if rng.random() < 0.3 else ""
            attrs += " hidden" if rng.random() < 0.1 else ""
            attrs += " data-k='v w'" if rng.random() < 0.2 else ""
            inner = "".join(element(depth + 1) for _ in range(rng.randint(0, 3 if depth < 4 else 0)))
            return f"<{tag}{attrs}>{inner or 'text'}</{tag}>"

        return "<html><body>" + "".join(element(0) for _ in range(4)) + "</body></html>"

    simple = [*tags, *(f".{c}" for c in classes), "#i1", "#i3", "*", "[hidden]", "[data-k~=w]",
              "[data-k^='v']", ":first-child", ":last-child", ":nth-child(2n+1)", ":empty",
              ":not(.x)", ":is(p, span)", ":only-child", ":nth-of-type(2)"]  # fmt: skip

    def selector() -> str:
        parts = [rng.choice(tags) * (rng.random() < 0.5) + rng.choice(simple)]
        for _ in range(rng.randint(0, 3)):
            parts += [rng.choice([" ", " > ", " + ", " ~ "]), rng.choice(simple)]
        return "".join(parts)

    asked = 0
    for round_ in range(30):
        tree = LexborHTMLParser(page())
        elements = [n for n in tree.body.traverse() if n.tag and not n.tag.startswith("-")]
        selectors = [selector() for _ in range(60)]
        rules = [(k, styles.Rule(s, "", k, ("", "", ()))) for k, s in enumerate(selectors)
                 if styles.selector_specificity(s) is not None]  # fmt: skip
        for node in elements:
            expected = styles._asked_of_selectolax(node, rules)
            assert styles.matching(node, rules) == expected
            asked += len(rules)
        if round_ == 15:
            compiled.walk.reset()  # every number kept is now stale: compiled again
    assert asked > 20_000


@pytest.mark.parametrize("selector", [":is(.x, :not(.y))", ":not(:is(.y))", "p:not(.y, :is(.y))"])
def test_a_class_inside_nested_parentheses_is_not_required(selector):
    """A selector whose classes all sit inside nested :is()/:not() requires none of them
    (it matches the element without them): its rule is offered to every element."""
    key, needs = styles._key_and_needs(selector)
    assert key[1:] == ("", ()) and not needs
    html = f"<style>{selector}{{display:none}}</style><p class=y>Kept, marked y.</p><p>Gone.</p>"
    tree = LexborHTMLParser(html)
    texts = [b.text for b in extract(tree).blocks]
    assert "Gone." not in texts and "Kept, marked y." in texts


def test_style_blocks_are_found_the_same_from_the_pages_marks(dev_pages):
    """style_blocks from the places of "<style" that the compiled pass found (page_marks)
    gives what its own search gives: on the dev pages and on generated ones (tags in any
    case, <styles>, blocks never closed, media that hold and do not)."""
    from newswire.engine.embedded import page_marks

    if page_marks(b"") is None:
        pytest.skip("the engine's C part is not built")
    rng = random.Random(23)
    parts = [b"<style>p{display:none}</style>", b"<STYLE media=print>a{}</STYLE>", b"<styles>",
             b"<StYlE media='screen'>b{}</sTyLe >", b"<style", b"</style>", b"<p>text</p>", b"<s",
             b"<style media=\"(max-width: 600px)\">c{}</style>", b"\xe2\x80\x99"]  # fmt: skip
    pages = list(dev_pages)
    for _ in range(2000):
        page = b"".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        pages.append(page[: len(page) - rng.randint(0, 5)])
    for body in pages:
        marks = page_marks(body)
        assert marks is not None
        assert style_blocks(body, marks.styles) == style_blocks(body), body[:300]
