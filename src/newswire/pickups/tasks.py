"""Background work for pickups, run by ``newswire worker`` (django-tasks, database queue):
checking a page, taking a screenshot of a copy. What is due to be found (partners' feeds
and sitemaps, domains to explore) is discovery's (``discovery.tasks``)."""

from __future__ import annotations

from django_tasks import TaskContext, task

from ..discovery import tasks as discovery_tasks
from ..discovery.turns import NotYourTurn
from .check import check_urls
from .models import Via
from .watch import still_open


@task(takes_context=True)
def check_page(context: TaskContext, url: str, via: str = Via.BEACON, watched: int = 0,
               observation: str = "") -> str:  # fmt: skip
    """Fetch and check one page (a beacon's referring page, a partner's new article).

    What it records is keyed by the task (``observation``: the first task's, for a page
    put back to wait for its host's turn), so a task run again (its worker died after
    recording) records nothing twice. ``watched`` (a story's id): one of the sooner
    re-checks after a correction or withdrawal, skipped once the copy carries it.
    """
    if watched and not still_open(url, watched):
        return "the copy carries the change already"
    observation = observation or f"task {context.task_result.id}"
    try:
        done = next(iter(check_urls([url], via=via, observation=observation, defer=True)))
    except NotYourTurn as turn:
        # another worker asked the host a moment ago: this page waits in the queue, and the
        # worker checks another meanwhile (pickups/turns.py); it keeps this task's key, so
        # that what an earlier run of this task recorded is not recorded again
        check_page.using(run_after=turn.at).enqueue(url, via, watched, observation)
        return f"waiting for its host's turn ({turn.host}, at {turn.at:%H:%M:%S.%f})"
    if done.status != "ok":
        return f"{done.status}: {done.reason}"
    return f"{len(done.found)} copies"


@task()
def take_screenshot(pickup_id: int) -> str:
    """Take a screenshot of a copy (the copy page's button): on a worker with Chromium."""
    from .models import Pickup
    from .screenshot import ScreenshotError, take

    pickup = Pickup.objects.filter(pk=pickup_id).first()
    if pickup is None:
        return f"copy {pickup_id} is gone"
    try:
        shot = take(pickup)
    except ScreenshotError as exc:
        return f"no screenshot of {pickup.url}: {exc}"
    marks = ", ".join(m["what"] for m in shot.outlined) or "nothing outlined"
    return f"screenshot of {pickup.url}: {marks}"



# --- tasks queued before discovery had an app of its own --------------------------------
# A queued task names its function by path (``newswire.pickups.tasks.poll_source``): a
# worker upgraded with such tasks still in the queue runs them as discovery's, rather than
# failing them. (New work is queued under discovery's names.)


@task()
def poll_source(source_id: int) -> str:
    """Queued before the upgrade: :func:`newswire.discovery.tasks.read_watched_feed`."""
    return discovery_tasks.read_watched_feed.call(source_id)


@task()
def discover_domain(domain_id: int) -> str:
    """Queued before the upgrade: :func:`newswire.discovery.tasks.discover_domain`."""
    return discovery_tasks.discover_domain.call(domain_id)
