"""`newswire check` and `newswire pickups ...`: copies of the wire's stories."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .base import EXIT_SKIPPED, _django, _migrate, _warn, cli


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--screenshot", is_flag=True,
              help="Also keep a screenshot of each copy as a reader sees it, the checked "
              "elements outlined (needs Debian's chromium and Playwright).")  # fmt: skip
def check(urls: tuple[str, ...], screenshot: bool) -> None:
    """Check web pages now for copies of the wire's stories, and record what is found.

    Each page is fetched through the safe fetcher (public addresses only, robots.txt
    obeyed, one request a second per host) and checked against the terms.
    """
    from ..fetch import url_problem

    status = 0
    usable = []
    for url in urls:  # every URL checked where it comes in: refused in words, the rest go on
        why = url_problem(url)
        if why:
            _warn(f"{url}: not a web address newswire can check: {why}")
            status = EXIT_SKIPPED
        else:
            usable.append(url)
    if not usable:
        sys.exit(status)
    _django()
    _migrate()
    from ..pickups.check import check_urls

    for done in check_urls(usable):  # (the worker's saved wire, opened: wirescan)
        if done.status != "ok":
            click.echo(f"{done.url}\n  could not check: {done.status} ({done.reason})")
            status = EXIT_SKIPPED
            continue
        if not done.found:
            click.echo(f"{done.url}\n  no copy of any of the wire's stories")
        for found in done.found:
            p = found.pickup
            verdict = "compliant" if p.compliant else "NOT compliant: " + ", ".join(p.failed_checks)
            who = "unauthorised" if p.unauthorised else f"partner {p.partner}"
            click.echo(f"{done.url}\n  {p.kind} of {p.story.headline[:70]!r}, "
                       f"{p.coverage:.0%}, {who}: {verdict}")  # fmt: skip
            for name in p.failed_checks:
                click.echo(f"    {name}: {p.evidence.get(name) or ''}"[:200])
            for name in p.advisory_failed:
                click.echo(f"    advisory (not required by the terms), {name}: "
                           f"{p.evidence.get(name) or ''}"[:200])  # fmt: skip
            if screenshot:
                status = max(status, _screenshot(p))
    sys.exit(status)


def _screenshot(pickup: Any) -> int:
    """Take and keep a screenshot of a copy; say where it is, or why not (exit code)."""
    from ..pickups.screenshot import ScreenshotError, take

    try:
        shot = take(pickup)
    except ScreenshotError as exc:
        _warn(f"  no screenshot: {exc}")
        return EXIT_SKIPPED
    marks = ", ".join(m["what"] for m in shot.outlined) or "nothing the checks found"
    click.echo(f"  screenshot: {shot.image.path} (outlined: {marks}; "
               f"{shot.refused} requests refused)")  # fmt: skip
    return 0


@cli.group()
def pickups() -> None:
    """Copies of the wire's stories: record scan results."""


@pickups.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--via",
    type=click.Choice(["warc_scan", "spark"]),
    default="warc_scan",
    show_default=True,
    help="How the results were made (shown in each copy's history).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not list skipped lines on stderr.")
def pickups_ingest(files: tuple[Path, ...], via: str, quiet: bool) -> None:
    """Record the JSON lines of `newswire scan` or a Spark run as pickups.

    Running it twice records nothing twice; a bad line is named and skipped.
    """
    _django()
    _migrate()
    from tqdm import tqdm

    from ..pickups.ingest import ingest

    status = 0
    for path in files:
        size = path.stat().st_size if path.is_file() else 0
        with tqdm(total=size, unit="B", unit_scale=True, desc=path.name, file=sys.stderr,
                  disable=not sys.stderr.isatty()) as bar:  # fmt: skip
            report = ingest(path, via=via, progress=bar.update)
        if not quiet:
            for problem in report.skipped[:50]:
                _warn(f"skipped {problem}")
            if len(report.skipped) > 50:
                _warn(f"… and {len(report.skipped) - 50} more")
        click.echo(f"{path}: {report.line()}")
        if report.skipped:
            status = EXIT_SKIPPED
    sys.exit(status)
