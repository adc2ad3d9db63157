"""Background work for pickups, run by ``newswire worker`` (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task

from .check import check_urls
from .models import Via


@task()
def check_page(url: str, via: str = Via.BEACON) -> str:
    """Fetch and check one page (a beacon's referring page, a partner's new article)."""
    done = next(iter(check_urls([url], via=via)))
    if done.status != "ok":
        return f"{done.status}: {done.reason}"
    return f"{len(done.found)} copies"
