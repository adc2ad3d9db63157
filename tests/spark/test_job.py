"""The Spark job: its per-input function without a cluster, then the whole job in local[2]
(the one test that starts a JVM), whose matches are exactly those of `newswire scan`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newswire.cli import cli
from newswire.engine import Scanner, scan_inputs, write_wire
from newswire.engine.types import Match
from newswire.spark import read_inputs, scan_input

from ..factories import make_crawl, write_stories, write_terms
from ..fakesite import fake_site, respond


@pytest.fixture
def crawl(tmp_path: Path, stories, terms, story_items) -> dict[str, Path]:
    files = make_crawl(tmp_path / "crawl", story_items)
    write_wire(tmp_path / "wire.idx", terms, stories)
    files["index"] = tmp_path / "wire.idx"
    return files


def expected(scanner: Scanner, paths: list[Path]) -> list[dict]:
    return [m.to_json() for m in scan_inputs(scanner, paths) if isinstance(m, Match)]


def test_scan_input_is_the_scan_of_one_file_and_names_what_it_could_not_read(crawl):
    scanner = Scanner.saved(crawl["index"])
    found, row = scan_input(scanner, str(crawl["mixed"]))
    assert found == expected(scanner, [crawl["mixed"]]) and len(found) == 2
    assert (row.records, row.pages, row.matches, row.skipped, row.error) == (
        5, 4, 2, {"not_html": 1}, ""
    )  # fmt: skip
    found, row = scan_input(scanner, str(crawl["plain"]))
    assert found == [] and row.skipped == {"corrupt_record": 1}
    assert row.error.startswith("no record could be read: corrupt_record")
    found, row = scan_input(scanner, str(crawl["plain"].parent / "nope.warc.gz"))
    assert row.error.startswith("missing_input") and row.records == 1


def test_a_remote_input_is_fetched_first_and_keeps_its_url_as_source(crawl, monkeypatch):
    monkeypatch.setenv("NEWSWIRE_FETCH_ALLOW", "127.0.0.1/32")  # the fake server is on loopback
    scanner = Scanner.saved(crawl["index"])
    with fake_site() as site:
        site.route("/cc/copies.warc.gz", respond(200, crawl["copies"].read_bytes(),
                                                 "application/octet-stream"))  # fmt: skip
        url = f"{site.url}/cc/copies.warc.gz"
        found, row = scan_input(scanner, url)
        assert row.matches == 2 and not row.error
        assert {f["source"] for f in found} == {url}
        _, gone = scan_input(scanner, f"{site.url}/cc/gone.warc.gz")
        assert "404" in gone.error and gone.skipped == {"unreadable": 1}
    _, other = scan_input(scanner, "s3://bucket/x.warc.gz")
    assert "fsspec" in other.error or other.error.startswith("unreadable")


def test_without_pyspark_the_command_says_how_to_install_it(crawl, monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyspark" else real(name, *a))  # fmt: skip
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"{crawl['copies']}\n")
    result = CliRunner().invoke(cli, ["spark", "--index", str(crawl["index"]), "--input",
                                      str(listing), "--output", str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 2 and "pip install 'newswire[spark]'" in result.stderr


@pytest.mark.spark
@pytest.mark.slow  # once per CI run (the SQLite pass): the only test that starts a JVM
def test_the_job_in_local_2_finds_exactly_what_newswire_scan_finds(crawl, tmp_path, story_items):
    pytest.importorskip("pyspark")
    inputs = [crawl[k] for k in ("copies", "mixed", "truncated", "plain")]
    listing = tmp_path / "inputs.txt"
    missing = tmp_path / "crawl" / "missing.warc.gz"
    listing.write_text("# the crawl\n" + "".join(f"{p}\n" for p in [*inputs, missing]) + "\n")
    assert read_inputs(listing)[-1] == str(missing)
    out = tmp_path / "out"
    job = CliRunner().invoke(cli, ["spark", "--index", str(crawl["index"]), "--input",
                                   str(listing), "--output", str(out), "--master", "local[2]"])  # fmt: skip
    assert job.exit_code == 1, job.stderr  # records and an input were skipped, and said so
    assert f"input failed: {missing}: missing_input" in job.stderr
    # what `newswire scan` prints for the same files, from the same stories
    stories = write_stories(tmp_path / "s.jsonl", story_items)
    terms = write_terms(tmp_path / "t.json")
    scan = CliRunner().invoke(cli, ["scan", "--stories", str(stories), "--terms", str(terms),
                                    *map(str, inputs)])  # fmt: skip
    assert scan.exit_code == 1  # the truncated and the non-gzip files
    want = sorted(scan.stdout.splitlines())
    got = sorted(line for part in sorted((out / "matches.jsonl").glob("part-*"))
                 for line in part.read_text("utf-8").splitlines())  # fmt: skip
    assert got == want and len(got) == 5  # field for field, as text
    summary = {
        s["input"]: s for s in map(json.loads, (out / "summary.jsonl").read_text().splitlines())
    }
    assert summary[str(crawl["truncated"])]["skipped"] == {"truncated_record": 1}
    assert summary[str(crawl["plain"])]["error"].startswith("no record could be read")
    assert summary[str(missing)]["error"].startswith("missing_input")
    assert sum(s["matches"] for s in summary.values()) == 5
    # the Parquet copy holds the same matches, the same fields
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[1]").getOrCreate()
    try:
        rows = [
            r.asDict(recursive=True)
            for r in spark.read.parquet(str(out / "matches.parquet")).collect()
        ]
        for row in rows:
            for optional in ("found_in", "published"):  # absent from a JSON line when null
                if row[optional] is None:
                    del row[optional]
    finally:
        spark.stop()
    wanted = [json.loads(line) for line in want]
    assert sorted(rows, key=lambda r: (r["url"], r["story"])) == sorted(
        wanted, key=lambda r: (r["url"], r["story"])
    )
