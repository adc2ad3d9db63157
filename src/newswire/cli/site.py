"""`newswire serve`, `demo`, `worker` and `manage`: running the site."""

from __future__ import annotations

import sys

import click

from .base import _django, _migrate, _site_url, _warn, cli


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
    _site_url(host, port)
    _django()
    if not no_migrate:
        _migrate()
    _say_if_slow()
    _serve(host, port, workers, threads)


def _say_if_slow() -> None:
    """Once at start: a server or worker without the engine's compiled walk says so."""
    import logging

    from ..engine.walks import warn_if_slow

    warn_if_slow(logging.getLogger("newswire"))


def _serve(host: str, port: int, workers: int, threads: int = 1) -> None:
    # gunicorn, not runserver: DEBUG stays off, several worker processes, the
    # same server a newsroom runs in production (Django says runserver is not for that).
    from gunicorn.app.base import BaseApplication

    from ..wsgi import application

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
    """Run background tasks (correction notices, page checks, re-checks, partner feeds)."""
    _django()
    _migrate()
    _say_if_slow()
    from .. import housekeeping
    from ..worker import run

    if not batch:
        housekeeping.start()  # abandoned tasks, due re-checks, beacon spools, the saved wire
        run(batch=False, interval=interval)
        return
    # a batch: the upkeep, the tasks, then the saved wire (written after the tasks, which
    # build the warm wire when a page first needs it, while the hosts' turns come)
    click.echo(f"housekeeping: {housekeeping.housekeeping(save=False)}")
    run(batch=True, interval=interval)
    from ..pickups.wirescan import save

    click.echo(f"saved wire written: {int(save())}")


@cli.command()
@click.option("--serve/--no-serve", default=True, help="Serve the site when loaded (default).")
@click.option("--scan/--no-scan", default=True, help="Also run a pickup scan of the sample crawl.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(serve: bool, scan: bool, host: str, port: int) -> None:
    """Set up a demo wire (seed story, terms, sample stories, admin login) and serve it.

    Safe to run again: the database is kept and nothing is loaded twice.
    """
    _site_url(host, port)
    sites = None
    if serve:
        # the crawl's partner sites, served by the demo itself on the next port: their
        # domains named before Django reads its settings (every process asks them here)
        import os

        from ..demo.sites import crawled_pages, domains

        pages = crawled_pages()
        os.environ.setdefault("NEWSWIRE_DEMO_SITES", ",".join(
            f"{d}=127.0.0.1:{port + 1}" for d in domains(pages)))  # fmt: skip
    _django()
    from django.conf import settings

    from ..demo.load import ensure_admin, load_demo_partners, load_demo_wire
    from ..wire.models import Story

    click.echo(f"database: {settings.DATABASES['default']['NAME']}")
    _migrate()
    story, terms, report = load_demo_wire()
    click.echo(f"wire: {terms.wire} ({terms.affiliation}), its terms and logo")
    click.echo(f"seed story: {story.headline}\n  by {story.byline()}")
    click.echo(
        f"stories: {report.created} created, {report.updated + report.corrected} updated, "
        f"{report.unchanged} already there"
    )
    for problem in report.bad:
        _warn(f"skipped story: {problem}")
    click.echo(
        f"stories on the wire: {Story.objects.count()}, public: {Story.objects.public().count()}"
    )
    partner_logins = load_demo_partners(settings.DATA_DIR)
    click.echo(f"partners: {', '.join(p.username for p in partner_logins)} (fictional outlets)")
    if scan:
        from ..demo.history import load_demo_history
        from ..demo.scan import scan_sample

        scan_sample(settings.DATA_DIR / "demo-results.jsonl", click.echo, _warn)

        history = load_demo_history()
        for line in history.lines() if history else []:
            click.echo(line)
    login = ensure_admin(settings.DATA_DIR)
    click.echo(
        f"\nadmin login{' (new)' if login.created else ''}: {login.username} / {login.password}"
        f"   (kept in {settings.DATA_DIR / 'demo-login.txt'})"
    )
    site = settings.SITE_URL
    click.echo(
        f"dashboard {site}/dashboard/   (editors: the admin login)\n"
        f"partner view {site}/partner/pickups/   (partner logins, e.g. "
        + ", ".join(f"{p.username} / {p.password}" for p in partner_logins[:2])
        + f"; all in {settings.DATA_DIR / 'demo-partner-logins.txt'})\n"
        f"site {site}/   admin {site}/admin/   partner program {site}/republish/\n"
        f"partner API docs {site}/api/v1/docs   (feeds and API need a partner key: approve an "
        "application in the admin, or use the admin's 'Create an API key' action on a partner)"
    )
    if serve:
        from ..demo.sites import DemoSites

        sites = DemoSites(settings.DATA_DIR, pages)
        address = sites.start(port + 1)
        click.echo(f"the partners' sites (made up, served by the demo): http://{address}/   "
                   "(do to a copy what its partner would: fix it, take it down)")  # fmt: skip
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
