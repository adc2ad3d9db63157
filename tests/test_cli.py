from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newswire.cli import cli

from .factories import (
    LOGO,
    WIRE,
    article,
    ninjs,
    page_record,
    paragraphs,
    warc_record,
    write_stories,
    write_terms,
    write_warc,
)  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    stories = write_stories(
        tmp_path / "stories.jsonl",
        [
            ninjs("urn:t:a", paragraphs(1)),
            ninjs("urn:t:b", paragraphs(2), reporter="Kwame Thornbury"),
        ],
    )
    terms = write_terms(tmp_path / "terms.json")
    attribution = f'<img src="{LOGO}"><p>By Grace Nakamura, {WIRE}</p>'
    clean = tmp_path / "clean.warc.gz"
    write_warc(
        clean,
        [
            page_record("https://r.example/a", article(paragraphs(1), attribution=attribution)),
            page_record("https://r.example/b", article(paragraphs(2)[:3])),
            page_record("https://r.example/x", article(paragraphs(3))),
        ],
    )
    return {"stories": stories, "terms": terms, "clean": clean, "dir": tmp_path}


def run(files: dict[str, Path], *inputs: Path, extra: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    args = ["scan", "--stories", str(files["stories"]), "--terms", str(files["terms"]), *extra]
    return CliRunner().invoke(cli, [*args, *map(str, inputs)])


def test_scan_prints_the_contract(files: dict[str, Path]) -> None:
    result = run(files, files["clean"])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    by_story = {r["story"]: r for r in rows}
    assert set(by_story) == {"urn:t:a", "urn:t:b"}
    a = by_story["urn:t:a"]
    assert set(a) >= {"url", "story", "kind", "coverage", "checks", "compliant", "evidence"}
    assert a["kind"] == "pickup" and a["coverage"] == 1.0 and a["compliant"] is True
    assert set(a["checks"]) == {
        "logo",
        "byline",
        "affiliation",
        "link",
        "restricted_media",
        "unedited",
    }
    b = by_story["urn:t:b"]
    assert (
        b["kind"] == "pickup" and b["checks"]["unedited"] is True and 0.3 < b["coverage"] < 0.5
    ) or b["kind"] == "excerpt"
    assert "3 pages read" in result.stderr and "skipped 0" in result.stderr


def test_hostile_inputs_are_named_counted_and_the_scan_goes_on(files: dict[str, Path]) -> None:
    path = files["dir"] / "hostile.warc.gz"
    deep = b"<div>" * 100_000 + b"x" + b"</div>" * 100_000
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    cut_block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>cut"
    members = [
        page_record("https://h.example/png", png, "image/png"),
        page_record("https://h.example/png-as-html", png, "text/html"),
        page_record("https://h.example/deep", deep),
        page_record(
            "https://h.example/colspan",
            '<table><tr><td colspan="9007199254740991">x</td></tr></table>',
        ),
        page_record("https://h.example/nul", b"<p>a\x00b</p>" * 100),
        page_record(
            "https://h.example/charset",
            "<p>Caf\u00e9 \u2019</p>".encode("cp1252"),
            "text/html; charset=utf-8",
        ),
        warc_record("https://h.example/cut", cut_block, declared_length=len(cut_block) + 99)[:-4],
        page_record("https://r.example/a", article(paragraphs(1))),
    ]
    write_warc(path, members)
    stories = files["dir"] / "bad-stories.jsonl"
    stories.write_text(files["stories"].read_text() + "{not json\n")
    result = CliRunner().invoke(
        cli, ["scan", "--stories", str(stories), "--terms", str(files["terms"]), str(path)]
    )
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["url"] for r in rows] == ["https://r.example/a"]  # the good page after all the bad
    err = result.stderr
    assert "bad-stories.jsonl, line 3" in err and "not valid JSON" in err
    assert ("image/png" in err and "too_deep" not in err) or "nested" in err
    assert "hostile.warc.gz, offset" in err
    summary = err.strip().splitlines()[-1]
    for reason in ("bad_json", "not_html", "too_deep"):
        assert reason in summary
    assert "truncated_record" in summary or "corrupt_record" in summary


def test_missing_terms_field_still_scans_and_says_so(files: dict[str, Path]) -> None:
    terms = json.loads(files["terms"].read_text())
    del terms["restricted_credits"]
    files["terms"].write_text(json.dumps(terms))
    result = run(files, files["clean"])
    assert result.exit_code == 0  # a warning, counted: every page was read
    assert "restricted_credits" in result.stderr and str(files["terms"]) in result.stderr
    row = json.loads(result.stdout.splitlines()[0])
    assert row["checks"]["restricted_media"] is None


def test_unusable_terms_or_stories_exit_2(files: dict[str, Path]) -> None:
    files["terms"].write_text("not json")
    result = run(files, files["clean"])
    assert result.exit_code == 2 and "not valid JSON" in result.stderr
    write_terms(files["terms"])
    files["stories"].write_text("{}\n")
    result = run(files, files["clean"])
    assert result.exit_code == 2 and "no usable story" in result.stderr


def test_two_workers_give_the_same_results(files: dict[str, Path]) -> None:
    big = files["dir"] / "big.warc.gz"
    members = [
        page_record(f"https://r.example/{k}", article(paragraphs(1 + k % 2))) for k in range(40)
    ]
    members += [
        page_record(f"https://u.example/{k}", article(paragraphs(100 + k))) for k in range(40)
    ]
    write_warc(big, members)
    one = run(files, big)
    two = run(files, big, extra=("--workers", "2"))
    assert one.exit_code == two.exit_code == 0
    assert sorted(one.stdout.splitlines()) == sorted(two.stdout.splitlines())
    assert len(one.stdout.splitlines()) == 40


@pytest.mark.django_db
def test_demo_runs_on_the_packaged_sample(tmp_path: Path) -> None:
    from django.conf import settings

    from newswire.demo.load import SEED_URI, demo_folder
    from newswire.pickups.models import Pickup

    result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "38 pages read" in result.output and "pickups recorded: 21 new" in result.output
    results = (settings.DATA_DIR / "demo-results.jsonl").read_text("utf-8")
    found = [json.loads(line) for line in results.splitlines()]
    # compliance as the dashboard counts it: of pickups, the excerpts said and left out
    pickups = [r for r in found if r["kind"] == "pickup"]
    compliant = sum(r["compliant"] for r in pickups)
    assert (f"{compliant} of {len(pickups)} pickups compliant (excerpts, not counted: "
            f"{len(found) - len(pickups)})") in result.output  # fmt: skip
    assert len(found) == Pickup.objects.count() == 21
    # the crawl's copies of the seed story: as scraped, from the snippet, without the logo
    seed = {r["url"].split("/")[2]: r for r in found if r["story"] == SEED_URI}
    failed = {host: sorted(name for name, ok in r["checks"].items() if ok is False)
              for host, r in seed.items()}  # fmt: skip
    assert failed == {
        "www.lakeshore-ledger.example": ["link", "restricted_media", "unedited"],
        "www.riverbend-courier.example": [],
        "news.prairie-gazette.example": ["logo"],
    }
    evidence = seed["www.lakeshore-ledger.example"]["evidence"]["restricted_media"]
    assert "GettyImages-iraq-hmc-briefing" in evidence
    assert Pickup.objects.get(url__contains="riverbend").compliant
    # one wire: what a user gets from `terms dump` + `export` + `scan` is what the demo says
    runner = CliRunner()
    (tmp_path / "t.json").write_text(runner.invoke(cli, ["terms", "dump"]).output)
    (tmp_path / "s.jsonl").write_text(runner.invoke(cli, ["export"]).stdout)
    again = runner.invoke(
        cli,
        ["scan", "--stories", str(tmp_path / "s.jsonl"), "--terms", str(tmp_path / "t.json"),
         str(demo_folder() / "pages.warc.gz")],
    )  # fmt: skip
    assert again.exit_code == 0, again.stderr
    rescan = {
        (r["url"], r["story"]): r["compliant"] for r in map(json.loads, again.stdout.splitlines())
    }
    assert rescan == {(r["url"], r["story"]): r["compliant"] for r in found}
    assert sum(rescan.values()) == 7


# --- a scan's memory is bounded, whatever the input (issue 9) ---------------------------

MEASURED = """
import resource, sys
from newswire.cli import main
sys.argv = ["newswire", *sys.argv[1:]]
try:
    main()
finally:
    # this process's own high-water mark (ru_maxrss would carry the parent's over exec),
    # and the largest worker's (forked, so their counts start afresh)
    status = open("/proc/self/status").read()
    own = int(status.split("VmHWM:", 1)[1].split()[0])
    peak = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.stderr.write(f"\\npeak-rss-kb={peak}\\n")
"""


def hostile_crawl(folder: Path) -> list[Path]:
    """The inputs that took a scan to 2.1 GB, 468 MB, or stopped it, beside good pages."""
    import gzip
    import zlib

    def gzipped(piece: bytes, times: int) -> bytes:  # without holding the inflated bytes
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        return b"".join([*(z.compress(piece) for _ in range(times)), z.flush()])

    folder.mkdir()
    good = page_record("https://r.example/a", article(paragraphs(1)))
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
    bomb = head + gzipped(b"\0" * (1 << 20), 1024)  # 1 GB of zeros in about 1 MB
    write_warc(folder / "bomb.warc.gz", [warc_record("https://evil.example/bomb", bomb), good])
    # a 200 MB record (its own gzip member, so the file stays small)
    big_head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    size = len(big_head) + 200 * (1 << 20)
    record_head = warc_record("https://evil.example/big", b"", declared_length=size)[:-4]
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    member = b"".join([z.compress(record_head + big_head),
                       *(z.compress(b"a" * (1 << 20)) for _ in range(200)),
                       z.compress(b"\r\n\r\n"), z.flush()])  # fmt: skip
    (folder / "big.warc.gz").write_bytes(member + gzip.compress(good))
    (folder / "empty.warc.gz").write_bytes(b"")
    return [folder, folder / "bomb.warc.gz"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_scan_memory_stays_bounded_on_hostile_input(
    files: dict[str, Path], tmp_path: Path, workers: str
) -> None:
    import subprocess
    import sys

    inputs = hostile_crawl(tmp_path / "crawl")
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, "scan", "--stories", str(files["stories"]),
         "--terms", str(files["terms"]), "--workers", workers, *map(str, inputs)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    peak_mb = int(done.stderr.rsplit("peak-rss-kb=", 1)[1].split()[0]) / 1024
    # finished; what was skipped (over the budget, an empty file) is counted, not a failure
    assert done.returncode == 0, done.stderr
    assert "0 of them failures" in done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["url"] for r in rows] == ["https://r.example/a"] * 3  # after each bad record
    assert "bomb" in done.stderr and "big" in done.stderr and "empty_input" in done.stderr
    print(f"scan peak with --workers {workers}: {peak_mb:.0f} MB")
    assert peak_mb < 300, f"peak {peak_mb:.0f} MB"


# --- a saved wire: `newswire index build`, `scan --index` (issue 12) --------------------


def test_index_build_then_scan_index_prints_what_scan_stories_prints(files) -> None:
    index = files["dir"] / "wire.idx"
    built = CliRunner().invoke(cli, ["index", "build", "--stories", str(files["stories"]),
                                     "--terms", str(files["terms"]), "-o", str(index)])  # fmt: skip
    assert built.exit_code == 0, built.stderr
    assert "2 stories" in built.stderr and index.exists()
    by_index = CliRunner().invoke(cli, ["scan", "--index", str(index), str(files["clean"])])
    by_stories = run(files, files["clean"])
    assert by_index.exit_code == by_stories.exit_code == 0
    assert by_index.stdout == by_stories.stdout and by_index.stdout.count("\n") == 2
    two = CliRunner().invoke(cli, ["scan", "--index", str(index), "--workers", "2",
                                   str(files["clean"])])  # fmt: skip
    assert sorted(two.stdout.splitlines()) == sorted(by_stories.stdout.splitlines())


def test_index_build_skips_bad_stories_by_line_and_scan_refuses_a_damaged_index(files) -> None:
    stories = files["dir"] / "mixed.jsonl"
    stories.write_text(files["stories"].read_text() + "{not json\n")
    index = files["dir"] / "wire.idx"
    built = CliRunner().invoke(cli, ["index", "build", "--stories", str(stories), "--terms",
                                     str(files["terms"]), "-o", str(index)])  # fmt: skip
    assert built.exit_code == 1 and "line 3" in built.stderr and "bad_json 1" in built.stderr
    index.write_bytes(index.read_bytes()[:-5])
    scanned = CliRunner().invoke(cli, ["scan", "--index", str(index), str(files["clean"])])
    assert scanned.exit_code == 2 and "truncated" in scanned.stderr and str(index) in scanned.stderr
    both = CliRunner().invoke(cli, ["scan", "--index", str(index), "--stories", str(stories),
                                    "--terms", str(files["terms"]), str(files["clean"])])  # fmt: skip
    assert both.exit_code == 2 and "not both" in both.stderr


# --- `newswire explain` (issue 13) ------------------------------------------------------


def test_explain_a_file_a_warc_record_and_a_url(files, settings) -> None:
    from newswire.engine.read import read_warc

    from .fakesite import fake_site, html

    wire = ["--stories", str(files["stories"]), "--terms", str(files["terms"])]
    copy = files["dir"] / "copy.html"
    copy.write_text(article(paragraphs(1)))
    text = CliRunner().invoke(cli, ["explain", str(copy), *wire])
    assert text.exit_code == 0, text.stderr
    assert "verdict   a pickup of urn:t:a" in text.output and "sift " in text.output
    where = next(p.where for p in read_warc(files["clean"]) if p.url.endswith("/b"))
    record = CliRunner().invoke(cli, ["explain", f"{files['clean']}@{where.split()[1]}",
                                      "--json", *wire])  # fmt: skip
    report = json.loads(record.output)
    assert report["url"] == "https://r.example/b" and report["stories"][0]["kind"] == "excerpt"
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    with fake_site() as site:
        site.route("/quotes", html(f"<p>{paragraphs(2)[0][:90]}</p><p>Our own words here.</p>"))
        fetched = CliRunner().invoke(cli, ["explain", f"{site.url}/quotes", "--story", "urn:t:b",
                                           *wire])  # fmt: skip
    assert fetched.exit_code == 0, fetched.stderr
    assert "verdict   not a copy of urn:t:b" in fetched.output
    missing = CliRunner().invoke(cli, ["explain", str(files["dir"] / "nope.html"), *wire])
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    whole = CliRunner().invoke(cli, ["explain", f"{files['clean']}@999999", *wire])
    assert whole.exit_code == 1 and "no page there" in whole.stderr


def test_exit_status_a_script_can_trust(files: dict[str, Path]) -> None:
    """0: everything that should be read was (images and PDFs in a crawl are counted);
    1: something that should have been read could not be; 2: the scan could not run."""
    crawl = files["dir"] / "real.warc.gz"
    write_warc(crawl, [
        page_record("https://r.example/a", article(paragraphs(1))),
        warc_record("https://r.example/logo.png", b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"),
        warc_record("https://r.example/report.pdf", b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7"),
        page_record("https://r.example/gone", "<html><body><p>Not found</p></body></html>"),
    ])  # fmt: skip
    clean = run(files, crawl)
    assert clean.exit_code == 0, clean.stderr
    assert "not_html 2" in clean.stderr and "0 of them failures" in clean.stderr
    broken = files["dir"] / "broken.warc.gz"
    broken.write_bytes(crawl.read_bytes()[:-40])  # the last record cut short
    assert run(files, broken).exit_code == 1
    assert run(files, files["dir"] / "missing.warc.gz").exit_code == 1
    files["terms"].write_text("{not json")
    assert run(files, crawl).exit_code == 2


def test_explain_marks_a_check_the_terms_do_not_require_as_advisory(files) -> None:
    """The link is not among the test terms' required checks: a copy without it reads
    "adv." in explain, not "FAIL", and its JSON says which checks are required."""
    wire = ["--stories", str(files["stories"]), "--terms", str(files["terms"])]
    copy = files["dir"] / "copy.html"
    copy.write_text(article(paragraphs(1)))  # no logo (required), no link (advisory)
    text = CliRunner().invoke(cli, ["explain", str(copy), *wire])
    assert text.exit_code == 0, text.stderr
    assert "  FAIL    logo:" in text.output and "  adv.    link:" in text.output
    data = json.loads(CliRunner().invoke(cli, ["explain", str(copy), "--json", *wire]).output)
    checks = {c["name"]: c for c in data["stories"][0]["checks"]}
    assert checks["logo"]["required"] is True and checks["link"]["required"] is False
