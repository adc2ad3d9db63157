"""A source's first poll stores its new items in bulk (one statement per table a page),
with the same stories, bylines, photos, versions, items and faults as one by one."""

from __future__ import annotations

import time
from typing import Any

from newswire.cms import store as store_module
from newswire.cms.models import Fault, Item, StorySource
from newswire.cms.poll import poll
from newswire.wire.models import Reporter, Story

from .fakecms import FakeWordPress


def _posts(wp: FakeWordPress) -> None:
    for n in range(1, 41):
        kwargs: dict[str, Any] = {"credit": "Drew Angerer/Getty Images" if n % 3 else "Staff"}
        if n % 10 == 4:
            kwargs["authors"] = []  # waits for its author, as a draft
        if n % 10 == 5:
            kwargs["coauthors"] = [
                ("Grace Nakamura", "grace-nakamura"),
                ("Kwame Thornbury", "kwame"),
            ]
        if n == 8:
            kwargs["title"] = ""  # a fault; the others go on
        if n in (11, 12):
            kwargs["title"] = "The same headline twice"  # slugs -2
        wp.add(n, **kwargs)


def _dump(source: StorySource) -> dict[str, Any]:
    def uri(u: str) -> str:
        return u.replace(f":{source.pk}:", ":SOURCE:")

    stories = {}
    for s in Story.objects.all().prefetch_related(
        "bylines__reporter", "media__licence", "versions"
    ):
        stories[uri(s.uri)] = {
            "fields": [s.headline, s.slug, s.body, s.summary, s.desk, s.canonical_url, s.language,
                       s.status, s.release_at, s.published_at, s.source, s.version],
            "bylines": sorted((b.position, b.reporter.name, b.reporter.url, b.title)
                              for b in s.bylines.all()),
            "media": sorted((m.position, m.url, m.caption, m.credit, m.restricted())
                            for m in s.media.all()),
            "versions": sorted((v.number, v.headline, v.body) for v in s.versions.all()),
        }  # fmt: skip
    items = sorted((i.cms_id, uri(i.story.uri), i.text_hash, i.meta, i.cms_modified,
                    i.waiting_for_author) for i in Item.objects.select_related("story"))  # fmt: skip
    faults = sorted((f.where, f.reason) for f in Fault.objects.filter(source=source))
    reporters = sorted(Reporter.objects.values_list("name", "url"))
    return {"stories": stories, "items": items, "faults": faults, "reporters": reporters}


def test_the_first_poll_in_bulk_is_the_first_poll_one_by_one(site, wire_terms, monkeypatch):
    wp = FakeWordPress(site, per_page=100)
    _posts(wp)
    runs = {}
    made_in_bulk: list[int] = []
    create_many = store_module._create_many

    def counted(source, entries, terms):
        made_in_bulk.append(len(entries))
        return create_many(source, entries, terms)

    monkeypatch.setattr(store_module, "_create_many", counted)
    for way, least in (("bulk", store_module.BULK_MIN), ("one by one", 10**9)):
        monkeypatch.setattr(store_module, "BULK_MIN", least)
        Story.objects.all().delete()
        Reporter.objects.all().delete()
        StorySource.objects.all().delete()
        source = StorySource.objects.create(url=wp.url, kind="wordpress", publish=True,
                                            name="The Newsroom")  # fmt: skip
        start = time.perf_counter()
        done = poll(source)
        runs[way] = (
            _dump(source),
            (done.created, done.skipped, done.error),
            time.perf_counter() - start,
        )
    (bulk, bulk_counts, bulk_s), (single, single_counts, single_s) = (
        runs["bulk"],
        runs["one by one"],
    )
    assert bulk_counts == single_counts == (39, 1, "")
    assert bulk == single
    assert made_in_bulk == [39]  # every post but the one without a title, in one page
    assert bulk["stories"]["urn:newswire:cms:SOURCE:4"]["fields"][7] == "draft"
    assert bulk["stories"]["urn:newswire:cms:SOURCE:5"]["fields"][7] == "published"
    assert any("no author" in reason for _, reason in bulk["faults"])
    slugs = {s["fields"][1] for s in bulk["stories"].values()}
    assert {"the-same-headline-twice", "the-same-headline-twice-2"} <= slugs
    print(
        f"\n  first poll of 40 posts: in bulk {bulk_s * 1000:.0f} ms, one by one "
        f"{single_s * 1000:.0f} ms"
    )


def test_a_poll_that_meets_another_polls_items_goes_one_by_one(site, wire_terms, monkeypatch):
    """Items another poll stored between this poll's look and its insert: the page's
    bulk insert fails whole, and each item is then stored as one by one."""
    wp = FakeWordPress(site, per_page=100)
    _posts(wp)
    source = StorySource.objects.create(url=wp.url, kind="wordpress", publish=True, name="N")
    looked = store_module._new_items

    raced_once = []

    def raced(src, entries):
        fresh = looked(src, entries)
        if not raced_once:  # the other poll, meanwhile (the sweep after it looks again)
            raced_once.append(1)
            store_module.store(src, entries[fresh[3]], wire_terms)
        return fresh

    monkeypatch.setattr(store_module, "_new_items", raced)
    done = poll(source)
    assert (done.created, done.skipped, done.error) == (38, 1, "")
    assert done.unchanged == 1  # the one the other poll made
    assert Story.objects.count() == 39 == Item.objects.count()
