"""Running a scan over inputs: in this process, or in worker processes (forked, each with
the parent's scanner) that claim the inputs' parts one by one and send their results back
in order; the summary counts what was read, matched and skipped.

The stages themselves are in :mod:`.pipeline` (the :class:`~.pipeline.Scanner`).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ScanConfig
from .pipeline import Scanner, Summary
from .read import expand, input_kind, read, read_warc
from .types import Match, Page, Skip


@dataclass(frozen=True, slots=True)
class Task:
    path: str
    start: int = 0
    end: int | None = None
    skip: Skip | None = None  # an input that cannot be read: the task only reports it

    @property
    def size(self) -> int:
        if self.skip is not None:
            return 0
        try:
            end = self.end if self.end is not None else Path(self.path).stat().st_size
        except OSError:
            return 0
        return max(0, end - self.start)


def plan(
    inputs: Iterable[str | Path],
    workers: int = 1,
    *,
    min_bytes: int = 1 << 15,
    max_bytes: int = 1 << 24,
) -> list[Task]:
    """Cut the inputs into tasks: a file each, WARC files into byte ranges.

    A range holds the records that begin in it, and is at most ``max_bytes``
    (so that progress moves on a large WARC). For several workers the ranges
    shrink as the work runs out (guided scheduling): each is a
    ``1 / (4 * workers)`` share of the bytes not yet planned, and at least
    ``min_bytes``. Copies of stories cluster in a crawl (a partner's site, a
    day's news) and cost ten times an unrelated page, so equal ranges left one
    worker finishing a heavy last range alone: 1.67x for two workers on the
    throughput benchmark, against 2.1x for reading and parsing alone.
    """
    files = list(expand(inputs))
    sizes = {f: f.stat().st_size for f in files if isinstance(f, Path) and input_kind(f) == "warc"}
    remaining = sum(sizes.values())
    tasks: list[Task] = []
    for item in files:
        if isinstance(item, Skip):
            tasks.append(Task(item.source, skip=item))
            continue
        path = item
        size = sizes.get(path)
        if size is None or size == 0:
            tasks.append(Task(str(path)))
            continue
        start = 0
        while True:
            share = remaining // (4 * workers) if workers > 1 else max_bytes
            end = min(size, start + min(max(min_bytes, share), max_bytes))
            tasks.append(Task(str(path), start, end))
            remaining -= end - start
            start = end
            if start >= size:
                break
    return tasks


def _read_task(task: Task, config: ScanConfig) -> Iterator[Page | Skip]:
    if task.skip is not None:
        return iter([task.skip])
    path = Path(task.path)
    if task.end is not None:
        return read_warc(path, start=task.start, end=task.end, max_bytes=config.max_bytes)
    return read([path], max_bytes=config.max_bytes)


def _worker_signals() -> None:
    """Workers answer SIGTERM by exiting, whatever handler the parent had installed."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_task(scanner: Scanner, task: Task) -> tuple[list[Match | Skip], Summary]:
    summary = Summary()
    return list(scanner.scan_items(_read_task(task, scanner.config), summary)), summary


def _claim(counter: Any) -> int:
    """The number of the next task nobody has taken (shared by the scan's processes)."""
    with counter.get_lock():
        k = int(counter.value)
        counter.value = k + 1
    return k


def _helper(scanner: Scanner, tasks: list[Task], counter: Any, results: Any, parent: int) -> None:
    """A helper process (forked: the scanner is not pickled): takes the next task until
    none is left, and sends each task's items back as (number, items, summary); then
    None. A failure is sent as (-1, the exception, None) before the helper ends. A helper
    whose scan was killed (its parent is gone) stops after the task it is on."""
    _worker_signals()
    try:
        while os.getppid() == parent and (k := _claim(counter)) < len(tasks):
            results.put((k, *_run_task(scanner, tasks[k])))
    except BaseException as exc:
        try:
            results.put((-1, exc, None))
        except Exception:  # an exception that does not pickle: its text, then
            results.put((-1, RuntimeError(repr(exc)), None))
        raise
    finally:
        if os.getppid() == parent:
            results.put(None)
        else:  # nobody reads any more: exit without waiting to flush what is queued
            results.cancel_join_thread()


def _scan_together(
    scanner: Scanner,
    tasks: list[Task],
    workers: int,
    summary: Summary,
    progress: Callable[[int], None] | None,
) -> Iterator[Match | Skip]:
    """Scan ``tasks`` in this process and ``workers - 1`` forked helpers, yielding each
    task's items in task order.

    Every process takes the next task from one shared counter, this one included: with a
    pool of ``workers`` processes this one only waited, and each task went out and came
    back through it (a pipe, a thread, a lock) while both cores were busy, which cost two
    workers about a tenth of their gain (1.75-1.81x one worker, where two floors at once
    make 1.95-1.99x). A task this process takes while its output is next is yielded as
    it is scanned; a helper's results, and this process's taken ahead, wait their turn.
    """
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("q", 0)
    results = ctx.Queue()
    helpers = [
        ctx.Process(
            target=_helper, args=(scanner, tasks, counter, results, os.getpid()), daemon=True
        )
        for _ in range(workers - 1)
    ]
    for helper in helpers:
        helper.start()
    done: dict[int, tuple[list[Match | Skip], Summary]] = {}
    live = len(helpers)

    def receive(block: bool) -> None:
        nonlocal live
        while live:
            try:
                message = results.get(block, 1.0) if block else results.get_nowait()
            except queue.Empty:
                if block and not any(h.is_alive() for h in helpers):
                    raise RuntimeError("a scan worker ended without sending its results") from None
                if not block:
                    return
                continue
            if message is None:
                live -= 1
            elif message[0] < 0:
                raise message[1]
            else:
                done[message[0]] = message[1], message[2]
            block = False  # one message waited for; take what else is there

    try:
        for k, task in enumerate(tasks):
            while k not in done:
                receive(block=False)
                if k in done:
                    break
                mine = _claim(counter)
                if mine == k:  # next in order: its items go out as they are found
                    yield from scanner.scan_items(_read_task(task, scanner.config), summary)
                    done[k] = [], Summary()
                elif mine < len(tasks):
                    done[mine] = _run_task(scanner, tasks[mine])
                elif live:
                    receive(block=True)  # a helper has it
                else:
                    raise RuntimeError(f"no process has task {k} ({task.path})")
            items, part = done.pop(k)
            summary.add(part)
            yield from items
            if progress is not None:
                progress(task.size)
        while live:
            receive(block=True)
        for helper in helpers:
            helper.join()
    except BaseException:
        for helper in helpers:  # interrupted or failed: stop now
            helper.terminate()
        for helper in helpers:
            helper.join()
        raise
    finally:
        results.close()


def scan(
    scanner: Scanner,
    inputs: Iterable[str | Path],
    *,
    workers: int = 1,
    summary: Summary | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Match | Skip]:
    """Scan inputs; yield matches and skips; fill ``summary``; report bytes done to ``progress``.

    With ``workers > 1`` each WARC file is cut into byte ranges that this process and
    ``workers - 1`` forked ones read on their own (each range starts at the first record
    after its first byte), so that reading scales with the workers too; the matches come
    out in the order of one worker's scan.
    """
    summary = summary if summary is not None else Summary()
    started = time.perf_counter()
    inputs = list(inputs)
    try:
        if workers <= 1:
            for task in plan(inputs):
                yield from scanner.scan_items(_read_task(task, scanner.config), summary)
                if progress is not None:
                    progress(task.size)
            return
        yield from _scan_together(scanner, plan(inputs, workers), workers, summary, progress)
    finally:
        summary.seconds = time.perf_counter() - started
