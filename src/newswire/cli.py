"""``newswire``: the one command for everything a person runs.

Each subcommand parses its arguments, calls one library function and prints.
Engine commands (``scan``) never import Django; web and database commands
import it only when they run.

Exit codes: 0 all done; 1 done, but some input was skipped (the summary says
what and why); 2 the command could not run (bad arguments, unusable terms).
"""

from __future__ import annotations

import gc
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__

EXIT_SKIPPED = 1
EXIT_UNUSABLE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newswire")
def cli() -> None:
    """newswire: the wire's stories, its partners, and where its stories went."""


def _warn(message: str) -> None:
    click.echo(message, err=True)


@contextmanager
def _collect_less() -> Iterator[None]:
    """Tune the garbage collector for a scan, and put it back after.

    A scan makes many short-lived objects per page and keeps few: what is
    loaded (stories, index) is left out of the collector's walks and the young
    generation is collected less often (the collector took 2-3% of a crawl
    scan). Forked workers inherit the setting.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@cli.command()
@click.option(
    "--stories",
    "stories_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The wire's stories: IPTC ninjs 2.2, one JSON object per line. Without --stories "
    "and --terms, both come from the database and what is found is recorded as pickups.",
)
@click.option(
    "--terms",
    "terms_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The wire's terms (terms.json).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes; WARC files are split between them by byte range.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not list skipped records on stderr.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
def scan(
    stories_path: Path | None,
    terms_path: Path | None,
    workers: int,
    progress: bool | None,
    quiet: bool,
    inputs: tuple[Path, ...],
) -> None:
    """Find the wire's stories in WARC files, folders of HTML and HTML files.

    Prints one JSON object per (page, story) match with coverage >= 0.15 on
    stdout; progress, skipped records and a summary go to stderr. Without
    --stories and --terms, the wire's own stories and terms are read from the
    database and every match is recorded as a pickup as it is found.
    """
    from tqdm import tqdm

    from .engine import ScanConfig, Scanner, Summary, read_stories, scan_inputs
    from .engine.errors import TermsError
    from .engine.terms import load_terms
    from .engine.types import Skip, Story

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    if (stories_path is None) != (terms_path is None):
        _warn("error: give both --stories and --terms, or neither (the wire's own, recorded)")
        sys.exit(EXIT_UNUSABLE)
    summary = Summary()
    stories: list[Story] = []
    record = stories_path is None
    if stories_path is None or terms_path is None:
        _django()
        _migrate()
        from .pickups.scan import wire_stories

        terms, stories = wire_stories()
        if not stories:
            _warn("error: the wire has no published story to look for")
            sys.exit(EXIT_UNUSABLE)
    else:
        try:
            terms, problems = load_terms(terms_path)
        except TermsError as exc:
            _warn(f"error: {exc}")
            sys.exit(EXIT_UNUSABLE)
        for problem in problems:
            _warn(f"terms: {problem}")
            summary.skipped[problem.reason] += 1
        for story in read_stories(stories_path, terms):
            if isinstance(story, Skip):
                summary.skipped[story.reason] += 1
                if not quiet:
                    _warn(f"skipped story: {story}")
            else:
                stories.append(story)
        if not stories:
            _warn(f"error: {stories_path}: no usable story")
            sys.exit(EXIT_UNUSABLE)
    recorder = None
    if record:
        from django.db import connections

        from .pickups.scan import Recorder

        recorder = Recorder()
        connections.close_all()  # the scan's workers fork: none may inherit a connection
    scanner = Scanner(stories, terms, ScanConfig())
    total = sum(p.stat().st_size for p in inputs if p.is_file())
    total += sum(
        f.stat().st_size for p in inputs if p.is_dir() for f in p.rglob("*") if f.is_file()
    )
    bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc="scan",
        file=sys.stderr,
        disable=(not sys.stderr.isatty()) if progress is None else not progress,
    )
    out = sys.stdout

    def advance(done: int) -> None:
        bar.update(done)

    try:
        with _collect_less():
            for item in scan_inputs(
                scanner, inputs, workers=workers, summary=summary, progress=advance
            ):
                if isinstance(item, Skip):
                    if not quiet:
                        bar.write(f"skipped: {item}", file=sys.stderr)
                    continue
                result = item.to_json()
                out.write(json.dumps(result, ensure_ascii=False) + "\n")
                if recorder is not None:
                    why = recorder.record(result)
                    if why:
                        bar.write(f"not recorded: {why}", file=sys.stderr)
    except KeyboardInterrupt:
        bar.close()
        _warn("interrupted")
        sys.exit(130)
    bar.close()
    out.flush()
    _warn(f"{len(stories)} stories; {summary.line()}")
    if recorder is not None:
        _warn(f"pickups: {recorder.line()}")
    if summary.skipped_total or (recorder is not None and recorder.failed):
        sys.exit(EXIT_SKIPPED)


def _django() -> None:
    """Configure Django (settings from the environment) for a web or database command."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
    import django

    django.setup()


def _migrate(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


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
    from .wire.importer import ImportFailed, import_file

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
def export(stories: tuple[str, ...], partner: bool) -> None:
    """Write stories as ninjs 2.2 JSON lines on stdout (all, or those named by uri or slug)."""
    _django()
    from django.db.models import Q

    from .wire.models import Story, Terms
    from .wire.ninjs import to_ninjs

    terms = Terms.current()
    qs = Story.objects.all().order_by("created_at", "id")
    if stories:
        qs = qs.filter(Q(uri__in=stories) | Q(slug__in=stories))
        missing = set(stories) - {s.uri for s in qs} - {s.slug for s in qs}
        for name in sorted(missing):
            _warn(f"no story with uri or slug {name!r}")
    for story in qs.prefetch_related("bylines__reporter", "media__licence"):
        click.echo(json.dumps(to_ninjs(story, terms, partner=partner), ensure_ascii=False))


@cli.group()
def terms() -> None:
    """The wire's syndication terms (terms.json)."""


@terms.command("dump")
def terms_dump() -> None:
    """Print the terms as terms.json (what `newswire scan --terms` reads)."""
    _django()
    from .wire.models import Terms

    click.echo(json.dumps(Terms.current().to_dict(), indent=2, ensure_ascii=False))


@terms.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def terms_load(path: Path) -> None:
    """Replace the wire's terms with those in a terms.json file."""
    _django()
    _migrate()
    from .engine.errors import TermsError
    from .engine.terms import load_terms
    from .wire.models import Terms

    try:
        parsed, problems = load_terms(path)
    except TermsError as exc:
        _warn(f"error: {exc}")
        sys.exit(EXIT_UNUSABLE)
    for problem in problems:
        _warn(f"warning: {problem}")
    raw = json.loads(path.read_text("utf-8"))
    obj = Terms.current()
    obj.wire = parsed.wire or obj.wire
    obj.affiliation = parsed.affiliation
    obj.site = parsed.site
    obj.logo_url = parsed.logo.url
    obj.logo_alt = parsed.logo.alt
    obj.restricted_credits = list(parsed.restricted_credits)
    obj.required = list(parsed.required)
    obj.allowed_edits = list(parsed.allowed_edits)
    obj.contact = parsed.contact
    if isinstance(raw.get("text"), str):
        obj.text = raw["text"]
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            _warn(f"error: {path}: {name}: {' '.join(messages)}")
        _warn("error: the terms were not changed")
        sys.exit(EXIT_UNUSABLE)
    obj.save()
    click.echo(f"terms of {obj.wire} loaded from {path}")
    if problems:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("urls", nargs=-1, required=True)
def check(urls: tuple[str, ...]) -> None:
    """Check web pages now for copies of the wire's stories, and record what is found.

    Each page is fetched through the safe fetcher (public addresses only, robots.txt
    obeyed, one request a second per host) and checked against the terms.
    """
    _django()
    _migrate()
    from .pickups.check import check_urls

    status = 0
    for done in check_urls(urls):
        if done.status != "ok":
            click.echo(f"{done.url}\n  could not check: {done.status} ({done.reason})")
            status = EXIT_SKIPPED
            continue
        if not done.found:
            click.echo(f"{done.url}\n  no copy of any of the wire's stories")
        for found in done.found:
            p = found.pickup
            verdict = "compliant" if p.compliant else "NOT compliant: " + ", ".join(
                p.failed_checks
            )
            who = "unauthorised" if p.unauthorised else f"partner {p.partner}"
            click.echo(f"{done.url}\n  {p.kind} of {p.story.headline[:70]!r}, "
                       f"{p.coverage:.0%}, {who}: {verdict}")  # fmt: skip
            for name in p.failed_checks:
                click.echo(f"    {name}: {p.evidence.get(name) or ''}"[:200])
    sys.exit(status)


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

    from .pickups.ingest import ingest

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


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Run a Django management command (migrate, createsuperuser, changepassword, shell, …)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["newswire manage", *ctx.args])


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per worker (gunicorn's gthread worker); 1 is the sync worker.",
)
@click.option("--no-migrate", is_flag=True, help="Do not apply pending database migrations first.")
def serve(host: str, port: int, workers: int, threads: int, no_migrate: bool) -> None:
    """Serve the site, the admin, feeds and API with gunicorn."""
    _django()
    if not no_migrate:
        _migrate()
    _serve(host, port, workers, threads)


def _serve(host: str, port: int, workers: int, threads: int = 1) -> None:
    # gunicorn, not runserver: DEBUG stays off, several worker processes, the
    # same server a newsroom runs in production (Django says runserver is not for that).
    from gunicorn.app.base import BaseApplication

    from .wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("logger_class", "newswire.weblog.RedactingLogger")  # no ?key= in logs
            self.cfg.set("graceful_timeout", 5)

        def load(self) -> object:
            return application

    click.echo(
        f"serving on http://{host}:{port}/  (admin: http://{host}:{port}/admin/; Ctrl-C stops)"
    )
    # gunicorn forks its workers from this process. A database connection still open
    # here (the migrations, the demo's loading) would be inherited by every worker, and
    # on PostgreSQL two processes on one socket read each other's replies: one reader
    # gets another's page. Each worker must open its own.
    from django.db import connections

    connections.close_all()
    Server().run()


@cli.command()
@click.option("--batch", is_flag=True, help="Run what is due, then exit (for cron and tests).")
@click.option(
    "--interval", default=1.0, show_default=True, help="Seconds between polls of the queue."
)
def worker(batch: bool, interval: float) -> None:
    """Run background tasks (correction notices to partners) from the database queue."""
    _django()
    _migrate()
    from django.core.management import call_command

    from . import housekeeping

    if batch:
        click.echo(f"housekeeping: {housekeeping.housekeeping()}")
    else:
        housekeeping.start()  # abandoned tasks, due re-checks, beacon spools
    args = ["--interval", str(interval)]
    if batch:
        args.append("--batch")
    call_command("db_worker", *args)


def _demo_scan(out: Path) -> None:
    """Scan the sample crawl that ships with newswire and show what was found."""
    from .engine import Scanner, Summary, load_terms, read_stories, scan_inputs
    from .engine.types import Match, Skip, Story
    from .wire.demo import demo_folder

    folder = demo_folder()
    terms, _ = load_terms(folder / "terms.json")
    stories = [s for s in read_stories(folder / "stories.jsonl", terms) if isinstance(s, Story)]
    headlines = {s.uri: s.headline for s in stories}
    summary = Summary()
    matches: list[Match] = []
    for item in scan_inputs(Scanner(stories, terms), [folder / "pages.warc.gz"], summary=summary):
        if isinstance(item, Match):
            matches.append(item)
        elif isinstance(item, Skip):
            _warn(f"skipped: {item}")
    from .pickups.scan import Recorder

    recorder = Recorder()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as fh:
        for m in matches:
            result = m.to_json()
            fh.write(json.dumps(result, ensure_ascii=False) + "\n")
            why = recorder.record(result)  # so the admin opens on real pickups
            if why:
                _warn(f"not recorded: {why}")
    click.echo(f"\nPickup scan of the sample crawl ({terms.wire}, {len(stories)} stories):")
    for m in sorted(matches, key=lambda m: (-m.coverage, m.url)):
        failed = [c.name for c in m.checks if c.passed is False and c.name in terms.required]
        verdict = "compliant" if m.compliant else "NOT compliant: " + ", ".join(failed)
        click.echo(f"  {m.kind:8} {m.coverage:6.1%}  {verdict}")
        click.echo(f"           {headlines.get(m.story, m.story)[:70]}")
        click.echo(f"           {m.url[:100]}")
    click.echo(f"  {summary.line()}")
    click.echo(f"  results with evidence: {out}")
    click.echo(f"  pickups recorded: {recorder.line()} (admin: Pickups)")


@cli.command()
@click.option("--serve/--no-serve", default=True, help="Serve the site when loaded (default).")
@click.option("--scan/--no-scan", default=True, help="Also run a pickup scan of the sample crawl.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(serve: bool, scan: bool, host: str, port: int) -> None:
    """Set up a demo wire (seed story, terms, sample stories, admin login) and serve it.

    Safe to run again: the database is kept and nothing is loaded twice.
    """
    _django()
    from django.conf import settings

    from .wire.demo import ensure_admin, load_sample_stories, load_seed
    from .wire.models import Story

    click.echo(f"database: {settings.DATABASES['default']['NAME']}")
    _migrate()
    story, terms, new = load_seed()
    click.echo(f"seed story {'loaded' if new else 'already there'}: {story.headline}")
    click.echo(f"  by {story.byline()}; wire: {terms.wire} ({terms.affiliation})")
    report = load_sample_stories()
    click.echo(
        f"sample stories: {report.created} created, {report.updated + report.corrected} updated, "
        f"{report.unchanged} already there"
    )
    click.echo(
        f"stories on the wire: {Story.objects.count()}, public: {Story.objects.public().count()}"
    )
    if scan:
        _demo_scan(settings.DATA_DIR / "demo-results.jsonl")
    login = ensure_admin(settings.DATA_DIR)
    click.echo(
        f"\nadmin login{' (new)' if login.created else ''}: {login.username} / {login.password}"
        f"   (kept in {settings.DATA_DIR / 'demo-login.txt'})"
    )
    site = f"http://{host}:{port}"
    click.echo(
        f"site {site}/   admin {site}/admin/   partner program {site}/republish/\n"
        f"partner API docs {site}/api/v1/docs   (feeds and API need a partner key: approve an "
        "application in the admin, or use the admin's 'Create an API key' action on a partner)"
    )
    if serve:
        # a worker beside the web server, as in production: notices and checks go out
        import subprocess

        click.echo("worker: started beside the web server (notices, checks, re-checks)")
        worker_process = subprocess.Popen([sys.executable, "-m", "newswire", "worker"])
        try:
            _serve(host, port, 2)
        finally:
            worker_process.terminate()
            try:
                worker_process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker_process.kill()


def main() -> None:
    """Entry point of the ``newswire`` console script."""
    cli(prog_name="newswire")


if __name__ == "__main__":  # pragma: no cover
    main()
