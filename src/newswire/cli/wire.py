"""`newswire import`, `export` and `terms`: the wire's stories and terms in and out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .base import EXIT_SKIPPED, EXIT_UNUSABLE, _django, _migrate, _warn, cli


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Import the good records and list the bad ones (default: a bad record imports nothing).",
)
@click.option("--no-validate", is_flag=True, help="Do not check ninjs records against the schema.")
def import_(files: tuple[Path, ...], skip_bad: bool, no_validate: bool) -> None:
    """Import stories: ninjs JSON lines, one ninjs story (.json), RSS or Atom.

    Each file is one transaction. A story whose uri is already on the wire is
    updated, and a change to a published story's text is recorded as a
    correction.
    """
    _django()
    _migrate()
    from ..wire.importer import ImportFailed, import_file

    status = 0
    for path in files:
        try:
            report = import_file(path, skip_bad=skip_bad, validate=not no_validate)
        except ImportFailed as exc:
            _warn(f"error: {exc}")
            for problem in exc.report.bad[1:21]:
                _warn(f"  also {path}: {problem}")
            status = EXIT_UNUSABLE
            continue
        for problem in report.bad:
            _warn(f"skipped {path}: {problem}")
        for problem in report.warnings:
            _warn(f"warning {path}: {problem}")
        click.echo(
            f"{path} ({report.format}): {report.created} created, {report.updated} updated, "
            f"{report.corrected} corrected, {report.unchanged} unchanged, {len(report.bad)} skipped"
        )
        if report.bad and status == 0:
            status = EXIT_SKIPPED
    sys.exit(status)


@cli.command()
@click.argument("stories", nargs=-1)
@click.option("--partner", is_flag=True, help="As partners receive it: restricted media left out.")
@click.option("--ninjs", "version", type=click.Choice(["2.2", "3.1"]), default="2.2",
              show_default=True, help="The version of IPTC ninjs to write.")  # fmt: skip
@click.option("--history", is_flag=True,
              help="Every version of each story, oldest first, each correction's "
                   "note in its ednote: `newswire import` of it makes the same "
                   "corrections.")  # fmt: skip
def export(stories: tuple[str, ...], partner: bool, version: str, history: bool) -> None:
    """Write stories as ninjs JSON lines on stdout (all, or those named by uri or slug)."""
    _django()
    from django.db.models import Q

    from ..wire.models import Story, Terms
    from ..wire.ninjs import in_version, to_ninjs, version_ninjs

    terms = Terms.current()
    qs = Story.objects.all().order_by("created_at", "id")
    if stories:
        qs = qs.filter(Q(uri__in=stories) | Q(slug__in=stories))
        missing = set(stories) - {s.uri for s in qs} - {s.slug for s in qs}
        for name in sorted(missing):
            _warn(f"no story with uri or slug {name!r}")
    for story in qs.prefetch_related("bylines__reporter", "media__licence", "versions"):
        items = (
            [version_ninjs(story, v, terms, partner=partner) for v in story.versions.all()]
            if history and len(story.versions.all()) > 1
            else [to_ninjs(story, terms, partner=partner)]
        )
        for item in items:
            click.echo(json.dumps(in_version(item, version), ensure_ascii=False))


@cli.group()
def terms() -> None:
    """The wire's syndication terms (terms.json)."""


@terms.command("dump")
def terms_dump() -> None:
    """Print the terms as terms.json (what `newswire scan --terms` reads)."""
    _django()
    from ..wire.models import Terms

    click.echo(json.dumps(Terms.current().to_dict(), indent=2, ensure_ascii=False))


@terms.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def terms_load(path: Path) -> None:
    """Replace the wire's terms with those in a terms.json file."""
    _django()
    _migrate()
    from django.core.exceptions import ValidationError

    from ..engine.errors import TermsError
    from ..wire.importer import load_terms_file
    from ..wire.models import Terms

    obj = Terms.current()
    try:
        problems = load_terms_file(path, obj)
    except TermsError as exc:
        _warn(f"error: {exc}")
        sys.exit(EXIT_UNUSABLE)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            _warn(f"error: {path}: {name}: {' '.join(messages)}")
        _warn("error: the terms were not changed")
        sys.exit(EXIT_UNUSABLE)
    for problem in problems:
        _warn(f"warning: {problem}")
    obj.save()
    click.echo(f"terms of {obj.wire} loaded from {path}")
    if problems:
        sys.exit(EXIT_SKIPPED)
