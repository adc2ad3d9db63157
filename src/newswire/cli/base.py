"""What every ``newswire`` command shares: the click group, the exit codes, and the few
steps a web or database command takes first (Django set up, migrations applied). The
commands' modules import it; ``newswire.cli`` imports them (so no module imports the
package that imports it)."""

from __future__ import annotations

import click

from .. import __version__

EXIT_SKIPPED = 1
EXIT_UNUSABLE = 2


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the version, and whether the engine's compiled parts are in use."""
    if not value or ctx.resilient_parsing:
        return
    from ..engine.walks import compiled_status

    status = compiled_status()
    click.echo(f"newswire, version {__version__}")
    click.echo(f"engine: walk {status['walk']}; sift {status['sift']}")
    ctx.exit(0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version, and whether the engine's compiled parts are "
                   "in use.")  # fmt: skip
def cli() -> None:
    """newswire: the wire's stories, its partners, and where its stories went."""


def _warn(message: str) -> None:
    click.echo(message, err=True)


def _django() -> None:
    """Configure Django (settings from the environment) for a web or database command."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
    import django

    django.setup()


def _site_url(host: str, port: int) -> None:
    """Unless SITE_URL is set, links the site writes (e-mails, snippet, feeds, API) point
    at the address it listens on. Set before Django reads its settings; the worker that
    ``demo`` starts inherits it."""
    import os

    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    os.environ.setdefault("SITE_URL", f"http://{shown}:{port}")


def _migrate(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)
