"""``newswire``: the one command for everything a person runs.

The click group lives in ``base``; its commands live in one module per group: ``scan``
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

# the commands, one module per group (each registers itself on `cli`, in .base)
from . import partners, pickups, scan, site, sources, spark, wire  # noqa: F401
from .base import EXIT_SKIPPED, EXIT_UNUSABLE, cli

__all__ = ["EXIT_SKIPPED", "EXIT_UNUSABLE", "cli", "main"]


def main() -> None:
    """Entry point of the ``newswire`` console script."""
    cli(prog_name="newswire")


if __name__ == "__main__":  # pragma: no cover
    main()
