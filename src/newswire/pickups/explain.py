""" "Why was this copy (not) found?" for the dashboard: the engine's report on a page fetched
now, or on the text a recorded copy showed when it was last read (a copy found in a crawl
may be offline since).

The apps reach the engine's explain through here, as they reach its scan through
:mod:`.scan`.
"""

from __future__ import annotations

import html
from typing import Any

from ..engine import Scanner, story_from_ninjs, terms_from_dict
from ..engine.errors import EngineError
from ..engine.explain import explain, plain_words
from ..engine.types import Page
from ..fetch import FetchError
from ..wire.models import Story, Terms
from ..wire.ninjs import to_ninjs, version_ninjs
from . import wirescan
from .check import page_fetcher
from .models import Pickup

#: why a page could not be fetched, in an editor's words (the fetcher's message follows)
FETCH_WORDS = {
    "bad_url": "not a web address newswire can fetch",
    "blocked_address": "newswire fetches only public addresses, and this is not one",
    "unresolvable": "host not found",
    "unreachable": "no answer from the site",
    "timeout": "the site took too long to answer",
    "too_many_redirects": "too many redirects",
    "too_large": "the page is too large",
    "not_html": "not a web page",
    "robots": "the site's robots.txt does not allow newswire to fetch it",
}


def find_story(given: str) -> tuple[Story | None, str]:
    """The story an editor named by its headline, its page's address, its slug or its URI;
    (None, why) when none or several match."""
    given = given.strip()
    if not given:
        return None, ""
    stories = Story.objects.exclude(status=Story.Status.DRAFT)
    path = given.rstrip("/")
    slug = path.rsplit("/stories/", 1)[-1].split("/")[0] if "/stories/" in path else ""
    story = stories.filter(uri=given).first() or stories.filter(slug=slug or given).first()
    if story is not None:
        return story, ""
    matches = list(stories.filter(headline__icontains=given)[:6])
    if len(matches) == 1:
        return matches[0], ""
    if not matches:
        return None, f"No story's headline has “{given}” in it."
    return None, (f"{'More than 5' if len(matches) > 5 else len(matches)} stories' headlines "
                  f"have “{given}” in them: give more of the headline.")  # fmt: skip


def explain_live(
    url: str, story: Story | None, seconds: float
) -> tuple[dict[str, Any] | None, str]:
    """(the report, "") on the page fetched now through the safe fetcher, or (None, what
    went wrong in plain words)."""
    try:
        with page_fetcher(total_timeout=seconds) as fetcher:
            fetched = fetcher.get(url)
    except FetchError as exc:
        said = FETCH_WORDS.get(exc.reason, exc.reason.replace("_", " "))
        return None, f"{said} ({exc.message.rstrip('.')})"
    if not 200 <= fetched.status < 300:
        return None, f"the site answered HTTP {fetched.status}"
    page = Page(url=fetched.final_url, body=fetched.body, content_type=fetched.content_type,
                charset=fetched.charset, source=url,
                robots=fetched.headers.get("x-robots-tag", "")[:500])  # fmt: skip
    try:
        scanner = wirescan.scanner()  # (the web server's: see wirescan)
        return explain(scanner, page, story.uri if story else None), ""
    except EngineError as exc:
        return None, f"the page could not be read: {exc}"


def explain_recorded(pickup: Pickup) -> dict[str, Any] | None:
    """The report on the text ``pickup`` showed when it was last read, aligned with its
    story again; None if that text was not kept. The logo, photos and links are not in
    the kept text: the checks are not judged again (the dashboard says the recorded ones in
    words, as on the copy's page: ``dashboard/explanation.py``)."""
    if not pickup.text:
        return None
    terms_row = Terms.current()
    terms = terms_from_dict(terms_row.to_dict())[0]
    # against the version the copy was checked against (the one it carries): the same
    # text the copy page puts beside it, so both say the same
    version = pickup.version
    item = (version_ninjs(pickup.story, version, terms_row) if version is not None
            else to_ninjs(pickup.story, terms_row))  # fmt: skip
    story = story_from_ninjs(item, terms, validate=False)
    body = f"<h1>{html.escape(pickup.headline)}</h1>" + "".join(
        f"<p>{html.escape(p)}</p>" for p in pickup.text.split("\n\n")
    )
    html_page = f"<html><body><article>{body}</article></body></html>"
    page = Page(url=pickup.url, body=html_page.encode())
    scanner = Scanner([story], terms)
    report = explain(scanner, page, story.uri)
    for entry in report["stories"]:  # what the kept text cannot show is not judged again
        entry.pop("checks", None)
        entry.pop("compliant", None)
    report["plain"] = plain_words(report, story.uri, scanner.config.report_coverage)
    if version is not None:
        report["plain"].insert(0, f"Read against version {version.number} of "
                               f"{pickup.story.version} of the story, the one the copy "
                               "carries.")  # fmt: skip
    return report
