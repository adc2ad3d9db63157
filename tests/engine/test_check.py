from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.engine import Scanner
from newswire.engine.check import check_link, file_stem, normalize_url
from newswire.engine.types import Extracted, Link, Match, Page, Story

from ..factories import LOGO, WIRE, article, paragraphs

A = paragraphs(1)  # story urn:test:a, reporter Grace Nakamura, restricted photo GettyImages-111
B = paragraphs(2)  # urn:test:b, Kwame Thornbury
CANON = "https://plainfieldnews.org/stories/a"


def scan(scanner: Scanner, html: str) -> dict[str, Match]:
    matches = scanner.scan_page(Page("https://republisher.example/p", html.encode()))
    return {m.story: m for m in matches}


def checks(scanner: Scanner, html: str, uri: str = "urn:test:a") -> dict[str, bool | None]:
    return {c.name: c.passed for c in scan(scanner, html)[uri].checks}


def test_compliant_copy(scanner: Scanner) -> None:
    attribution = (
        f'<div class="attribution"><img src="{LOGO}" alt="">'
        f'<p class="byline">By Grace Nakamura, Education Reporter, {WIRE}</p></div>'
    )
    after = f'<p>This story was first published by <a href="{CANON}?utm_source=x">{WIRE}</a>.</p>'
    m = scan(scanner, article(A, attribution=attribution, after=after))["urn:test:a"]
    assert m.kind == "pickup" and m.compliant
    assert all(c.passed for c in m.checks), m.checks
    assert "pns-logo-2x.png" in {c.name: c.evidence for c in m.checks}["logo"]


def test_logo_forms(scanner: Scanner) -> None:
    rehosted = '<img src="https://republisher.example/up/pns-logo-2x-300x75.png">'
    by_alt = f'<img src="/img/x91.png" alt="{WIRE} logo">'
    other = '<img src="/img/daily-logo.png" alt="Example Daily logo">'
    assert checks(scanner, article(A, attribution=rehosted))["logo"] is True
    assert checks(scanner, article(A, attribution=by_alt))["logo"] is True
    assert checks(scanner, article(A, attribution=other))["logo"] is False


def test_byline_forms(scanner: Scanner) -> None:
    def byline(html: str) -> tuple[bool | None, bool | None]:
        c = checks(scanner, article(A, attribution=html))
        return c["byline"], c["affiliation"]

    assert byline("<p>By Grace Nakamura</p>") == (True, False)
    assert byline(f"<p>Grace Nakamura | {WIRE}</p>") == (True, True)
    assert byline(
        '<div class="author-box"><strong>Grace Nakamura</strong> <em>Reporter</em></div>'
    ) == (True, False)
    assert byline(f"<p>By {WIRE}</p>") == (False, False)
    credit = f"<p><em>Grace Nakamura is a reporter for the {WIRE}.</em></p>"
    c = checks(scanner, article(A, after=credit))
    assert (c["byline"], c["affiliation"]) == (True, True)


def test_name_in_a_related_box_is_no_byline(scanner: Scanner) -> None:
    related = (
        f'<aside class="related"><h4>More from {WIRE}</h4><ul><li>'
        '<a href="https://plainfieldnews.org/x">Grace Nakamura: Lawmakers weigh rules</a></li></ul></aside>'
    )
    assert checks(scanner, article(A, after=related))["byline"] is False


def test_affiliation_by_logo_beside_the_byline_not_by_footer(scanner: Scanner) -> None:
    beside = (
        f'<div class="attribution"><img src="{LOGO}"><div class="author">Grace Nakamura</div></div>'
    )
    assert checks(scanner, article(A, attribution=beside))["affiliation"] is True
    footer = f'<p>Courtesy of <a href="https://plainfieldnews.org/">{WIRE}</a>.</p><div class="credit"><img src="{LOGO}"></div>'
    c = checks(scanner, article(A, attribution="<p>By Grace Nakamura</p>", after=footer))
    assert c["logo"] is True and c["affiliation"] is False and c["link"] is False


def test_restricted_photo_by_name_on_another_host(scanner: Scanner) -> None:
    theirs = (
        '<figure><img src="https://republisher.example/up/GettyImages-111-1024x683.jpg"></figure>'
    )
    own_agency = '<figure><img src="https://republisher.example/up/GettyImages-999.jpg"></figure>'
    assert checks(scanner, article(A, attribution=theirs))["restricted_media"] is False
    assert checks(scanner, article(A, attribution=own_agency))["restricted_media"] is True


def test_unedited_allows_trim_and_new_headline_but_not_insertions(scanner: Scanner) -> None:
    assert checks(scanner, article(A[:5], headline="A New Title"))["unedited"] is True
    inserted = [*A[:3], "An inserted sentence by the republisher about the budget plan.", *A[3:]]
    assert checks(scanner, article(inserted))["unedited"] is False


def test_roundup_checks_each_story_in_its_own_section(scanner: Scanner) -> None:
    first = (
        f'<section class="story"><h2>One</h2><img src="{LOGO}"><p>By Grace Nakamura, {WIRE}</p>'
        + "".join(f"<p>{p}</p>" for p in A)
        + "</section>"
    )
    second = (
        '<section class="story"><h2>Two</h2><p>By Kwame Thornbury</p>'
        + "".join(f"<p>{p}</p>" for p in B)
        + "</section>"
    )
    found = scan(scanner, f"<html><body><h1>Today</h1>{first}{second}</body></html>")
    a = {c.name: c.passed for c in found["urn:test:a"].checks}
    b = {c.name: c.passed for c in found["urn:test:b"].checks}
    assert (a["logo"], a["byline"], a["affiliation"]) == (True, True, True)
    assert (b["logo"], b["byline"], b["affiliation"]) == (False, True, False)


def test_excerpt_and_unrelated(scanner: Scanner) -> None:
    excerpt = scan(scanner, article([*paragraphs(50), *A[:2]]))
    assert excerpt["urn:test:a"].kind == "excerpt"
    assert scan(scanner, article(paragraphs(51))) == {}


def test_url_and_file_name_normal_forms() -> None:
    assert normalize_url("http://www.X.org/a/?utm_source=y&id=2") == normalize_url(
        "https://x.org/a?id=2"
    )
    assert file_stem("https://h/up/pns-logo-2x-300x75.png") == "pns-logo-2x"
    assert file_stem("https://h/pns-602582.jpg?w=10") == "pns-602582"


_HREF_PARTS = st.sampled_from(
    ["", ".", "..", "./", "../", "//", "///", "https:", "http://ex.com", "//ex.com", "/", "?",
     "#top", "?id=5", "stories", "a", "story-one", "story-one/", "b?id=5&utm_source=x",
     "story.html", "\n", "\t", "\x01", " "]
)  # fmt: skip


@given(
    st.lists(_HREF_PARTS, min_size=1, max_size=5).map("".join),
    st.sampled_from(
        ["https://ex.com/news/story-one/", "https://www.ex.com/a/b?id=5&utm_source=y",
         "https://ex.com/story.html", "https://ex.com/"]
    ),
    st.sampled_from(
        ["https://ex.com/news/story-one", "https://other.org/x/y/z", "https://ex.com/a/b/",
         "https://ex.com/"]
    ),
)  # fmt: skip
@settings(max_examples=400, deadline=None)
def test_link_check_skips_only_links_that_cannot_resolve_to_the_story(
    href: str, canonical: str, page_url: str
) -> None:
    """The cheap test before resolving each link never changes the answer."""
    href = href.strip()
    if not href:
        return
    story = Story("urn:t", "t", (), (), canonical_url=canonical)
    ex = Extracted("", (), (), (Link(href, 0, markup="<a>"),))
    want = normalize_url(href, page_url) == normalize_url(canonical)
    assert check_link(ex, story, page_url).passed is want


def test_a_byline_naming_someone_else_is_the_evidence(scanner: Scanner) -> None:
    html = article(A, attribution="<p>By Staff Writer Pat Jones</p>")
    [byline] = [c for c in scan(scanner, html)["urn:test:a"].checks if c.name == "byline"]
    assert byline.passed is False
    assert byline.evidence.endswith("the byline reads: By Staff Writer Pat Jones")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["http", "s", ":", "/", "//", ".", "..", "?", "#", "a", "b.c", "x-1",
                         "\t", "\n", "\x00", " ", "%2e", "é", "+", "index.html", "story-slug"]),
        max_size=14,
    ).map("".join)
)  # fmt: skip
def test_the_link_prefilter_is_the_one_expression_branch_by_branch(href):
    from newswire.engine.check import _MAY_RESOLVE_ELSEWHERE, _may_resolve_elsewhere

    assert _may_resolve_elsewhere(href) == bool(_MAY_RESOLVE_ELSEWHERE.search(href))


def test_links_and_images_that_are_not_urls_are_passed_over(scanner: Scanner) -> None:
    """A hostile page's href or src that urlsplit refuses ("http://[::1/…") holds the story's
    path, so the link check reads it: it is no link to the story, never a crash of the scan."""
    after = (
        '<p><a href="http://[::1/stories/a">x</a> <img src="http://[::1/GettyImages-111.jpg">'
        f' <a href="{CANON}">{WIRE}</a></p>'
    )
    c = checks(scanner, article(A, after=after))
    assert c["link"] is True  # the real link still counts
    assert normalize_url("http://[::1/stories/a") != normalize_url(CANON)
    assert file_stem("http://[::1/GettyImages-111.jpg") == ""
