"""The pickup scan on Apache Spark: the same engine as ``newswire scan``, partition by
partition, over a list of WARC files.

Modelled on Common Crawl's cc-pyspark: the driver parallelises the list of inputs, each
task runs one per-input function (:func:`scan_input`, which is the engine's own
``scan_inputs`` over one file: nothing of the scan is re-written here), and an input that
cannot be read (missing, truncated, not gzip) fails only its own records: it is counted in
its summary row with the reason, and the job finishes.

The saved wire (``newswire index build``) is shipped to every executor once with
``SparkContext.addFile``; each executor's Python worker opens it the first time a task
needs it (mapped, not read: see :mod:`newswire.engine.saved`) and keeps it for the next
tasks, as cc-pyspark keeps its per-process state.

Inputs are local paths (every node must see them: a shared disk), ``file://``,
``http(s)://`` (downloaded to the executor's local disk first, as cc-pyspark does, through
newswire's safe fetcher: public addresses only, streamed, bounded), or any
URL fsspec opens when it is installed with the filesystem's package (``s3://`` with s3fs,
``gs://`` with gcsfs, ``hdfs://`` with pyarrow).

Output, in ``OUTPUT/``:

- ``matches.jsonl/part-*``: one JSON object per match, exactly the lines ``newswire scan``
  prints (``newswire pickups ingest --via spark OUTPUT/matches.jsonl/part-*`` records them);
- ``matches.parquet/``: the same matches as Parquet, the same fields (``checks`` and
  ``evidence`` as maps, ``edits`` and ``copy`` as structs);
- ``summary.jsonl``: one line per input: records read, pages, matches, skipped by reason,
  seconds, and the input's error if it could not be read at all.

This module imports the engine and PySpark, never Django (an import-linter contract).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

# absolute imports: spark-submit runs this file as a script
from newswire.engine import Scanner, Summary, scan_inputs
from newswire.engine.errors import IndexFormatError
from newswire.engine.pipeline import failures as count_failures
from newswire.engine.types import MatchRecord, Skip, record_fields
from newswire.fetch import FetchError, FetchPolicy, SafeClient
from newswire.runtime import this_process


@dataclass
class InputSummary:
    """What one input gave: the per-input row of ``summary.jsonl``."""

    input: str
    records: int = 0  # pages read and records skipped
    pages: int = 0
    matches: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""  # the input as a whole could not be read: why

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.input, "records": self.records, "pages": self.pages,
            "matches": self.matches, "skipped": dict(sorted(self.skipped.items())),
            "seconds": round(self.seconds, 3), "error": self.error,
        }  # fmt: skip


def scanner_for(index_path: str) -> Scanner:
    """The scanner over a saved wire, opened once per Python worker process (kept in
    ``newswire.runtime``; see the module's docstring)."""
    scanners = this_process().scanners
    found: Scanner | None = scanners.get(index_path)
    if found is None:
        found = scanners[index_path] = Scanner.saved(index_path)
    return found


#: the largest remote input fetched (a CC-News WARC file is about 1 GB)
MAX_INPUT_BYTES = 8 * 1024**3


def download_policy() -> FetchPolicy:
    """The safe fetcher's policy for remote inputs: a WARC file's size and time, and the
    networks ``NEWSWIRE_FETCH_ALLOW`` names (tests and local runs only), as the apps have it."""
    allow = [n.strip() for n in os.environ.get("NEWSWIRE_FETCH_ALLOW", "").split(",") if n.strip()]
    return FetchPolicy.from_settings(
        SimpleNamespace(NEWSWIRE_FETCH_ALLOW=allow),
        max_bytes=MAX_INPUT_BYTES,
        read_timeout=60.0,
        total_timeout=3600.0,
    )


def _local_copy(url: str, folder: str) -> str:
    """Fetch a remote input to ``folder``; return the local path."""
    target = str(Path(folder) / (Path(url.split("?", 1)[0]).name or "input.warc.gz"))
    if url.startswith(("http://", "https://")):
        # through the safe fetcher, like every request newswire makes: public addresses
        # only, streamed to the file, bounded in size and time
        with SafeClient(download_policy()) as client, open(target, "wb") as out:
            got = client.download(url, out)
        if not 200 <= got.status < 300:
            raise OSError(f"{url}: HTTP {got.status}")
        return target
    try:
        import fsspec
    except ImportError:
        raise OSError(
            f"cannot open {url.split(':', 1)[0]}:// inputs: pip install fsspec and the "
            "filesystem's package (s3fs, gcsfs, pyarrow for hdfs)"
        ) from None
    with fsspec.open(url, "rb") as src, open(target, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    return target


def scan_input(scanner: Scanner, path: str) -> tuple[list[MatchRecord], InputSummary]:
    """Scan one input as ``newswire scan`` does (one process); never raises for bad input."""
    row = InputSummary(input=path)
    started = time.perf_counter()
    matches: list[MatchRecord] = []
    with tempfile.TemporaryDirectory(prefix="newswire-input-") as folder:
        local = path[len("file://") :] if path.startswith("file://") else path
        if "://" in local:
            try:
                local = _local_copy(path, folder)
            except (OSError, ValueError, FetchError) as exc:
                row.error = f"unreadable: {exc}"
                row.skipped["unreadable"] = 1
                row.seconds = time.perf_counter() - started
                return [], row
        summary = Summary()
        first_skip = ""
        for item in scan_inputs(scanner, [local], summary=summary):
            if isinstance(item, Skip):
                first_skip = first_skip or f"{item.reason}: {item.message}"
                if not item.where:  # the input itself (missing, a folder that cannot be read)
                    row.error = first_skip
                continue
            result = item.to_json()
            if local != path and result["source"] == local:
                result["source"] = path  # where it really came from, not the temporary copy
            matches.append(result)
    if not summary.pages and first_skip and not row.error:
        row.error = f"no record could be read: {first_skip}"  # not a WARC, not gzip, …
    row.records = summary.pages + summary.skipped_total
    row.pages, row.matches = summary.pages, summary.matches
    row.skipped = dict(summary.skipped)
    row.seconds = time.perf_counter() - started
    return matches, row


def scan_partition(index_name: str, paths: Iterable[str]) -> Iterator[tuple[str, str]]:
    """The per-partition function: ("m", match JSON) and ("s", summary JSON) rows."""
    from pyspark import SparkFiles

    local_index = SparkFiles.get(index_name)
    scanner = scanner_for(local_index)
    for path in paths:
        found, row = scan_input(scanner, path)
        for result in found:
            yield "m", json.dumps(result, ensure_ascii=False)
        yield "s", json.dumps(row.to_json(), ensure_ascii=False)


def match_schema() -> Any:
    """The Parquet schema: the fields of ``newswire scan``'s JSON lines, typed, made from
    the record's one description (:class:`~newswire.engine.types.MatchRecord`). A field a
    line may lack (``found_in``: the visible text, ``published``: no date stated) is null."""
    return _spark_type(MatchRecord)


def _spark_type(hint: Any) -> Any:
    """The Spark SQL type of a field of the record (every field nullable)."""
    from pyspark.sql import types as T

    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if typing.is_typeddict(hint):
        return T.StructType([T.StructField(name, _spark_type(sub))
                             for name, sub in record_fields(hint).items()])  # fmt: skip
    if origin in (types.UnionType, typing.Union):  # X | None: X, nullable
        (inner,) = [a for a in args if a is not type(None)]
        return _spark_type(inner)
    if origin is list:
        return T.ArrayType(_spark_type(args[0]))
    if origin is dict:
        return T.MapType(_spark_type(args[0]), _spark_type(args[1]))
    scalars = {str: T.StringType(), float: T.DoubleType(), int: T.LongType(),
               bool: T.BooleanType()}  # fmt: skip
    return scalars[hint]


def _row(line: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(line)
    data["evidence"] = {k: (v if v is None else str(v)) for k, v in data["evidence"].items()}
    return data


@dataclass
class JobResult:
    inputs: int
    records: int
    pages: int
    matches: int
    skipped: dict[str, int]
    failed_inputs: list[dict[str, Any]]
    seconds: float
    output: str

    @property
    def failures(self) -> int:
        """Skips that mean something could not be read (as ``newswire scan`` counts them)."""
        return count_failures(self.skipped)

    def line(self) -> str:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())) or "none"
        return (f"{self.inputs} inputs, {self.records} records, {self.pages} pages, "
                f"{self.matches} matches; skipped {sum(self.skipped.values())} ({skipped}); "
                f"{len(self.failed_inputs)} inputs unreadable; {self.seconds:.1f} s")  # fmt: skip


def read_inputs(path: str | Path) -> list[str]:
    """The inputs listed in a file: one path or URL a line; blank lines and # comments skipped."""
    lines = Path(path).read_text("utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.strip().startswith("#")]


def run_job(
    index: str | Path,
    inputs: list[str],
    output: str | Path,
    *,
    partitions: int | None = None,
    master: str | None = None,
    spark: Any = None,
) -> JobResult:
    """Run the scan on Spark; write ``output``; return the totals.

    ``spark``: a SparkSession to use (``spark-submit`` and notebooks have one); otherwise
    one is made with ``master`` (default: what ``spark-submit`` or the environment says,
    else ``local[*]``). Raises :class:`IndexFormatError` for an unusable saved wire and
    ``FileExistsError`` if ``output`` exists (Spark never writes over a result).
    """
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    index = Path(index).resolve()
    Scanner.saved(index)  # refuse a damaged or foreign file here, before any executor does
    out = str(output).rstrip("/")
    local = "://" not in out or out.startswith("file://")
    if local and Path(out.removeprefix("file://")).exists():
        raise FileExistsError(f"{out} exists: give a new folder (Spark never writes over one)")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    own = spark is None
    if own:
        builder = SparkSession.builder.appName("newswire-pickups")
        if master:
            builder = builder.master(master)
        spark = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
    try:
        sc = spark.sparkContext
        sc.addFile(str(index))
        slices = partitions or max(1, len(inputs))
        rows = sc.parallelize(inputs, slices).mapPartitions(
            lambda paths: scan_partition(index.name, paths)
        )
        rows.cache()
        matches = rows.filter(lambda r: r[0] == "m").map(lambda r: r[1])
        matches.saveAsTextFile(f"{out}/matches.jsonl")
        frame = spark.createDataFrame(matches.map(_row), schema=match_schema())
        frame.write.parquet(f"{out}/matches.parquet")
        lines = rows.filter(lambda r: r[0] == "s").map(lambda r: r[1]).collect()
        summaries = [json.loads(s) for s in lines]
        rows.unpersist()
        if not local:  # s3://, hdfs://, …: written by Spark, as summary.jsonl/part-00000
            sc.parallelize(lines, 1).saveAsTextFile(f"{out}/summary.jsonl")
    finally:
        if own:
            spark.stop()
    if local:
        with open(Path(out.removeprefix("file://")) / "summary.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(line + "\n" for line in lines)
    skipped: dict[str, int] = {}
    for s in summaries:
        for reason, n in s["skipped"].items():
            skipped[reason] = skipped.get(reason, 0) + n
    return JobResult(
        inputs=len(summaries),
        records=sum(s["records"] for s in summaries),
        pages=sum(s["pages"] for s in summaries),
        matches=sum(s["matches"] for s in summaries),
        skipped=skipped,
        failed_inputs=[s for s in summaries if s["error"]],
        seconds=time.perf_counter() - started,
        output=out,
    )


def main(argv: list[str] | None = None) -> int:
    """``spark-submit …/newswire/spark/job.py --index … --input … --output …``."""
    import argparse

    parser = argparse.ArgumentParser(prog="newswire-spark", description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="the saved wire (newswire index build)")
    parser.add_argument("--input", required=True, help="a file listing the WARC paths or URLs")
    parser.add_argument("--output", required=True, help="a new folder for the results")
    parser.add_argument("--partitions", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        result = run_job(args.index, read_inputs(args.input), args.output,
                         partitions=args.partitions)  # fmt: skip
    except (IndexFormatError, FileExistsError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - the job's own command line
        return 2
    print(result.line(), file=sys.stderr)  # noqa: T201
    return 0


if __name__ == "__main__":  # spark-submit runs this file
    # run the installed module's main, so that the functions Spark ships to executors are
    # imported there by name (not pickled by value from __main__)
    from newswire.spark.job import main as installed_main

    sys.exit(installed_main())
