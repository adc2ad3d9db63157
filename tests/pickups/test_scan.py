"""`newswire scan` on the wire's own stories records what it finds; two processes
recording the same copies at once make one row each, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from newswire.cli import cli
from newswire.distribution.snippet import snippet_html
from newswire.pickups.models import Pickup, PickupCheck

from ..factories import article, page_record, write_warc
from ..servers import BIN, newswire, stories_jsonl, throwaway_database


@pytest.mark.django_db(transaction=True)
def test_scan_without_stories_records_pickups(make_story, wire_terms, tmp_path: Path):
    story = make_story()
    crawl = tmp_path / "crawl.warc.gz"
    write_warc(crawl, [
        page_record("https://copycat.example/a", article([], after=snippet_html(story))),
        page_record("https://unrelated.example/b", article(["Weather news only today."])),
    ])  # fmt: skip
    first = CliRunner().invoke(cli, ["scan", str(crawl)])
    assert first.exit_code == 0, first.stderr
    assert [json.loads(line)["story"] for line in first.stdout.splitlines()] == [story.uri]
    assert "pickups: 1 new" in first.stderr
    again = CliRunner().invoke(cli, ["scan", str(crawl)])  # as after a kill -9 and a restart
    assert "pickups: 1 already recorded" in again.stderr
    assert Pickup.objects.count() == 1 and PickupCheck.objects.count() == 1


def test_scan_needs_both_stories_and_terms_or_neither(tmp_path: Path):
    result = CliRunner().invoke(cli, ["scan", "--stories", str(tmp_path / "s"), str(tmp_path)])
    assert result.exit_code == 2 and "both --stories and --terms, or neither" in result.stderr


def test_two_processes_ingesting_the_same_copies_make_one_row_each(tmp_path: Path):
    n = 60
    with throwaway_database(tmp_path) as env:
        assert newswire(env, "import", str(stories_jsonl(tmp_path / "s.jsonl", 3))).returncode == 0
        lines = [
            {"url": f"https://site{i % 20}.example/copy", "story": f"urn:test:story-{i % 20 % 3}",
             "kind": "pickup", "coverage": 0.9, "checks": {"logo": True}, "compliant": True,
             "canonical": False, "evidence": {}, "edits": {}, "source": f"part{i}.warc.gz",
             "where": f"offset {i}"}
            for i in range(n)
        ]  # fmt: skip
        results = tmp_path / "results.jsonl"
        results.write_text("".join(json.dumps(x) + "\n" for x in lines))
        runs = [
            subprocess.Popen([str(BIN / "newswire"), "pickups", "ingest", str(results)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]  # fmt: skip
        outputs = [run.communicate(timeout=300) for run in runs]
        counted = newswire(
            env, "manage", "shell", "-c",
            "from newswire.pickups.models import Pickup, PickupCheck;"
            " print(Pickup.objects.count(), PickupCheck.objects.count())",
        )  # fmt: skip
    assert all(run.returncode == 0 for run in runs), outputs
    pickups, checks = map(int, counted.stdout.split()[-2:])
    assert pickups == 20  # 20 sites, each page showing one story: one row per page
    assert checks == n  # every observation once, whichever process recorded it
