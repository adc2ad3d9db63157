from __future__ import annotations

from pathlib import Path

from newswire.engine.pipeline import Task, plan


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
