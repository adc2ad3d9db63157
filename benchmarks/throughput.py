"""Pages/s and peak memory: newswire scan vs a plain baseline vs the parsing floor.

    python benchmarks/throughput.py [--corpus ../shared/corpus/dev] [--repeat 2]

Builds a crawl-like WARC from the dev corpus (every unrelated page, repeated,
plus copies making up about 5% of the pages, as in a real crawl), then runs
each pipeline over the same file in its own process:

* floor: fastwarc reads each record and selectolax (lexbor) parses its HTML;
* baseline: trafilatura extraction + datasketch MinHash (128 permutations,
  5-word shingles) + MinHashLSH lookup + difflib alignment of candidates;
* newswire scan with 1 and 2 workers.

Prints pages/s, peak RSS and the ratios the issue sets as targets.
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
t = time.perf_counter(); n = 0
with open(sys.argv[1], "rb") as fh:
    for r in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
        LexborHTMLParser(r.reader.read()); n += 1
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
print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, found)
"""

ENGINE = r"""
import sys, time, resource, io, contextlib
from newswire.cli import cli
t = time.perf_counter()
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        cli(["scan", "-q", "--no-progress", "--stories", sys.argv[2], "--terms", sys.argv[3],
             "--workers", sys.argv[4], sys.argv[1]], standalone_mode=False)
    except SystemExit:
        pass
self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(len(out.getvalue().splitlines()), time.perf_counter() - t, max(self_rss, child_rss))
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


def run(code: str, *args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"failed:\n{proc.stderr[-2000:]}")
    return proc.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared/corpus/dev")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    crawl, unrelated, copies = build_crawl(args.corpus, args.repeat)
    total = unrelated + copies
    print(f"crawl: {crawl} — {total} pages, {copies} copies ({copies / total:.1%}), "
          f"{crawl.stat().st_size / 1e6:.1f} MB")  # fmt: skip
    stories, terms = str(args.corpus / "stories.jsonl"), str(args.corpus / "terms.json")
    rows = {}
    n, secs, rss = run(FLOOR, str(crawl))[:3]
    rows["floor (fastwarc + lexbor parse)"] = (int(n) / float(secs), int(rss))
    n, secs, rss, found = run(BASELINE, str(crawl), stories)
    rows["baseline (trafilatura + MinHashLSH + difflib)"] = (int(n) / float(secs), int(rss))
    for workers in ("1", "2"):
        lines, secs, rss = run(ENGINE, str(crawl), stories, terms, workers)
        rows[f"newswire scan --workers {workers}"] = (total / float(secs), int(rss))
    print(f"{'pipeline':<48} {'pages/s':>9} {'peak RSS':>10}")
    for name, (rate, kb) in rows.items():
        print(f"{name:<48} {rate:9.0f} {kb / 1024:8.0f} MB")
    engine = rows["newswire scan --workers 1"][0]
    baseline = rows["baseline (trafilatura + MinHashLSH + difflib)"][0]
    print(f"\nscan / baseline: {engine / baseline:.1f}x   (target >= 5x)")
    print(f"scan / floor:    {engine / rows['floor (fastwarc + lexbor parse)'][0]:.2f}"
          "    (target >= 0.5)")  # fmt: skip
    print(f"2 workers / 1:   {rows['newswire scan --workers 2'][0] / engine:.2f}x"
          f"   (on {os.cpu_count()} cores)")  # fmt: skip
    print(f"matches: scan {lines}, baseline pages with a story {found}")


if __name__ == "__main__":
    main()
