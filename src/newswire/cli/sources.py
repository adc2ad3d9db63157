"""`newswire sources ...`: the newsroom's CMS as a source of stories (RSS, Atom, WordPress,
ninjs), polled through the safe fetcher; `newswire worker` keeps them in step."""

from __future__ import annotations

import sys
import time

import click

from .base import EXIT_SKIPPED, EXIT_UNUSABLE, _django, _migrate, _warn, cli

KINDS = ["rss", "atom", "wordpress", "ninjs"]


@cli.group()
def sources() -> None:
    """Where the wire's stories come from: the newsroom's feeds, WordPress site or ninjs."""


@sources.command("add")
@click.argument("url")
@click.option("--kind", type=click.Choice(KINDS), help="Default: asked of the URL itself.")
@click.option(
    "--publish/--draft",
    default=False,
    show_default=True,
    help="New items go on the wire at once, or wait as drafts for an editor.",
)
@click.option("--name", default="", help="A name for lists (default: the URL).")
@click.option("--every", type=click.IntRange(min=30), help="Seconds between polls [default: 300].")
def sources_add(url: str, kind: str | None, publish: bool, name: str, every: int | None) -> None:
    """Follow URL: an RSS or Atom feed, a WordPress site, or a ninjs endpoint.

    The first poll runs at the worker's next round (or now: `newswire sources poll --once`).
    """
    _django()
    _migrate()
    from django.core.exceptions import ValidationError

    from ..cms.detect import detect
    from ..cms.models import StorySource
    from ..cms.poll import source_client
    from ..cms.readers import SourceFault

    if StorySource.objects.filter(url=url).exists():
        _warn(f"{url} is already a source (change it in the admin)")
        sys.exit(EXIT_UNUSABLE)
    if kind is None:
        try:
            with source_client() as client:
                kind, url = detect(url, client)
        except SourceFault as exc:
            _warn(f"{exc}\n(give --kind to add it anyway)")
            sys.exit(EXIT_UNUSABLE)
    source = StorySource(url=url, kind=kind, publish=publish, name=name)
    if every:
        source.every = every
    try:
        source.full_clean()
    except ValidationError as exc:
        for field, problems in exc.message_dict.items():
            _warn(f"{field}: {' '.join(problems)}")
        sys.exit(EXIT_UNUSABLE)
    source.save()
    mode = "published at once" if publish else "drafts for an editor"
    click.echo(f"source {source.pk}: {source.get_kind_display()} {source.url}\n  new items: "
               f"{mode}; polled every {source.every} s by `newswire worker`")  # fmt: skip


@sources.command("list")
def sources_list() -> None:
    """Each source: kind, stories, flagged items, last poll and its outcome."""
    _django()
    _migrate()
    from django.db.models import Count, Q

    from ..cms.models import StorySource

    rows = StorySource.objects.annotate(
        n=Count("items"),
        flagged=Count("items", filter=Q(items__flag__in=["deleted", "unpublished"])),
    ).order_by("pk")
    if not rows:
        click.echo("no sources yet: newswire sources add URL")
        return
    for s in rows:
        state = "never polled"
        if s.last_polled_at:
            state = f"polled {s.last_polled_at:%Y-%m-%d %H:%M}: " + (
                f"FAILED: {s.last_error}" if s.last_error else "ok"
            )
        flags = f", {s.flagged} flagged for an editor" if s.flagged else ""
        click.echo(
            f"{s.pk:>3} {s.kind:<9} {'publish' if s.publish else 'draft':<7} {s.url}\n"
            f"    {s.n} stories{flags}; {'active' if s.active else 'paused'}; {state}\n"
            f"    ping (POST, polls it at once): {s.ping_url()}"
        )


@sources.command("poll")
@click.option("--once", is_flag=True, help="Poll every active source now, once, and stop.")
@click.argument("ids", nargs=-1, type=int)
def sources_poll(once: bool, ids: tuple[int, ...]) -> None:
    """Poll sources (all active ones, or the IDS given).

    With --once: each now, then a summary; exits 1 if any source failed. Without it:
    each source when it is due, until interrupted (what `newswire worker` also does).
    """
    _django()
    _migrate()
    from django.utils import timezone

    from ..cms.models import StorySource
    from ..cms.poll import Polled, poll, source_client

    chosen = StorySource.objects.filter(active=True).order_by("pk")
    if ids:
        chosen = StorySource.objects.filter(pk__in=ids).order_by("pk")
        missing = set(ids) - set(chosen.values_list("pk", flat=True))
        if missing:
            _warn(f"no source with id {', '.join(map(str, sorted(missing)))}")
            sys.exit(EXIT_UNUSABLE)
    live = sys.stderr.isatty()

    def progress(done: Polled) -> None:
        if live:
            click.echo(f"\r{done.source}: page {done.pages}, {done.items} items", err=True,
                       nl=False)  # fmt: skip

    failed = 0
    with source_client() as client:
        while True:
            now = timezone.now()
            batch = list(chosen) if once else [s for s in chosen if s.due(now)]
            for source in batch:
                done = poll(source, client, progress)
                if live:
                    click.echo("\r\033[K", err=True, nl=False)
                click.echo(str(done))
                failed += bool(done.error)
            if once:
                break
            try:
                time.sleep(5)
            except KeyboardInterrupt:
                break
    if once and not chosen:
        click.echo("no active sources: newswire sources add URL")
    sys.exit(EXIT_SKIPPED if failed else 0)
