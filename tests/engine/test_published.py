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
