"""Verdicts on the markup real CMSes print: each form a browser shows (logos in AMP,
srcset and lazy-loading themes, noscript fallbacks, CSS backgrounds, SVG), what a reader
cannot see (hidden credits), agency photos by their visible credit, and the link back
through AMP caches. Every case has a page that passes and one that fails, as a reader
would judge it. Story ``urn:test:a`` (``paragraphs(1)``) is by Grace Nakamura and has a
restricted photo, ``GettyImages-111.jpg``, credited "Photo by Ana Ruiz/Getty Images"."""

from __future__ import annotations

import pytest

from newswire.engine import Scanner
from newswire.engine.types import Match, Page

from ..factories import LOGO, WIRE, article, paragraphs

A = paragraphs(1)
CANON = "https://plainfieldnews.org/stories/a"
BYLINE = f'<p class="byline">By Grace Nakamura, Education Reporter, {WIRE}</p>'
ALT = f"{WIRE} logo"


def match(scanner: Scanner, attribution: str = "", after: str = "") -> Match:
    html = article(A, attribution=attribution, after=after)
    [found] = [m for m in scanner.scan_page(Page("https://copy.example/p", html.encode()))
               if m.story == "urn:test:a"]  # fmt: skip
    return found


def check(scanner: Scanner, name: str, attribution: str = "", after: str = "") -> tuple:
    c = {c.name: c for c in match(scanner, attribution, after).checks}[name]
    return c.passed, c.evidence


# --- 1. logos in every form a browser shows ------------------------------------------------


@pytest.mark.parametrize(
    "logo, form",
    [
        (f'<amp-img src="{LOGO}" width="200" height="50" layout="fixed"></amp-img>', "amp-img"),
        (
            f'<amp-anim src="/up/pns-logo-2x.gif" alt="{ALT}" width="200" height="50"></amp-anim>',
            "amp-anim",
        ),
        (
            f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="{LOGO} 1x, {LOGO} 2x">',
            "img srcset",
        ),
        (
            f'<img src="/wp-content/themes/x/placeholder.png" data-srcset="{LOGO} 400w">',
            "img srcset",
        ),
        (f'<img src="/img/blank.gif" data-lazy-src="{LOGO}">', "lazy data-lazy-src"),
        (f'<img data-src="{LOGO}">', "lazy data-src"),
        (
            '<picture><source srcset="/up/pns-logo-2x.webp" type="image/webp">'
            '<img src="/img/lazy.gif"></picture>',
            "picture source",
        ),
        (
            f'<img class="lazy" src="/img/grey.gif"><noscript><img src="{LOGO}"></noscript>',
            "noscript fallback",
        ),
        (
            f'<div class="brand" style="background-image: url(\'{LOGO}\'); width:200px"></div>',
            "background-image",
        ),
        (f'<svg viewBox="0 0 10 10"><title>{ALT}</title><path d="M0 0h10v10z"/></svg>', "svg"),
        (f'<svg role="img" aria-label="{WIRE}"><path d="M0 0h10v10z"/></svg>', "svg"),
    ],
)
def test_a_logo_a_reader_sees_passes_and_names_its_form(scanner, logo, form):
    passed, evidence = check(scanner, "logo", attribution=logo + BYLINE)
    assert passed is True, evidence
    assert f"shown as {form}" in evidence


@pytest.mark.parametrize(
    "logo",
    [
        '<amp-img src="/img/daily-logo.png" alt="Example Daily logo" width="200"></amp-img>',
        '<img src="/img/blank.gif" data-srcset="/img/daily-logo.png 2x">',
        "<svg><title>Example Daily</title></svg>",
        '<div style="background-image:url(/img/daily-logo.png)"></div>',
        '<noscript><img src="/img/daily-logo.png"></noscript>',
    ],
)
def test_another_logo_in_those_forms_fails(scanner, logo):
    assert check(scanner, "logo", attribution=logo + BYLINE)[0] is False


def test_the_affiliation_a_logo_s_alt_text_carries_survives_amp(scanner):
    """The seed story's form: the wire's logo beside a byline that names only the reporter."""
    beside = (f'<div class="byline"><amp-img src="{LOGO}" alt="{ALT}" width="120" height="30">'
              "</amp-img><span>By Grace Nakamura, Education Reporter</span></div>")  # fmt: skip
    passed, evidence = check(scanner, "affiliation", attribution=beside)
    assert passed is True and "shown as amp-img" in evidence


# --- 2. hidden is not shown --------------------------------------------------------------


@pytest.mark.parametrize(
    "hide",
    ['style="display:none"', 'style="visibility: hidden"', "hidden",
     'style="opacity:0"', 'style="color:red; DISPLAY : NONE !important"', 'style="opacity: 0.0"'],
)  # fmt: skip
def test_a_hidden_logo_byline_or_link_does_not_count(scanner, hide):
    logo = f'<div {hide}><img src="{LOGO}" alt="{ALT}"></div>'
    byline = f"<div {hide}>{BYLINE}</div>"
    link = f'<p {hide}>First published by <a href="{CANON}">{WIRE}</a></p>'
    m = match(scanner, attribution=logo + byline, after=link)
    got = {c.name: c.passed for c in m.checks}
    assert got["logo"] is False and got["byline"] is False and got["link"] is False
    assert got["affiliation"] is False
    shown = match(scanner, attribution=logo.replace(hide, "") + BYLINE,
                  after=link.replace(hide, ""))  # fmt: skip
    assert all(c.passed for c in shown.checks if c.name != "restricted_media"), shown.checks


@pytest.mark.parametrize(
    "img",
    [f'<img src="{LOGO}" width="1" height="1">', f'<img src="{LOGO}" width="0">',
     f'<img src="{LOGO}" style="width:1px;height:1px">', f'<img hidden src="{LOGO}">'],
)  # fmt: skip
def test_a_logo_shrunk_to_a_pixel_is_not_shown(scanner, img):
    assert check(scanner, "logo", attribution=img + BYLINE)[0] is False


@pytest.mark.parametrize(
    "shown",
    ['style="opacity:0.8"', 'aria-hidden="true"', 'style="display:block"',
     'style="visibility:visible"', 'class="hidden-xs"'],
)  # fmt: skip
def test_what_only_looks_hidden_still_counts(scanner, shown):
    """aria-hidden hides nothing from sight; a class name is not an inline style."""
    logo = f'<div {shown}><img src="{LOGO}" alt="{ALT}"></div>'
    assert check(scanner, "logo", attribution=logo + BYLINE)[0] is True


def test_an_article_a_paywall_hides_until_it_reveals_it_is_still_the_copy(scanner):
    """A subscriber's article: the whole body in a display:none element a script shows."""
    html = article(A, attribution=f'<img src="{LOGO}">{BYLINE}')
    html = html.replace("<h1>", '<div style="display:none" class="paywall-full-content"><h1>')
    html = html.replace("</article>", "</div></article>")
    [m] = [m for m in scanner.scan_page(Page("https://copy.example/p", html.encode()))
           if m.story == "urn:test:a"]  # fmt: skip
    assert m.kind == "pickup" and {c.name: c.passed for c in m.checks}["byline"] is True


# --- 3. restricted photos by their visible credit ------------------------------------------


@pytest.mark.parametrize(
    "photo",
    [
        '<figure><img src="/uploads/2024/09/council-meeting-1024x683.jpg"><figcaption>Residents '
        "at the meeting. (Photo by Ana Ruiz/Getty Images)</figcaption></figure>",
        '<img src="/uploads/img_0042.jpg" alt="Photo by Ana Ruiz / Getty Images">',
        '<div class="hero" style="background-image:url(/media/hero-final.jpg)">'
        '<span class="credit">ANA RUIZ/GETTY IMAGES</span></div>',
        '<img src="/x.gif" data-src="/cdn/abc123.webp"><p class="wp-caption-text">Photo: '
        "Ana Ruiz/Getty Images</p>",
    ],
)
def test_the_story_s_agency_photo_renamed_is_found_by_its_credit(scanner, photo):
    passed, evidence = check(scanner, "restricted_media", attribution=photo + BYLINE)
    assert passed is False and "Ana Ruiz" in evidence.replace("ANA RUIZ", "Ana Ruiz")


@pytest.mark.parametrize(
    "photo",
    [
        '<figure><img src="/uploads/mayor.jpg"><figcaption>The mayor. (Photo by Lee Park/Getty '
        "Images)</figcaption></figure>",  # the partner's own licensed agency photo
        '<figure><img src="/uploads/hall.jpg"><figcaption>Photo: Example Daily staff'
        "</figcaption></figure>",
        '<img src="/uploads/ana-ruiz-portrait.jpg" alt="Ana Ruiz, the council clerk">',
    ],
)
def test_the_partner_s_own_photos_are_not_restricted(scanner, photo):
    assert check(scanner, "restricted_media", attribution=photo + BYLINE)[0] is True


# --- 4. the link back ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        f"{CANON}?utm_source=partner&utm_medium=syndication",
        "http://plainfieldnews.org/stories/a/",
        "https://www.plainfieldnews.org/stories/a",
        "https://plainfieldnews-org.cdn.ampproject.org/c/s/plainfieldnews.org/stories/a",
        "https://www.google.com/amp/s/plainfieldnews.org/stories/a/",
    ],
)
def test_the_link_back_in_the_forms_it_travels(scanner, href):
    after = f'<p>First published by <a href="{href}">{WIRE}</a>.</p>'
    assert check(scanner, "link", after=after)[0] is True


@pytest.mark.parametrize(
    "href",
    ["https://plainfieldnews.org/", "https://plainfieldnews-org.cdn.ampproject.org/c/s/"
     "plainfieldnews.org/", "https://notgoogle.com/amp/s/plainfieldnews.org/stories/a"],
)  # fmt: skip
def test_a_link_to_the_home_page_or_a_look_alike_is_no_link_back(scanner, href):
    after = f'<p>First published by <a href="{href}">{WIRE}</a>.</p>'
    assert check(scanner, "link", after=after)[0] is False


# --- 5. the optional canonical check -------------------------------------------------------


def _scanner(stories, mode: str, required: bool) -> Scanner:
    from newswire.engine.terms import terms_from_dict

    from ..factories import TERMS

    data = {**TERMS, "canonical": mode}
    if required:
        data["required"] = [*TERMS["required"], "canonical"]
    return Scanner(stories, terms_from_dict(data)[0])


def _page(head: str = "", robots: str = "") -> Page:
    html = article(A, attribution=f'<img src="{LOGO}">{BYLINE}')
    html = html.replace("<title>Site</title>", f"<title>Site</title>{head}")
    return Page("https://copy.example/p", html.encode(), robots=robots)


def _canonical(scanner: Scanner, page: Page) -> tuple:
    [m] = [m for m in scanner.scan_page(page) if m.story == "urn:test:a"]
    c = {c.name: c for c in m.checks}.get("canonical")
    return (None if c is None else c.passed), m.compliant


def test_the_canonical_check_is_off_unless_the_terms_ask_for_it(scanner):
    [m] = [m for m in scanner.scan_page(_page()) if m.story == "urn:test:a"]
    assert "canonical" not in {c.name for c in m.checks}


CANONICAL_LINK = f'<link rel="canonical" href="{CANON}?utm_source=x">'
NOINDEX = '<meta name="robots" content="noindex, follow">'


@pytest.mark.parametrize(
    "mode, head, robots, passed",
    [
        ("link", CANONICAL_LINK, "", True),
        ("link", NOINDEX, "", False),  # noindex is not what these terms ask for
        ("link", '<link rel="canonical" href="https://copy.example/p">', "", False),
        ("noindex", NOINDEX, "", True),
        ("noindex", '<meta name="googlebot" content="NOINDEX">', "", True),
        ("noindex", "", "noindex", True),  # the X-Robots-Tag header
        ("noindex", CANONICAL_LINK, "", False),
        ("either", CANONICAL_LINK, "", True),
        ("either", "", "none", True),
        ("either", '<meta name="robots" content="index, follow">', "", False),
    ],
)
def test_the_canonical_check_by_what_the_terms_choose(stories, mode, head, robots, passed):
    assert _canonical(_scanner(stories, mode, required=True), _page(head, robots))[0] is passed


def test_required_it_decides_compliance_and_advisory_it_does_not(stories):
    required = _scanner(stories, "link", required=True)
    advisory = _scanner(stories, "link", required=False)
    assert _canonical(required, _page()) == (False, False)
    assert _canonical(advisory, _page()) == (False, True)  # reported, not held against it
    assert _canonical(required, _page(CANONICAL_LINK)) == (True, True)


def test_terms_that_require_it_without_a_mode_take_either_and_a_bad_mode_is_named():
    from newswire.engine.terms import terms_from_dict

    from ..factories import TERMS

    terms, problems = terms_from_dict({**TERMS, "required": ["logo", "canonical"]})
    assert terms.canonical == "either" and "canonical" in terms.required
    terms, problems = terms_from_dict({**TERMS, "canonical": "sometimes",
                                       "required": ["logo", "canonical"]})  # fmt: skip
    assert terms.canonical == "" and "canonical" not in terms.required
    assert any("unknown value 'sometimes'" in p.message for p in problems)


def test_the_scan_line_keeps_required_and_advisory_apart(stories):
    advisory = _scanner(stories, "link", required=False)
    [m] = [m for m in advisory.scan_page(_page()) if m.story == "urn:test:a"]
    line = m.to_json()
    assert line["checks"]["canonical"] is False and line["compliant"] is True
    assert line["failed"] == [] and "canonical" in line["advisory"]
    assert "link" in line["advisory"] and "logo" not in line["advisory"]  # as the terms say
    required = _scanner(stories, "link", required=True)
    [m] = [m for m in required.scan_page(_page()) if m.story == "urn:test:a"]
    assert m.to_json()["failed"] == ["canonical"] and m.advisory_failed == ["link"]
