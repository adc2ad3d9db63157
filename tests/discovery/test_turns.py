"""Each host's turn, shared by every worker through the database, and a worker that checks
the page whose host's turn has come rather than waiting for each host in the queue's order
(pickups/turns.py, newswire/worker.py). Sites on loopback addresses of their own."""

from __future__ import annotations

import itertools
import time
from contextlib import ExitStack
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newswire.discovery.models import HostTurn
from newswire.discovery.turns import NotYourTurn, next_task, take_turn, turn_or_raise
from newswire.distribution.snippet import snippet_html
from newswire.pickups.models import Pickup, PickupCheck
from newswire.pickups.tasks import check_page
from newswire.worker import TurnWorker

from ..fakesite import fake_site, html, respond

pytestmark = pytest.mark.django_db


def test_a_turn_is_taken_only_when_it_has_come():
    assert take_turn("a.test") is None  # free: taken
    first = HostTurn.objects.get(host="a.test").next_at
    at = take_turn("a.test")
    assert at == first  # not come: when it comes, and nothing booked
    assert HostTurn.objects.get(host="a.test").next_at == first
    with pytest.raises(NotYourTurn) as raised:
        turn_or_raise("a.test")
    assert raised.value.host == "a.test" and raised.value.at == first
    HostTurn.objects.filter(host="a.test").update(next_at=timezone.now())
    assert take_turn("a.test") is None


def test_the_next_task_is_one_whose_host_may_be_asked():
    busy = timezone.now() + timedelta(seconds=30)
    HostTurn.objects.create(host="busy.test", next_at=busy)
    check_page.enqueue("https://busy.test/one")
    check_page.enqueue("https://busy.test/two")
    check_page.enqueue("https://free.test/one")
    ready = DBTaskResult.objects.ready()
    task, wait = next_task(ready)
    assert task.args_kwargs["args"][0] == "https://free.test/one" and wait is None
    task.delete()
    task, wait = next_task(DBTaskResult.objects.ready())
    assert task is None and 25 < wait <= 30  # every host busy: how long until the first
    HostTurn.objects.filter(host="busy.test").update(next_at=timezone.now())
    task, _ = next_task(DBTaskResult.objects.ready())
    assert task.args_kwargs["args"][0] == "https://busy.test/one"  # the queue's order
    assert next_task(DBTaskResult.objects.none()) == (None, None)


def test_a_page_whose_host_was_just_asked_waits_in_the_queue_unfetched(settings, make_story):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.2/32"]
    with fake_site("127.0.0.2") as site:
        site.route("/robots.txt", respond(200, b"", content_type="text/plain"))
        site.route("/copy", html("<p>a page</p>"))
        HostTurn.objects.create(host="127.0.0.2", next_at=timezone.now() + timedelta(seconds=5))
        said = check_page.call(mock.Mock(task_result=mock.Mock(id="t1")), f"{site.url}/copy")
        assert said.startswith("waiting for its host's turn (127.0.0.2")
        assert site.log == []  # nothing asked of the host: not even its robots.txt
        again = DBTaskResult.objects.get()
        assert again.args_kwargs["args"][0] == f"{site.url}/copy"
        assert again.run_after == HostTurn.objects.get(host="127.0.0.2").next_at


def _run_worker() -> None:
    from ..distribution.test_notices import run_worker

    run_worker()


def test_the_worker_checks_pages_on_several_hosts_in_step_with_their_turns(settings, make_story):
    """Three pages on each of three hosts, queued host by host: each page is fetched once,
    each host asked at most once a second (robots.txt included), and the hosts are asked in
    step: the last host's first page does not wait for the first host's last."""
    story = make_story()
    hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    settings.NEWSWIRE_FETCH_ALLOW = [f"{h}/32" for h in hosts]
    with ExitStack() as stack:
        sites = [stack.enter_context(fake_site(h)) for h in hosts]
        times: dict[str, list[tuple[float, str]]] = {h: [] for h in hosts}
        for host, site in zip(hosts, sites, strict=True):

            def logged(handler, host=host, path=""):
                def handle(h):
                    times[host].append((time.monotonic(), h.path))
                    handler(h)

                return handle

            site.route("/robots.txt", logged(respond(200, b"", content_type="text/plain")))
            for n in range(3):
                page = html(f"<article>{snippet_html(story)}</article>")
                site.route(f"/copy-{n}", logged(page))
        for site in sites:
            for n in range(3):
                check_page.enqueue(f"{site.url}/copy-{n}")
        _run_worker()
    assert Pickup.objects.count() == 9 and PickupCheck.objects.count() == 9
    for host in hosts:
        paths = [p for _, p in times[host]]
        assert sorted(paths) == ["/copy-0", "/copy-1", "/copy-2", "/robots.txt"]  # each once
        stamps = [t for t, _ in times[host]]
        assert all(b - a >= 0.98 for a, b in itertools.pairwise(stamps)), (host, stamps)
    # in step: the last host was asked for its first page before the first host's last page
    first_of_last = min(t for t, p in times[hosts[-1]] if p.startswith("/copy"))
    last_of_first = max(t for t, p in times[hosts[0]] if p.startswith("/copy"))
    assert first_of_last < last_of_first
    assert DBTaskResult.objects.filter(status="READY").count() == 0  # the batch ran them all


def test_of_the_hosts_whose_turn_has_come_the_one_that_waited_longest_goes_first():
    now = timezone.now()
    HostTurn.objects.create(host="lately.test", next_at=now - timedelta(seconds=1))
    HostTurn.objects.create(host="long-ago.test", next_at=now - timedelta(seconds=60))
    check_page.enqueue("https://lately.test/a")
    check_page.enqueue("https://long-ago.test/a")
    task, _ = next_task(DBTaskResult.objects.ready())
    assert task.args_kwargs["args"][0] == "https://long-ago.test/a"
    check_page.enqueue("https://never.test/a")  # a host never asked: its clock starts now
    task, _ = next_task(DBTaskResult.objects.ready())
    assert task.args_kwargs["args"][0] == "https://never.test/a"


def test_a_notice_does_not_wait_behind_a_sites_pages_nor_one_site_behind_another():
    from newswire.pickups.tasks import take_screenshot

    busy = timezone.now() + timedelta(seconds=30)
    HostTurn.objects.create(host="busy.test", next_at=busy)
    for n in range(150):  # a partner's feed brought 150 pages of one site
        check_page.enqueue(f"https://busy.test/{n}")
    check_page.enqueue("https://other.test/a")  # then a beacon's page on another site
    take_screenshot.enqueue(1)  # and a task that asks no host's turn
    task, _ = next_task(DBTaskResult.objects.ready())
    assert task.task_path.endswith("take_screenshot")
    task.delete()
    task, wait = next_task(DBTaskResult.objects.ready())
    assert task.args_kwargs["args"][0] == "https://other.test/a" and wait is None


def test_a_batch_waits_for_a_page_whose_turn_comes_or_came_while_it_looked():
    """A batch worker that found nothing ready looks for page checks coming due: one that
    came due between the two looks runs at once (the batch does not end without it);
    a later retry of another task, or a page due in minutes, is left to the next batch."""
    worker = TurnWorker(queue_names=["default"], interval=0.05, batch=True,
                        backend_name="default", startup_delay=False, max_tasks=None,
                        worker_id="w", excluded_queue_names=[])  # fmt: skip
    assert worker._due_soon() is None
    from newswire.pickups.tasks import take_screenshot

    take_screenshot.using(run_after=timezone.now() + timedelta(seconds=2)).enqueue(1)
    assert worker._due_soon() is None  # another task's retry: the next batch's
    check_page.using(run_after=timezone.now() + timedelta(minutes=5)).enqueue("https://a.test/")
    assert worker._due_soon() is None
    check_page.using(run_after=timezone.now() + timedelta(seconds=2)).enqueue("https://b.test/")
    assert 1 < worker._due_soon() <= 2
    check_page.using(run_after=timezone.now() - timedelta(seconds=1)).enqueue("https://c.test/")
    assert worker._due_soon() == 0.0
