from __future__ import annotations

from pathlib import Path

from newswire.engine import Scanner, load_terms, read_stories
from newswire.engine.pool import Task, plan

from .. import factories as f


def _file(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    path.write_bytes(b"x" * size)
    return path


def _covers(tasks: list[Task], path: Path) -> bool:
    """The ranges of one file follow on from each other and cover it exactly."""
    ranges = [(t.start, t.end) for t in tasks if t.path == str(path)]
    ends = [0] + [end for _, end in ranges]
    return all(start == prev for (start, _), prev in zip(ranges, ends, strict=False)) and (
        ranges[-1][1] == path.stat().st_size
    )


def test_one_worker_reads_a_large_warc_in_ranges_for_progress(tmp_path: Path) -> None:
    warc = _file(tmp_path, "big.warc.gz", 5_000_000)
    tasks = plan([warc], 1, max_bytes=1_000_000)
    assert len(tasks) == 5 and _covers(tasks, warc)


def test_ranges_shrink_as_the_work_runs_out(tmp_path: Path) -> None:
    """Guided scheduling: no worker is left alone with a long last range."""
    warc = _file(tmp_path, "crawl.warc", 40_000_000)
    tasks = plan([warc], 2, min_bytes=100_000)
    sizes = [t.size for t in tasks]
    assert _covers(tasks, warc)
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == 40_000_000 // 8 and sizes[-1] <= 100_000
    assert len(tasks) < 60


def test_other_inputs_are_one_task_each(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    a = _file(folder, "a.html", 10)
    b = _file(folder, "b.warc", 3_000_000)
    missing = tmp_path / "missing.warc"
    tasks = plan([folder, missing], 2, min_bytes=1_000_000)
    assert tasks[0] == Task(str(a))
    assert _covers(tasks, b) and len([t for t in tasks if t.path == str(b)]) == 3
    assert tasks[-1].path == str(missing) and tasks[-1].skip is not None
    assert tasks[-1].skip.reason == "missing_input"  # named in the scan's skips


# --- several processes ----------------------------------------------------------------


def _crawl(tmp_path: Path, monkeypatch):
    """A scanner for two stories and a crawl of copies and unrelated pages (80 records, 91
    kB), planned in ranges of 4 kB and more (about 20 for two processes)."""
    from functools import partial

    from newswire.engine import pool

    monkeypatch.setattr(pool, "plan", partial(plan, min_bytes=4096))
    items = [f.ninjs("urn:t:1", f.paragraphs(1)), f.ninjs("urn:t:2", f.paragraphs(2))]
    stories = f.write_stories(tmp_path / "s.jsonl", items)
    terms, _ = load_terms(f.write_terms(tmp_path / "t.json"))
    members = []
    for k in range(80):
        body = (
            f.article(f.paragraphs(1 + k % 2)) if k % 3 == 0 else f.article(f.paragraphs(100 + k))
        )
        members.append(f.page_record(f"https://r{k % 7}.example/{k}", body))
    crawl = tmp_path / "c.warc.gz"
    f.write_warc(crawl, members)
    scanner = Scanner([s for s in read_stories(stories, terms) if hasattr(s, "uri")], terms)
    return scanner, crawl


def test_several_processes_give_one_process_s_output_in_its_order(
    tmp_path: Path, monkeypatch
) -> None:
    from newswire.engine import pool
    from newswire.engine.pipeline import Summary
    from newswire.engine.pool import scan

    scanner, crawl = _crawl(tmp_path, monkeypatch)
    assert len(pool.plan([crawl], 2)) > 10
    one, two, three = Summary(), Summary(), Summary()
    alone = [m.to_json() for m in scan(scanner, [crawl], summary=one)]
    for workers, summary in ((2, two), (3, three)):
        done: list[int] = []
        together = [m.to_json() for m in scan(scanner, [crawl], workers=workers,
                                              summary=summary, progress=done.append)]  # fmt: skip
        assert together == alone  # the same lines, in the same order
        assert (summary.pages, summary.matches) == (one.pages, one.matches) == (80, 27)
        assert sum(done) == crawl.stat().st_size  # every byte reported done, once


class _Boom(Exception):
    pass


def test_a_worker_s_failure_ends_the_scan_with_it(tmp_path: Path, monkeypatch) -> None:
    """An exception in whichever process takes the page is raised by the scan (not a hang,
    not a silent gap), and the other processes are stopped."""
    import multiprocessing

    import pytest

    from newswire.engine.pool import scan

    scanner, crawl = _crawl(tmp_path, monkeypatch)
    real = scanner.scan_page

    def scan_page(page):
        if page.url.endswith("/40"):
            raise _Boom(page.url)
        return real(page)

    monkeypatch.setattr(scanner, "scan_page", scan_page)
    with pytest.raises(_Boom):
        list(scan(scanner, [crawl], workers=2))
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_is_reported_not_waited_for(tmp_path: Path, monkeypatch) -> None:
    """A helper killed mid-task (out of memory, a signal) never sends its task's results:
    the scan says so instead of waiting for them for ever."""
    import os

    import pytest

    from newswire.engine.pool import scan

    scanner, crawl = _crawl(tmp_path, monkeypatch)
    real, parent = scanner.scan_page, os.getpid()

    def scan_page(page):
        if os.getpid() != parent:
            os._exit(9)  # the helper dies on its first page
        return real(page)

    monkeypatch.setattr(scanner, "scan_page", scan_page)
    with pytest.raises(RuntimeError, match="ended without sending its results"):
        list(scan(scanner, [crawl], workers=2))


def test_helpers_stop_when_their_scan_is_killed(tmp_path: Path, monkeypatch) -> None:
    """A scan killed outright (SIGKILL: no cleanup runs) leaves no helper scanning the rest
    of the crawl for nobody: each stops after the task it is on, and exits even with more
    results queued than a pipe holds (every page here is skipped with a 20 kB reason)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    _, crawl = _crawl(tmp_path, monkeypatch)
    code = f"""
import time, functools, sys
from pathlib import Path
from newswire.engine import Scanner, load_terms, read_stories, pool as pipeline
pipeline.plan = functools.partial(pipeline.plan, min_bytes=4096)
terms, _ = load_terms(Path({str(tmp_path / "t.json")!r}))
stories = [s for s in read_stories(Path({str(tmp_path / "s.jsonl")!r}), terms) if hasattr(s, "uri")]
scanner = Scanner(stories, terms)
from newswire.engine.errors import PageError
def slow(page):
    time.sleep(0.05)  # 80 pages: 4 s for the whole crawl
    raise PageError("x" * 20_000, reason="page_error")
scanner.scan_page = slow
for item in pipeline.scan(scanner, [Path({str(crawl)!r})], workers=2):
    print(item.where, flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()  # the scan is under way
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    assert children, "no helper process"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    deadline = time.monotonic() + 3  # less than the rest of the crawl would take
    try:
        while time.monotonic() < deadline and any(_running(c) for c in children):
            time.sleep(0.05)
        assert not any(_running(c) for c in children)
    finally:
        for c in children:  # whatever happened, leave no process behind
            if _running(c):
                os.kill(int(c), signal.SIGKILL)


def _running(pid: str) -> bool:
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0]
    except (OSError, IndexError):
        return "zombie"  # gone
