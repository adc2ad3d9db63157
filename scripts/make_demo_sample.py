"""Cut the demo's sample crawl out of a labelled corpus (run once, by hand).

    python scripts/make_demo_sample.py ../shared/corpus/dev src/newswire/demo

Keeps every story and the terms, and a WARC of a few copies of each kind plus
unrelated pages, small enough to ship in the repository (a few MB).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

PER_KIND = {"full": 4, "trimmed": 3, "retitled": 2, "edited": 3, "restyled": 2, "roundup": 1,
            "excerpt": 2, "quote": 2, "offwire": 2, "unrelated": 14}  # fmt: skip
MAX_RECORD = 250_000


def main() -> None:
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for line in (corpus / "truth.jsonl").open():
        t = json.loads(line)
        truth[t["url"]] = t
    taken: Counter[str] = Counter()
    kept_truth = []
    with (corpus / "pages.warc.gz").open("rb") as src, (out / "pages.warc.gz").open("wb") as dst:
        for record in ArchiveIterator(src, record_types=WarcRecordType.response, parse_http=False):
            url = record.headers.get("WARC-Target-URI")
            t = truth.get(url)
            if t is None or record.content_length > MAX_RECORD:
                continue
            if taken[t["kind"]] >= PER_KIND.get(t["kind"], 0):
                continue
            taken[t["kind"]] += 1
            record.write(dst, checksum_data=False)
            kept_truth.append(t)
    with (out / "truth.jsonl").open("w") as fh:
        for t in kept_truth:
            fh.write(json.dumps(t) + "\n")
    shutil.copy(corpus / "stories.jsonl", out / "stories.jsonl")
    shutil.copy(corpus / "terms.json", out / "terms.json")


if __name__ == "__main__":
    main()
