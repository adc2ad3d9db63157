"""`newswire spark`: the pickup scan on an Apache Spark cluster (an optional extra)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import click

from .base import EXIT_SKIPPED, EXIT_UNUSABLE, _warn, cli


@cli.command()
@click.option(
    "--index",
    "index_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The saved wire (`newswire index build`); shipped to every executor once.",
)
@click.option(
    "--input",
    "input_list",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file listing the WARC files: local paths (every node must see them), "
    "file://, http(s)://, or s3:// and the like with fsspec; one a line.",
)
@click.option(
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new folder: matches.jsonl/, matches.parquet/, summary.jsonl.",
)
@click.option(
    "--partitions", type=click.IntRange(min=1), help="Spark partitions [default: one per input]."
)
@click.option(
    "--master",
    help="Spark master, e.g. local[2], spark://host:7077 [default: spark-defaults, else local[*]].",
)
def spark(
    index_path: Path, input_list: Path, output: Path, partitions: int | None, master: str | None
) -> None:
    """Scan WARC files on Apache Spark with the engine of `newswire scan`.

    The matches are the lines `newswire scan` prints; `newswire pickups ingest --via spark
    OUTPUT/matches.jsonl/part-*` records them. An input that cannot be read is counted in
    OUTPUT/summary.jsonl with its reason; the job goes on. Exits 0 when everything that should
    be read was (non-HTML records and pages over the budget are counted), 1 when a record or
    an input could not be read, 2 when the job could not run.
    """
    if importlib.util.find_spec("pyspark") is None:
        _warn("error: PySpark is not installed: pip install 'newswire[spark]' (it needs Java 17 "
              "or later); or run the job with spark-submit on a cluster that has it")  # fmt: skip
        sys.exit(EXIT_UNUSABLE)
    from ..engine.errors import IndexFormatError
    from ..spark import read_inputs, run_job

    try:
        inputs = read_inputs(input_list)
    except (OSError, UnicodeDecodeError) as exc:
        _warn(f"error: cannot read {input_list}: {exc}")
        sys.exit(EXIT_UNUSABLE)
    if not inputs:
        _warn(f"error: {input_list} lists no input")
        sys.exit(EXIT_UNUSABLE)
    try:
        result = run_job(index_path, inputs, output, partitions=partitions, master=master)
    except (IndexFormatError, FileExistsError) as exc:
        _warn(f"error: {exc}")
        sys.exit(EXIT_UNUSABLE)
    for failed in result.failed_inputs:
        _warn(f"input failed: {failed['input']}: {failed['error']}")
    _warn(f"{result.line()}\nwrote {output}/matches.jsonl, matches.parquet, summary.jsonl")
    if result.failed_inputs or result.failures:
        sys.exit(EXIT_SKIPPED)
