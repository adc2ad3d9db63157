"""The reader view against Chromium: the generated corpus of tests/engine/sight.py (each
principle of docs/checks.md "What a reader sees", ten forms or more, on a bare page and
inside real pages of ../shared/corpus/dev), loaded in Debian's chromium; prints how often
the static reader view agrees with what the browser shows, and how often each check is
right, by principle. Pages newswire fetches ("fetched": the pictures compared) and pages
of a crawl ("crawled": no pictures).

    python benchmarks/reader_view.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newswire.engine import Scanner, story_from_ninjs, terms_from_dict  # noqa: E402
from tests.engine import sight  # noqa: E402
from tests.factories import TERMS, ninjs, paragraphs  # noqa: E402


def main() -> None:
    if not sight.CHROMIUM.exists():
        sys.exit(f"{sight.CHROMIUM} is not installed (apt install chromium)")
    shared = ROOT.parent / "shared"
    terms = terms_from_dict(TERMS)[0]
    story = story_from_ninjs(ninjs("urn:test:a", paragraphs(1), photo=sight.PHOTO), terms)
    start = time.perf_counter()
    outcomes = sight.run(shared if shared.exists() else None, Scanner([story], terms), terms)
    took = time.perf_counter() - start
    print(f"{len(outcomes)} pages judged by Chromium in {took:.0f} s "
          f"({len(sight.forms())} forms; real pages from {shared if shared.exists() else '-'})")
    table = sight.summary(outcomes)
    columns = ["elements agree", "logo", "byline", "restricted_media",
               "restricted_media (crawled)"]  # fmt: skip
    print(f"{'principle':42}" + "".join(f"{c:>28}" for c in columns))
    totals = {c: [0, 0] for c in columns}
    for principle, row in table.items():
        cells = []
        for c in columns:
            right, total = row[c]
            totals[c][0] += right
            totals[c][1] += total
            cells.append(f"{right}/{total} ({right / total:.3f})")
        print(f"{principle:42}" + "".join(f"{cell:>28}" for cell in cells))
    print(f"{'all':42}" + "".join(f"{f'{r}/{t} ({r / t:.3f})':>28}" for r, t in totals.values()))
    wrong = sight.disagreements(outcomes)
    print(f"disagreements: {len(wrong)}")
    for line in wrong[:40]:
        print("  " + line)


if __name__ == "__main__":
    main()
