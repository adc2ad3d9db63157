"""The demo's pickup scan: the sample crawl that ships with newswire, scanned for the wire's
stories as ``newswire scan`` does, every match recorded as a pickup."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine import Summary
from ..engine.types import Match, Skip
from ..pickups import wirescan
from ..pickups.scan import Recorder, scan_and_record
from .load import demo_folder


def scan_sample(out: Path, echo: Callable[[str], Any], warn: Callable[[str], Any]) -> None:
    """Scan the sample crawl that ships with newswire for the wire's stories, as
    ``newswire scan`` does without --stories: the database's stories and terms,
    every match recorded as a pickup."""
    scanner = wirescan.scanner()
    headlines = {uri: story.headline for uri, story in scanner.stories.items()}
    summary = Summary()
    matches: list[Match] = []
    recorder = Recorder()  # so the admin opens on real pickups
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as fh:
        for item, why in scan_and_record(scanner, [demo_folder() / "pages.warc.gz"], recorder,
                                         summary=summary):  # fmt: skip
            if isinstance(item, Skip):
                warn(f"skipped: {item}")
                continue
            matches.append(item)
            fh.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
            if why:
                warn(f"not recorded: {why}")
    echo(f"\nPickup scan of the sample crawl ({scanner.terms.wire}, {len(headlines)} stories):")
    for m in sorted(matches, key=lambda m: (-m.coverage, m.url)):
        failed = m.failed
        verdict = "compliant" if m.compliant else "NOT compliant: " + ", ".join(failed)
        echo(f"  {m.kind:8} {m.coverage:6.1%}  {verdict}")
        echo(f"           {headlines.get(m.story, m.story)[:70]}")
        echo(f"           {m.url[:100]}")
    # as the dashboard counts it: compliance is of pickups; an excerpt's checks are shown
    # but an excerpt is no copy of the story to hold to the terms
    pickups = [m for m in matches if m.kind == "pickup"]
    compliant = sum(1 for m in pickups if m.compliant)
    excerpts = len(matches) - len(pickups)
    echo(f"  {compliant} of {len(pickups)} pickups compliant (excerpts, not counted: "
               f"{excerpts}); {summary.line()}")  # fmt: skip
    echo(f"  results with evidence: {out}")
    echo(f"  pickups recorded: {recorder.line()} (admin: Pickups)")
