"""The warm wire (issue 23): built once per process, kept current by a cheap stamp, and
the same answers as a scanner built afresh."""

from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from newswire.distribution.snippet import snippet_html
from newswire.engine import Page
from newswire.pickups import wirescan
from newswire.runtime import this_process
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


def test_a_new_process_opens_the_saved_wire_and_follows_the_changes_since(
    wire_terms, make_story, settings, tmp_path
):
    """(issue 36, item 2) A process that starts opens the worker's saved wire, not the rows,
    and reads only the stories changed since it was written; the worker writes it again once
    enough have changed."""
    settings.DATA_DIR = tmp_path
    one = make_story("Council Delays Budget Vote")
    assert wirescan.save() is True  # the worker's housekeeping: written
    assert wirescan.save() is False  # nothing changed: not written again
    built = [m.to_json() for m in wirescan.build().scan_page(page_of(one))]
    wirescan.forget()  # a new process
    cold = wirescan.scanner()
    assert not isinstance(cold.stories, dict)  # opened from the file, not built
    assert [m.to_json() for m in cold.scan_page(page_of(one))] == built
    # the wire moves on: a new process opens the file all the same and reads the one change
    two = make_story("Bridge Opens Early", body="".join(f"<p>{p}</p>" for p in paragraphs(7)))
    wirescan.forget()
    with CaptureQueriesContext(connection) as q:
        current = wirescan.scanner()
    assert not isinstance(current.stories, dict) and two.uri in current.stories
    assert current.changed_since_saved == 1
    assert len(q.captured_queries) < 20  # (one story read, not the wire)
    assert [m.to_json() for m in current.scan_page(page_of(two))] == [
        m.to_json() for m in wirescan.build().scan_page(page_of(two))
    ]
    assert wirescan.save() is False  # one change: below NEWSWIRE_WIRE_REWRITE
    settings.NEWSWIRE_WIRE_REWRITE = 1
    assert wirescan.save() is True  # enough: written again, with the change in it
    reopened = wirescan.scanner()  # (this process opens what it wrote)
    assert reopened is not current and reopened.changed_since_saved == 0
    assert two.uri in reopened.stories


def _another_process_saves() -> None:
    """What the worker's housekeeping does in its own process: its own warm wire, written."""
    wires = this_process().wires
    mine = dict(wires)
    wirescan.forget()
    try:
        assert wirescan.save(force=True) is True
    finally:
        wires.clear()
        wires.update(mine)


def test_a_web_process_opens_the_saved_wire_the_worker_rewrites(
    wire_terms, make_story, settings, tmp_path
):
    """The web server's checks open the worker's saved wire; when the worker writes it
    again, they open the new one at their next check and follow it from there."""
    settings.DATA_DIR = tmp_path
    one = make_story("Council Delays Budget Vote")
    _another_process_saves()
    opened = wirescan.scanner()
    assert not isinstance(opened.stories, dict) and one.uri in opened.stories
    two = make_story("Bridge Opens Early", body="".join(f"<p>{p}</p>" for p in paragraphs(7)))
    followed = wirescan.scanner()
    assert followed is opened and two.uri in followed.stories  # kept over the file
    _another_process_saves()
    again = wirescan.scanner()
    assert again is not opened and again.changed_since_saved == 0
    assert two.uri in again.stories
    three = make_story("Library Hours Cut", body="".join(f"<p>{p}</p>" for p in paragraphs(9)))
    current = wirescan.scanner()
    assert current is again and three.uri in current.stories
    assert [m.to_json() for m in current.scan_page(page_of(three))] == [
        m.to_json() for m in wirescan.build().scan_page(page_of(three))
    ]


def test_a_saved_wire_of_other_terms_or_another_database_is_not_opened(
    wire_terms, make_story, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    make_story("Council Delays Budget Vote")
    _another_process_saves()
    wire_terms.affiliation = "Another Wire"
    wire_terms.save()
    assert isinstance(wirescan.scanner().stories, dict)  # new terms: built from the rows
    wirescan.forget()
    _another_process_saves()  # written for the new terms
    stamp = wirescan.saved_path().with_suffix(".stamp")
    about = json.loads(stamp.read_text())
    stamp.write_text(json.dumps({**about, "database": "default:elsewhere"}))
    assert isinstance(wirescan.scanner().stories, dict)
    wirescan.forget()
    stamp.write_text("{not json")  # a stamp file cut short: built, not a crash
    assert isinstance(wirescan.scanner().stories, dict)


def test_followed_from_the_saved_wire_as_if_built_afresh(
    wire_terms, make_story, settings, tmp_path
):
    """Generated runs of changes (new stories, corrections, withdrawals to drafts, returns,
    deletions), with the worker writing the saved wire and processes starting between them:
    after each step the process's wire holds the stories on the wire and no other, and finds
    on each story's page what a wire built afresh from the rows finds."""
    import random

    settings.DATA_DIR = tmp_path
    rng = random.Random(36)
    words = [w.strip(".,") for w in " ".join(paragraphs(40)).split()]
    made: list[Story] = []

    def new_story(i: int) -> Story:
        body = "".join(
            f"<p>{' '.join(rng.choice(words) for _ in range(rng.randint(18, 30)))}.</p>"
            for _ in range(rng.randint(4, 8))
        )
        return make_story(f"Story {i} {rng.choice(words)}", body=body)

    for i in range(6):
        made.append(new_story(i))
    _another_process_saves()
    for step in range(40):
        op = rng.choice(["new", "correct", "correct", "draft", "publish", "delete", "save",
                         "restart"])  # fmt: skip
        live = list(Story.objects.filter(pk__in=[s.pk for s in made]))
        if op == "new" or not live:
            made.append(new_story(100 + step))
        elif op == "correct":
            story = rng.choice(live)
            story.body = story.body.replace("</p>", f" {rng.choice(words)} {step}.</p>", 1)
            story.save()
        elif op == "draft":
            Story.objects.filter(pk=rng.choice(live).pk).update(status=Story.Status.DRAFT)
            Story.objects.get(pk=rng.choice(live).pk).save()  # (a save moves the stamp)
        elif op == "publish":
            drafts = [s for s in live if s.status == Story.Status.DRAFT]
            if drafts:
                story = rng.choice(drafts)
                story.status = Story.Status.PUBLISHED
                story.save()
        elif op == "delete":
            rng.choice(live).delete()
        elif op == "save":
            _another_process_saves()
        else:
            wirescan.forget()
        held = wirescan.scanner()
        fresh = wirescan.build()
        assert set(held.stories) == set(fresh.stories), (step, op)
        for story in Story.objects.filter(pk__in=[s.pk for s in made]):
            page = page_of(story)
            assert [m.to_json() for m in held.scan_page(page)] == [
                m.to_json() for m in fresh.scan_page(page)
            ], (step, op, story.headline)


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
