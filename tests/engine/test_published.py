"""The copy's own publication date (issue 24, item 14): what the page states, in the
order a page's own words are trusted, never guessed."""

from __future__ import annotations

import json

import pytest

from newswire.engine.dates import iso_time

from .test_classes import ARTICLE, found, shell

LD = {"@context": "https://schema.org", "@type": "NewsArticle",
      "datePublished": "2024-05-02T08:30:00-05:00", "headline": "Council"}  # fmt: skip


def ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    "head, body, want",
    [
        (
            '<meta property="article:published_time" content="2024-05-03T10:00:00Z">',
            ARTICLE,
            "2024-05-03T10:00:00+00:00",
        ),
        ("", ld(LD) + ARTICLE, "2024-05-02T08:30:00-05:00"),
        ("", ld({"@graph": [{"@type": "WebPage"}, LD]}) + ARTICLE, "2024-05-02T08:30:00-05:00"),
        ('<meta itemprop="datePublished" content="2024-04-30">', ARTICLE, "2024-04-30"),
        (
            "",
            '<time datetime="2024-05-01T07:00:00+02:00">1 May</time>' + ARTICLE,
            "2024-05-01T07:00:00+02:00",
        ),
        # the meta tag wins over JSON-LD, and JSON-LD over a <time> (which may date a comment)
        (
            '<meta property="article:published_time" content="2024-05-03">',
            ld(LD) + '<time datetime="2020-01-01">' + ARTICLE,
            "2024-05-03",
        ),
        (
            "",
            '<time datetime="2020-01-01">then</time>' + ld(LD) + ARTICLE,
            "2024-05-02T08:30:00-05:00",
        ),
        # what does not read as a date is not a publication date
        ('<meta property="article:published_time" content="last Tuesday">', ARTICLE, None),
        ("", '<time datetime="2024-13-45">?</time>' + ARTICLE, None),
        ("", ld({"@type": "NewsArticle", "datePublished": ["x"]}) + ARTICLE, None),
        ("", ARTICLE, None),
    ],
)
def test_the_pages_own_date(scanner, head, body, want):
    result = found(scanner, shell(head, body))
    assert result.get("published") == want


@pytest.mark.parametrize(
    "value, want",
    [("2024-05-03", "2024-05-03"), ("2024-05-03T10:00:00.000-0400", "2024-05-03T10:00:00-04:00"),
     ("2024-05-03T10:00:00Z", "2024-05-03T10:00:00+00:00"), ("2024-05-03 garbage", "2024-05-03"),
     ("May 3, 2024", ""), ("", ""), ("9" * 200, ""), ("2024-02-30", "")],
)  # fmt: skip
def test_iso_time(value, want):
    assert iso_time(value) == want


def _facts_asked_one_by_one(tree):
    """What extract and the dates read before their queries were one: the canonical link,
    the robots meta and the dates, each from a query of its own."""
    from newswire.engine.dates import _PUBLISHED_META

    canonical = ""
    for link in tree.css("link[rel]"):
        if "canonical" in (link.attributes.get("rel") or "").lower().split():
            canonical = (link.attributes.get("href") or "").strip()
            break
    robots = ", ".join(
        (m.attributes.get("content") or "").strip()
        for m in tree.css("meta[name]")
        if (m.attributes.get("name") or "").strip().lower() in ("robots", "googlebot")
    )
    metas: dict = {}
    for m in tree.css("meta[content]"):
        for attr in ("property", "name", "itemprop"):
            key = (m.attributes.get(attr) or "").strip().lower()
            if key:
                metas.setdefault((attr, key), m.attributes.get("content") or "")
    published = ("", "")
    for attr, key in _PUBLISHED_META:
        if value := iso_time(metas.get((attr, key.lower()), "")):
            published = (value, "")
            break
    else:
        for node in tree.css("[itemprop=datePublished][datetime]"):
            if value := iso_time(node.attributes.get("datetime") or ""):
                published = (value, "")
                break
        else:
            for node in tree.css("time[datetime]"):
                if value := iso_time(node.attributes.get("datetime") or ""):
                    published = ("", value)
                    break
    return canonical, robots, published


def test_the_facts_read_in_one_query_are_those_read_one_by_one():
    """extract's canonical link, robots meta and dates, read from one query (FACTS), against
    a query for each, on generated pages: every element and attribute in any case, valueless
    and empty attributes, dates that do not read, elements in head and body, the dev pages."""
    import random

    from selectolax.lexbor import LexborHTMLParser

    from newswire.engine.extract import extract

    rng = random.Random(17)
    pieces = [
        '<link rel="canonical" href=" https://a.example/x ">', "<link rel='Canonical Alternate' href=/y>",
        "<link rel href=/z>", "<LINK REL=canonical HREF=/w>", "<link href=/v>",
        '<meta name="robots" content="noindex">', "<meta name=GoogleBot content=' nofollow '>",
        "<meta name=robots>", "<meta content=x>", '<meta property="article:published_time" '
        'content="2024-05-03T10:00:00Z">', "<meta name=DATE content='2023-01-02'>",
        "<meta itemprop=datePublished content=soon>", "<meta name=pubdate content=''>",
        "<span itemprop=datePublished datetime=2022-02-02>x</span>",
        "<span itemprop=DatePublished datetime=2021-01-01>x</span>",
        "<span itemprop=datePublished datetime>x</span>", "<time datetime=2020-03-03>t</time>",
        "<time datetime='not a date'>t</time>", "<TIME DATETIME=2019-04-04>t</TIME>",
        "<time>t</time>", "<p>text</p>", "<div>",  "</div>",
        "<time itemprop=DatePublished datetime=2018-05-05>t</time>",
        "<time itemprop=datePublished datetime=2017-06-06>t</time>",
        "<meta itemprop=DatePublished datetime=2016-07-07 content=x>",
    ]  # fmt: skip
    pages = []
    for _ in range(400):
        head = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        pages.append(f"<html><head><title>T</title>{head}</head><body>{body}</body></html>")
    dated = [p for p in pieces if "datetime" in p.lower() or p.startswith("<p")]
    for _ in range(200):  # no meta: the microdata and <time> decide
        body = "".join(rng.choice(dated) for _ in range(rng.randint(1, 4)))
        pages.append(f"<html><head></head><body>{body}</body></html>")
    try:
        from newswire.engine.read import read_warc
        from newswire.engine.types import Page
        from tests.conftest import shared_or_skip

        warc = shared_or_skip("corpus", "dev", "pages.warc.gz")
        pages += [p.body for p in read_warc(warc) if isinstance(p, Page)]
    except pytest.skip.Exception:
        pass
    for html in pages:
        expected = _facts_asked_one_by_one(LexborHTMLParser(html))
        ex = extract(LexborHTMLParser(html))
        assert (ex.canonical, ex.robots, (ex.published, ex.time)) == expected, html[:300]
