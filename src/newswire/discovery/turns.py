"""Each host's turn: newswire sends a host at most one request a second, counted across
every process on every machine (the turn is a row of the database, :class:`HostTurn`,
locked while it is taken).

Two ways to wait for it:

- :func:`wait_turn` books the next free second and sleeps until it (a check run by hand,
  ``newswire check``, the dashboard's form: one page, nothing else to do meanwhile);
- :func:`take_turn` takes the turn only if it has come and says when it comes otherwise,
  without booking it: the worker checks another page meanwhile (:func:`next_task` picks
  the queued page whose host's turn has come; a page that finds its host taken all the
  same, by another worker a moment before, is queued again for then: :class:`NotYourTurn`).

A turn is taken when the request is sent, never booked ahead by the worker: a page run
late cannot come within a second of the next one.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from .models import HostTurn

#: the least time between two requests to one host
GAP = 1.0
#: the queued page checks a worker looks through for one whose host's turn has come
LOOK_AHEAD = 1000
#: the task whose URL is a page to fetch (its first argument, or ``url=``)
CHECK_TASK = "newswire.pickups.tasks.check_page"


class NotYourTurn(Exception):
    """The host's turn has not come: ask again at ``at``."""

    def __init__(self, host: str, at: datetime) -> None:
        super().__init__(f"{host}: its turn comes at {at.isoformat()}")
        self.host = host
        self.at = at


def wait_turn(host: str, gap: float = GAP) -> None:
    """Book the host's next free turn and sleep until it."""
    with transaction.atomic():
        turn, _ = HostTurn.objects.select_for_update().get_or_create(host=host[:253])
        now = timezone.now()
        start = max(now, turn.next_at)
        turn.next_at = start + timedelta(seconds=gap)
        turn.save(update_fields=["next_at"])
    wait = (start - now).total_seconds()
    if wait > 0:
        time.sleep(wait)


def take_turn(host: str, gap: float = GAP) -> datetime | None:
    """Take the host's turn if it has come (None), else say when it comes (nothing is
    taken)."""
    with transaction.atomic():
        turn, _ = HostTurn.objects.select_for_update().get_or_create(host=host[:253])
        now = timezone.now()
        if turn.next_at > now:
            return turn.next_at
        turn.next_at = now + timedelta(seconds=gap)
        turn.save(update_fields=["next_at"])
    return None


def turn_or_raise(host: str) -> None:
    """:func:`take_turn`, raising :class:`NotYourTurn` when it has not come (the worker's
    fetcher: the page is queued again for then)."""
    at = take_turn(host)
    if at is not None:
        raise NotYourTurn(host, at)


def host_of(task_path: str, args_kwargs: Any) -> str | None:
    """The host a queued task (its ``task_path`` and ``args_kwargs``) will ask: a page
    check's URL's, or None."""
    if task_path != CHECK_TASK:
        return None
    given = args_kwargs or {}
    args, kwargs = given.get("args") or [], given.get("kwargs") or {}
    url = args[0] if args else kwargs.get("url", "")
    try:
        return (urlsplit(str(url)).hostname or "")[:253] or None
    except ValueError:
        return None


def next_task(tasks: Any) -> tuple[Any | None, float | None]:
    """The next of the ready ``tasks`` to run, locked, with None; else (None, seconds to
    wait), or (None, None) when none is ready.

    - A task that asks no host (a notice, a poll, a push) first, in the queue's order: it
      waits for no turn, and a notice must not wait behind a site's hundred pages.
    - Else a page check: of those whose host's turn has come, the one whose host has waited
      longest (never asked first, so that every host's clock starts at once: ten hosts of
      four pages take four seconds, not ten after three, then four for the last). The
      first :data:`LOOK_AHEAD` checks in the queue are looked at without a lock (a site's
      hundred pages do not hide another site's page behind them), and only the one chosen
      is locked; one another worker locked a moment before is looked for again at once.
    - Else how long until the first of their hosts' turns comes.
    """
    other = tasks.exclude(task_path=CHECK_TASK).select_for_update(skip_locked=True).first()
    if other is not None:
        return other, None
    ahead = list(
        tasks.filter(task_path=CHECK_TASK).values_list("pk", "task_path", "args_kwargs")[
            :LOOK_AHEAD
        ]
    )
    if not ahead:
        return None, None
    hosts = {pk: host_of(path, given) for pk, path, given in ahead}
    wanted = {h for h in hosts.values() if h}
    turns = dict(HostTurn.objects.filter(host__in=wanted).values_list("host", "next_at"))
    now = timezone.now()
    soonest: datetime | None = None
    chosen: Any = None
    best: datetime | None = None
    for pk, _, _ in ahead:
        host = hosts[pk]
        at = turns.get(host) if host else None
        if at is None:  # no host to wait for, or one never asked (for a long time)
            chosen = pk
            break
        if at <= now:
            if best is None or at < best:
                chosen, best = pk, at
        else:
            soonest = at if soonest is None else min(soonest, at)
    if chosen is not None:
        task = tasks.filter(pk=chosen).select_for_update(skip_locked=True).first()
        return (task, None) if task is not None else (None, 0.0)
    assert soonest is not None
    return None, max(0.0, (soonest - now).total_seconds())
