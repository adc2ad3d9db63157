"""``newswire``: the one command for everything a person runs.

The click group lives here; its commands live in one module per group: ``scan``
(the engine on files), ``wire`` (import, export, terms), ``pickups`` (check,
pickups ingest), ``sources`` (the newsroom's CMS) and ``site`` (serve, demo,
worker, manage).

Each subcommand parses its arguments, calls one library function and prints.
Engine commands (``scan``) never import Django; web and database commands
import it only when they run.

Exit codes: 0 all done; 1 done, but some input was skipped (the summary says
what and why); 2 the command could not run (bad arguments, unusable terms).
"""

from __future__ import annotations

import os

# The engine makes no BLAS call, but OpenBLAS (loaded with numpy) starts a thread per core
# whose idle spinning took 3% of a scan's samples, on cores that --workers wants: one is
# enough. Set before numpy is first imported, and only where nobody set it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from .. import __version__

EXIT_SKIPPED = 1
EXIT_UNUSABLE = 2


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the version, and whether the engine's compiled parts are in use."""
    if not value or ctx.resilient_parsing:
        return
    from ..engine.extract import compiled_status

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


# the commands, one module per group (each registers itself on `cli`)
from . import partners, pickups, scan, site, sources, spark, wire  # noqa: E402, F401


def main() -> None:
    """Entry point of the ``newswire`` console script."""
    cli(prog_name="newswire")


if __name__ == "__main__":  # pragma: no cover
    main()
