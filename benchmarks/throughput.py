"""Pages/s and peak memory: newswire scan vs a plain baseline vs the parsing floor.

    python benchmarks/throughput.py [--corpus ../shared/corpus/dev] [--repeat 4] [--runs 3]
                                    [--no-baseline]

Builds a crawl-like WARC from the dev corpus (every unrelated page, repeated,
plus copies making up about 5% of the pages, as in a real crawl), then runs
each pipeline over the same file in its own process:

* read only: fastwarc reads each record (gzip included), nothing else: the physical limit;
* floor: fastwarc reads each record, selectolax (lexbor) parses its HTML and takes the
  body text: the parse floor as the engine issue defines it ("fastwarc read + lexbor
  parse + body text, nothing else"); the bare parse, without the text, is printed too,
  and two floors run at once (what two cores of the machine give two processes that
  share nothing: the bound on what --workers 2 can gain);
* baseline: trafilatura extraction + datasketch MinHash (128 permutations,
  5-word shingles) + MinHashLSH lookup + difflib alignment of candidates;
* newswire scan with 1 and 2 workers.

Prints pages/s, peak RSS and the ratios the issue sets as targets. Every pipeline runs
with the allocator settings that `newswire scan` gives itself (glibc keeps freed memory).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

FLOOR = r"""
import sys, time, resource
from fastwarc.warc import ArchiveIterator, WarcRecordType
from selectolax.lexbor import LexborHTMLParser
text = sys.argv[2] == "text"
t = time.perf_counter(); n = 0
with open(sys.argv[1], "rb") as fh:
    for r in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
        tree = LexborHTMLParser(r.reader.read()); n += 1
        if text and tree.body is not None:
            tree.body.text(separator=" ")
print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

READ_ONLY = r"""
import sys, time, resource
from fastwarc.warc import ArchiveIterator, WarcRecordType
t = time.perf_counter(); n = 0
with open(sys.argv[1], "rb") as fh:
    for r in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
        r.reader.read(); n += 1
print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

BASELINE = r"""
import sys, time, json, resource, difflib, re, logging
logging.disable(logging.CRITICAL)
from fastwarc.warc import ArchiveIterator, WarcRecordType
import trafilatura
from datasketch import MinHash, MinHashLSH
from lxml.html import fromstring
stories = [json.loads(l) for l in open(sys.argv[2])]
def words(t): return re.findall(r"\w+", t.lower())
def mh(ws):
    m = MinHash(num_perm=128)
    for i in range(max(1, len(ws) - 4)):
        m.update(" ".join(ws[i:i+5]).encode())
    return m
setup = time.perf_counter()
lsh = MinHashLSH(threshold=0.1, num_perm=128)
texts = {}
for s in stories:
    ws = words(fromstring(s["bodies"][0]["value"]).text_content())
    texts[s["uri"]] = ws
    lsh.insert(s["uri"], mh(ws))
t = time.perf_counter(); n = found = 0
with open(sys.argv[1], "rb") as fh:
    for r in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
        n += 1
        text = trafilatura.extract(r.reader.read()) or ""
        ws = words(text)
        if len(ws) < 5: continue
        for uri in lsh.query(mh(ws)):
            sm = difflib.SequenceMatcher(None, texts[uri], ws, autojunk=False)
            shared = sum(b.size for b in sm.get_matching_blocks() if b.size >= 4)
            if shared / len(texts[uri]) >= 0.15:
                found += 1
print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, found,
      time.perf_counter() - setup)
"""

ENGINE = r"""
import sys, time, resource, io, contextlib, re
from newswire.cli import cli
t = time.perf_counter()
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        cli(["scan", "-q", "--no-progress", "--stories", sys.argv[2], "--terms", sys.argv[3],
             "--workers", sys.argv[4], sys.argv[1]], standalone_mode=False)
    except SystemExit:
        pass
total = time.perf_counter() - t
self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
# the summary's own clock starts once the stories are loaded and indexed; its
# seconds are printed to 0.1 s, so take them from pages read / pages per second
summary = err.getvalue()
pages = int(re.search(r"(\d+) pages read", summary).group(1))
rate = float(re.search(r"([\d.]+) pages/s", summary).group(1))
print(len(out.getvalue().splitlines()), total, max(self_rss, child_rss), pages / rate)
"""


def build_crawl(corpus: Path, repeat: int) -> tuple[Path, int, int]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    truth = {}
    for line in (corpus / "truth.jsonl").read_text().splitlines():
        t = json.loads(line)
        truth[t["url"]] = t["kind"]
    OUT.mkdir(exist_ok=True)
    path = OUT / "crawl.warc.gz"
    unrelated = copies = 0
    kept: list[tuple[str, bytes]] = []
    with (corpus / "pages.warc.gz").open("rb") as src:
        for r in ArchiveIterator(src, record_types=WarcRecordType.response, parse_http=False):
            kind = truth.get(r.headers.get("WARC-Target-URI"), "unrelated")
            head = r.headers.status_line + "\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in r.headers.to_tuples()) + "\r\n"
            raw = head.encode() + r.reader.read() + b"\r\n\r\n"
            kept.append((kind, gzip.compress(raw, compresslevel=5)))
    plain = [r for k, r in kept if k == "unrelated"]
    copied = [r for k, r in kept if k in ("full", "trimmed", "edited", "retitled", "restyled")]
    want = max(1, len(plain) * repeat // 19)  # 5% copies
    with path.open("wb") as dst:
        for rep in range(repeat):
            for r in plain:
                dst.write(r)
                unrelated += 1
            for r in copied[rep * want // repeat : (rep + 1) * want // repeat]:
                dst.write(r)
                copies += 1
    return path, unrelated, copies


# `newswire scan` tells glibc to keep the memory it frees (cli/scan.py: mallopt); the other
# pipelines get the same through glibc's environment, so that the floor is not slower
# for want of it (it is about 5% faster with it)
SAME_ALLOCATOR = {
    **os.environ,
    "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(256 << 20),
}


def run(code: str, *args: str, at_once: int = 1) -> list[str]:
    """Run ``code`` in ``at_once`` processes together; the slowest one's figures."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=SAME_ALLOCATOR,
        )
        for _ in range(at_once)
    ]
    outs = [proc.communicate() for proc in procs]
    for proc, (_, err) in zip(procs, outs, strict=True):
        if proc.returncode != 0:
            sys.exit(f"failed:\n{err[-2000:]}")
    return max((out.split() for out, _ in outs), key=lambda o: float(o[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared/corpus/dev")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3, help="best of N runs for floor and scan")
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="leave out trafilatura + MinHash (30 pages/s: minutes on a long crawl)",
    )
    args = parser.parse_args()
    crawl, unrelated, copies = build_crawl(args.corpus, args.repeat)
    total = unrelated + copies
    print(f"crawl: {crawl} — {total} pages, {copies} copies ({copies / total:.1%}), "
          f"{crawl.stat().st_size / 1e6:.1f} MB")  # fmt: skip
    stories, terms = str(args.corpus / "stories.jsonl"), str(args.corpus / "terms.json")
    # Rates are the best of --runs runs (the least disturbed by other work on the machine).
    # "steady" excludes one-time setup (loading and indexing the stories) for every
    # pipeline alike; "end to end" includes it (and, for the scan, the CLI itself).
    rows: dict[str, tuple[float, float | None, int]] = {}
    # The runs are interleaved (read only, floor, scan with 1 and 2 workers, then again),
    # so that a slow spell of the machine weighs on every pipeline alike, not on one.
    reads, floors, parses, scans = [], [], [], {"1": [], "2": []}  # type: ignore[var-annotated]
    pairs = []
    for _ in range(args.runs):
        reads.append(run(READ_ONLY, str(crawl))[:3])
        floors.append(run(FLOOR, str(crawl), "text")[:3])
        # two floors at once, each over the whole crawl: what two cores of this machine
        # give two processes that share nothing (the bound on --workers 2's gain)
        pairs.append(run(FLOOR, str(crawl), "text", at_once=2)[:3])
        parses.append(run(FLOOR, str(crawl), "parse")[:3])
        for workers in ("1", "2"):
            scans[workers].append(run(ENGINE, str(crawl), stories, terms, workers))
    best = min(reads, key=lambda r: float(r[1]))
    rows["read only (fastwarc, gzip, no parse)"] = (total / float(best[1]), None, int(best[2]))
    best = min(floors, key=lambda r: float(r[1]))
    rows["floor (fastwarc + lexbor parse + body text)"] = (
        total / float(best[1]),
        None,
        int(best[2]),
    )
    best = min(pairs, key=lambda r: float(r[1]))
    rows["  two floors at once (each process)"] = (total / float(best[1]), None, int(best[2]))
    best = min(parses, key=lambda r: float(r[1]))
    rows["  the parse alone (no body text)"] = (total / float(best[1]), None, int(best[2]))
    found = "-"
    if not args.no_baseline:
        n, secs, rss, found, whole = run(BASELINE, str(crawl), stories)
        rows["baseline (trafilatura + MinHashLSH + difflib)"] = (
            int(n) / float(secs),
            int(n) / float(whole),
            int(rss),
        )
    lines = "0"
    for workers, results in scans.items():
        lines, whole, rss, secs = min(results, key=lambda r: float(r[3]))
        rows[f"newswire scan --workers {workers}"] = (
            total / float(secs),
            total / float(min(float(r[1]) for r in results)),
            int(rss),
        )
    print(f"{'pipeline':<48} {'steady p/s':>11} {'end to end':>11} {'peak RSS':>10}")
    for name, (rate, e2e, kb) in rows.items():
        e2e_text = f"{e2e:11.0f}" if e2e is not None else f"{'':>11}"
        print(f"{name:<48} {rate:11.0f} {e2e_text} {kb / 1024:8.0f} MB")
    engine = rows["newswire scan --workers 1"][0]
    baseline = rows.get("baseline (trafilatura + MinHashLSH + difflib)", (0.0,))[0]
    floor = rows["floor (fastwarc + lexbor parse + body text)"][0]
    parse_only = rows["  the parse alone (no body text)"][0]
    e2e_engine = rows["newswire scan --workers 1"][1] or 0.0
    read_only = rows["read only (fastwarc, gzip, no parse)"][0]
    print(f"\nread only / floor: {read_only / floor:.2f}x   (the limit a scan could reach)")
    if baseline:
        print(f"scan / baseline: {engine / baseline:.1f}x steady   (target >= 5x)")
    print(f"scan / floor:    {engine / floor:.2f} steady, {e2e_engine / floor:.2f} end to end"
          "   (target >= 1.0 steady)")  # fmt: skip
    print(f"scan / parse alone: {engine / parse_only:.2f} steady")
    pair = rows["  two floors at once (each process)"][0]
    print(f"machine: two floors at once give {2 * pair / floor:.2f}x one floor   (the bound on "
          "the next line)")  # fmt: skip
    print(f"2 workers / 1:   {rows['newswire scan --workers 2'][0] / engine:.2f}x steady, "
          f"{(rows['newswire scan --workers 2'][1] or 0) / e2e_engine:.2f}x end to end"
          f"   (target >= 1.9x steady; on {os.cpu_count()} cores)")  # fmt: skip
    print(f"matches: scan {lines}, baseline pages with a story {found}")


if __name__ == "__main__":
    main()
