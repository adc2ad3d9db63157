"""The warm wire (issue 23): built once per process, kept current by a cheap stamp, and
the same answers as a scanner built afresh."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from newswire.distribution.snippet import snippet_html
from newswire.engine import Page
from newswire.pickups import wirescan
from newswire.wire.models import Story

from ..factories import paragraphs


def page_of(story):
    return Page(
        url="https://copier.example/x",
        body=f"<html><body>{snippet_html(story)}</body></html>".encode(),
    )


def test_built_once_then_one_query_a_check(wire_terms, make_story):
    one = make_story("Council Delays Budget Vote")
    first = wirescan.scanner()
    assert [m.story for m in first.scan_page(page_of(one))] == [one.uri]
    with CaptureQueriesContext(connection) as q:
        again = wirescan.scanner()
    assert again is first and len(q.captured_queries) <= 2  # the stamp (and the terms)


def test_kept_current_story_by_story(wire_terms, make_story):
    one = make_story("Council Delays Budget Vote")
    warm = wirescan.scanner()
    two = make_story("Bridge Opens Early", body="".join(f"<p>{p}</p>" for p in paragraphs(7)))
    assert [m.story for m in wirescan.scanner().scan_page(page_of(two))] == [two.uri]
    one.correct(body=one.body.replace("Monday", "Sunday"), note="It was Sunday.")
    scanner = wirescan.scanner()
    assert scanner is warm  # updated in place, not rebuilt
    assert "Sunday" in " ".join(scanner.stories[one.uri].paragraphs)
    Story.objects.filter(pk=two.pk).update(status=Story.Status.DRAFT)  # off the wire
    Story.objects.filter(pk=one.pk).update(headline="Council Delays Budget Vote Again")
    Story.objects.get(pk=one.pk).save()  # (a save moves updated_at)
    scanner = wirescan.scanner()
    assert two.uri not in scanner.stories and scanner.scan_page(page_of(two)) == []
    # the same answers as a scanner built from scratch
    fresh = wirescan.build()
    page = page_of(Story.objects.get(pk=one.pk))
    assert [m.to_json() for m in scanner.scan_page(page)] == [
        m.to_json() for m in fresh.scan_page(page)
    ]


def test_new_terms_rebuild_it(wire_terms, make_story):
    make_story()
    warm = wirescan.scanner()
    wire_terms.affiliation = "Another Wire"
    wire_terms.save()
    assert wirescan.scanner() is not warm


def test_a_cold_process_opens_the_workers_saved_wire(wire_terms, make_story, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    one = make_story("Council Delays Budget Vote")
    assert wirescan.save() is True  # the worker's housekeeping: written
    assert wirescan.save() is False  # nothing changed: not written again
    built = [m.to_json() for m in wirescan.scanner().scan_page(page_of(one))]
    wirescan.forget()  # a new process
    cold = wirescan.scanner(cold_from_saved=True)
    assert not isinstance(cold.stories, dict)  # opened from the file, not built
    assert [m.to_json() for m in cold.scan_page(page_of(one))] == built
    # the wire moves on: the saved wire is not used for it, nor kept in this process
    two = make_story("Bridge Opens Early", body="".join(f"<p>{p}</p>" for p in paragraphs(7)))
    wirescan.forget()
    current = wirescan.scanner(cold_from_saved=True)
    assert isinstance(current.stories, dict) and two.uri in current.stories
    assert wirescan.save() is True  # (and the worker writes it anew)


def test_a_web_process_reopens_the_saved_wire_the_worker_rewrites(
    wire_terms, make_story, settings, tmp_path
):
    """The web server's checks open the worker's saved wire; when the wire moves they open
    it again once the worker has rewritten it, and build their own while it has not."""
    from newswire.engine.saved import write_wire

    settings.DATA_DIR = tmp_path

    def the_worker_writes() -> None:  # (what another process's housekeeping does)
        built = wirescan.build()
        write_wire(wirescan.saved_path(), built.terms, list(built.stories.values()), built.config)
        wirescan.saved_path().with_suffix(".stamp").write_text(
            wirescan._stamp_text(*wirescan._stamp())
        )

    one = make_story("Council Delays Budget Vote")
    the_worker_writes()
    opened = wirescan.scanner(cold_from_saved=True)
    assert not isinstance(opened.stories, dict) and one.uri in opened.stories
    two = make_story("Bridge Opens Early", body="".join(f"<p>{p}</p>" for p in paragraphs(7)))
    the_worker_writes()
    again = wirescan.scanner(cold_from_saved=True)
    assert again is not opened and not isinstance(again.stories, dict)
    assert two.uri in again.stories
    three = make_story("Library Hours Cut", body="".join(f"<p>{p}</p>" for p in paragraphs(9)))
    built = wirescan.scanner(cold_from_saved=True)  # not rewritten yet: its own, from the rows
    assert isinstance(built.stories, dict) and three.uri in built.stories
    assert [m.to_json() for m in built.scan_page(page_of(three))] == [
        m.to_json() for m in wirescan.build().scan_page(page_of(three))
    ]
