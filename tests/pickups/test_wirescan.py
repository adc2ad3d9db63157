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
    # the stamp, the stories changed in the overlap before the latest change (an index
    # range: issue 31's late commits), and the terms
    assert again is first and len(q.captured_queries) <= 3


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
            wirescan._stamp_text(*wirescan._stamp()[:2])
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


def test_a_change_committed_late_with_an_earlier_stamp_is_read(wire_terms, make_story):
    """(issue 31, item 12) A story's change whose ``updated_at`` is earlier than one the warm
    wire has already read (its transaction committed after the other's) is not missed."""
    from datetime import timedelta

    one = make_story("Council Delays Budget Vote")
    two = make_story("Bridge Opens Early", body="".join(f"<p>{p}</p>" for p in paragraphs(7)))
    warm = wirescan.scanner()
    one.correct(body=one.body.replace("Monday", "Sunday"), note="It was Sunday.")
    one.refresh_from_db()
    assert "Sunday" in " ".join(wirescan.scanner().stories[one.uri].paragraphs)
    # two's correction was stamped a moment before one's, and commits only now
    body = "<p>The bridge opens on Friday, officials said.</p>" + two.body
    Story.objects.filter(pk=two.pk).update(body=body,
                                           updated_at=one.updated_at - timedelta(seconds=1))  # fmt: skip
    scanner = wirescan.scanner()
    assert scanner is warm
    assert "officials said" in " ".join(scanner.stories[two.uri].paragraphs)


def test_concurrent_transactions_committed_out_of_order_on_postgresql(transactional_db,
                                                                     wire_terms, make_story):  # fmt: skip
    """Two transactions: B stamps its change first but commits after A; the process that
    read A's change in between reads B's too (PostgreSQL: real concurrent transactions)."""
    import threading

    import pytest

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: PostgreSQL only")
    from django.db import connections, transaction

    a = make_story("Council Delays Budget Vote")
    b = make_story("Bridge Opens Early", body="".join(f"<p>{p}</p>" for p in paragraphs(7)))
    wirescan.scanner()
    stamped, go_on = threading.Event(), threading.Event()

    def slow_editor() -> None:
        try:
            with transaction.atomic():
                story = Story.objects.get(pk=b.pk)
                story.body = "<p>The bridge opens on Friday, officials said.</p>" + story.body
                story.save()  # updated_at stamped now
                stamped.set()
                go_on.wait(timeout=30)
        finally:
            connections.close_all()

    editor = threading.Thread(target=slow_editor)
    editor.start()
    assert stamped.wait(timeout=30)
    a.correct(body=a.body.replace("Monday", "Sunday"), note="It was Sunday.")  # commits first
    assert "Sunday" in " ".join(wirescan.scanner().stories[a.uri].paragraphs)
    go_on.set()
    editor.join(timeout=30)
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.updated_at < a.updated_at  # stamped earlier, committed later
    assert "officials said" in " ".join(wirescan.scanner().stories[b.uri].paragraphs)
