"""The demo's pickup scan: the sample crawl that ships with newswire, scanned for the wire's
stories as ``newswire scan`` does, every match recorded as a pickup."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine import Scanner, Summary, scan_inputs
from ..engine.types import Match, Skip
from ..pickups.scan import Recorder, wire_stories
from .load import demo_folder


def scan_sample(out: Path, echo: Callable[[str], Any], warn: Callable[[str], Any]) -> None:
    """Scan the sample crawl that ships with newswire for the wire's stories, as
    ``newswire scan`` does without --stories: the database's stories and terms,
    every match recorded as a pickup."""
    terms, stories = wire_stories()
    headlines = {s.uri: s.headline for s in stories}
    summary = Summary()
    matches: list[Match] = []
    for item in scan_inputs(  # one process: no fork, so the connection may stay open
        Scanner(stories, terms), [demo_folder() / "pages.warc.gz"], summary=summary
    ):
        if isinstance(item, Match):
            matches.append(item)
        elif isinstance(item, Skip):
            warn(f"skipped: {item}")
    recorder = Recorder()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as fh:
        for m in matches:
            result = m.to_json()
            fh.write(json.dumps(result, ensure_ascii=False) + "\n")
            why = recorder.record(result)  # so the admin opens on real pickups
            if why:
                warn(f"not recorded: {why}")
    echo(f"\nPickup scan of the sample crawl ({terms.wire}, {len(stories)} stories):")
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
