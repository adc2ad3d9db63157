"""Records per second: `newswire scan` in one process vs the Spark job in local[1] and
local[2], on the same WARC files.

    python benchmarks/spark.py [--corpus ../shared/corpus/dev] [--repeat 140] [--files 8]

Builds the crawl-like WARC of benchmarks/throughput.py (about 5% copies) with ``--repeat``
copies of the corpus's unrelated pages, cut into ``--files`` WARC files (Spark's unit of
work: one task per file), and a saved wire of the corpus's stories. Then, each in its own
process: `newswire scan --index` over the files, and `newswire spark --master local[N]`.

Prints records/s end to end (the whole command: for Spark that includes starting the
JVM and the session, a fixed cost) and per core, and the per-core ratio to the single
process, whose target is within 20% (>= 0.8) once the input is large enough that the
start-up is amortised: the line says whether it is. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from throughput import OUT, build_crawl  # noqa: E402  (a sibling script)


def split(crawl: Path, files: int, folder: Path) -> tuple[list[Path], int]:
    """Cut ``crawl`` into ``files`` WARC files, record by record, round robin. Each record
    is its own gzip member in ``crawl``: the members are copied as they are."""
    import mmap

    from fastwarc.warc import ArchiveIterator

    with crawl.open("rb") as src:
        starts = [r.stream_pos for r in ArchiveIterator(src, parse_http=False)]
    starts.append(crawl.stat().st_size)
    with ExitStack() as stack, crawl.open("rb") as src:
        data = stack.enter_context(mmap.mmap(src.fileno(), 0, access=mmap.ACCESS_READ))
        outs = [stack.enter_context(open(folder / f"part-{n:03d}.warc.gz", "wb"))
                for n in range(files)]  # fmt: skip
        for n, (a, b) in enumerate(pairwise(starts)):
            outs[n % files].write(data[a:b])
    return sorted(folder.glob("part-*.warc.gz")), len(starts) - 1


def newswire(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "newswire", *args], capture_output=True,
                          text=True, check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"newswire {args[0]} failed:\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared/corpus/dev")
    parser.add_argument("--repeat", type=int, default=140)
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    crawl, _, copies = build_crawl(args.corpus, args.repeat)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        folder = Path(tmp)
        parts, records = split(crawl, args.files, folder)
        index = folder / "wire.idx"
        newswire("index", "build", "--stories", str(args.corpus / "stories.jsonl"),
                 "--terms", str(args.corpus / "terms.json"), "-o", str(index))  # fmt: skip
        listing = folder / "inputs.txt"
        listing.write_text("".join(f"{p}\n" for p in parts))
        size = sum(p.stat().st_size for p in parts)
        print(f"input: {records} records ({copies} copies) in {len(parts)} WARC files, "
              f"{size / 1e6:.0f} MB; {os.cpu_count()} cores")  # fmt: skip
        seconds, out = newswire("scan", "--index", str(index), "--quiet", *map(str, parts))
        single = records / seconds
        found = len(out.splitlines())
        rows = [("newswire scan (one process)", 1, seconds, found)]
        fixed: list[float] = []  # a Spark run's seconds outside its tasks
        for cores in (1, 2):
            target = folder / f"out-{cores}"
            master = f"local[{cores}]"
            seconds, _ = newswire("spark", "--index", str(index), "--input", str(listing),
                                  "--output", str(target), "--master", master)  # fmt: skip
            lines = sum(len(p.read_text().splitlines())
                        for p in (target / "matches.jsonl").glob("part-*"))  # fmt: skip
            summary = [json.loads(s) for s in (target / "summary.jsonl").read_text().splitlines()]
            in_tasks = sum(s["seconds"] for s in summary)
            rows.append((f"spark local[{cores}]", cores, seconds, lines))
            fixed.append(seconds - in_tasks / cores)
            print(f"  spark local[{cores}]: {in_tasks:.1f} s inside its tasks (summed over cores): "
                  f"{records / in_tasks:.0f} records/s per core there")  # fmt: skip
            shutil.rmtree(target)
    print(f"{'run':<30} {'seconds':>8} {'records/s':>10} {'per core':>9} {'/ single':>9} "
          f"{'matches':>8}")  # fmt: skip
    for name, cores, secs, lines in rows:
        rate = records / secs
        print(f"{name:<30} {secs:8.1f} {rate:10.0f} {rate / cores:9.0f} "
              f"{rate / cores / single:9.2f} {lines:8d}")  # fmt: skip
    # Spark's fixed cost (JVM, session, writing Parquet) over a job's length says whether
    # the input amortises it: at most a fifth of the job, so that per core can reach 0.8
    share = fixed[-1] / rows[2][2]
    print(f"Spark's fixed cost (outside its tasks) ~{fixed[-1]:.0f} s, {share:.0%} of the "
          "local[2] run: start-up "
          f"{'amortised' if share <= 0.2 else 'NOT amortised (raise --repeat)'}; "
          "target per core >= 0.80 of the single process")  # fmt: skip


if __name__ == "__main__":
    main()
