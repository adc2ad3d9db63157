"""A source's ping address: a POST polls the source at once; a wrong signature, an unknown
or paused source is 404; pings while a poll waits queue no second one."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from newswire.cms.models import StorySource
from newswire.cms.tasks import poll_source


def _queued() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="poll_source",
                                       status="READY").count()  # fmt: skip


def _source(**kw):
    return StorySource.objects.create(url=kw.pop("url", "https://newsroom.example/"),
                                      kind="wordpress", **kw)  # fmt: skip


def test_a_ping_queues_one_poll_until_it_starts(client, db, settings):
    settings.SITE_URL = "https://wire.example"
    source = _source()
    url = source.ping_url()
    assert url.startswith("https://wire.example/sources/")
    path = url.removeprefix("https://wire.example")
    first = client.post(path)
    assert first.status_code == 202 and first.json()["poll"] == "queued"
    again = client.post(path)
    assert again.status_code == 202 and again.json()["poll"] == "already queued"
    assert _queued() == 1
    StorySource.objects.filter(pk=source.pk).update(active=True)
    poll_source.call(source.pk, pinged=True)  # the poll starts (and fails: no such site)
    assert client.post(path).json()["poll"] == "queued" and _queued() == 2


def test_a_wrong_or_stale_address_is_not_there(client, db, settings):
    source = _source()
    other = _source(url="https://other.example/")
    path = source.ping_url().removeprefix(settings.SITE_URL.rstrip("/"))
    token = path.rsplit("/", 1)[1]
    assert client.post(path[:-1] + ("A" if path[-1] != "A" else "B")).status_code == 404
    assert client.post(f"/sources/{other.pk}/ping/{token}").status_code == 404  # not its own
    assert client.post(f"/sources/999/ping/{token}").status_code == 404
    assert client.get(path).status_code == 405
    settings.SECRET_KEY = "another key"  # a new key: the old addresses are gone
    assert client.post(path).status_code == 404
    StorySource.objects.filter(pk=source.pk).update(active=False)
    assert client.post(source.ping_url().removeprefix(settings.SITE_URL.rstrip("/"))
                       ).status_code == 404  # fmt: skip
    assert _queued() == 0
