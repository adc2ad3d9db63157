"""`newswire scan`: the pickup engine over WARC files, folders and HTML files."""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .base import EXIT_SKIPPED, EXIT_UNUSABLE, _django, _migrate, _warn, cli

if TYPE_CHECKING:
    from ..engine import Scanner, Summary
    from ..engine.types import Page


@contextmanager
def _collect_less() -> Iterator[None]:
    """Tune the garbage collector for a scan, and put it back after.

    A scan makes many short-lived objects per page and keeps few: what is
    loaded (stories, index) is left out of the collector's walks and the young
    generation is collected less often (the collector took 2-3% of a crawl
    scan). Forked workers inherit the setting.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _keep_freed_memory() -> None:
    """Let glibc keep the memory a scan frees, for the next page.

    A scan makes and drops a page's buffers (210 kB on average, several copies) a thousand
    times a second. Blocks that size glibc takes from the kernel with mmap and hands back
    on free (and trims the heap's top as well), so each page faulted its memory in afresh:
    34,500 page faults on the 1,856-page throughput crawl, 11,300 with these settings, and
    a tenth less system time. What it keeps is at most the largest page in flight. glibc
    only (``mallopt`` is not a library call anywhere else); elsewhere nothing changes.
    """
    import ctypes

    try:
        glibc = "glibc" in (os.confstr("CS_GNU_LIBC_VERSION") or "").lower()
    except (ValueError, OSError, AttributeError):  # not a glibc system
        glibc = False
    if not glibc:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # malloc.h
    libc = ctypes.CDLL(None)  # the process's own C library
    libc.mallopt(m_mmap_threshold, 32 << 20)  # glibc's largest
    libc.mallopt(m_trim_threshold, 256 << 20)


@cli.command()
@click.option(
    "--stories",
    "stories_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The wire's stories: IPTC ninjs 2.2, one JSON object per line. Without --stories "
    "and --terms, both come from the database and what is found is recorded as pickups.",
)
@click.option(
    "--terms",
    "terms_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The wire's terms (terms.json).",
)
@click.option(
    "--index",
    "index_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A saved wire (`newswire index build`) instead of --stories and --terms: opened at "
    "once, whatever its size.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes that scan at once (this one and N-1 forked); WARC files are split "
    "between them by byte range.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not list skipped records on stderr.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
def scan(
    stories_path: Path | None,
    terms_path: Path | None,
    index_path: Path | None,
    workers: int,
    progress: bool | None,
    quiet: bool,
    inputs: tuple[Path, ...],
) -> None:
    """Find the wire's stories in WARC files, folders of HTML and HTML files.

    Prints one JSON object per (page, story) match with coverage >= 0.15 on
    stdout; progress, skipped records and a summary go to stderr. Without
    --stories and --terms, the wire's own stories and terms are read from the
    database and every match is recorded as a pickup as it is found.
    """
    from tqdm import tqdm

    from ..engine import Summary, scan_inputs
    from ..engine.errors import IndexFormatError
    from ..engine.types import Skip

    _keep_freed_memory()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    summary = Summary()
    scanner = _scanner(index_path, stories_path, terms_path, summary, quiet)
    total = sum(p.stat().st_size for p in inputs if p.is_file())
    total += sum(
        f.stat().st_size for p in inputs if p.is_dir() for f in p.rglob("*") if f.is_file()
    )
    hidden = (not sys.stderr.isatty()) if progress is None else not progress
    bar = tqdm(total=total, unit="B", unit_scale=True, desc="scan", file=sys.stderr,
               disable=hidden)  # fmt: skip

    def advance(done: int) -> None:
        bar.update(done)

    recorder = None
    if stories_path is None and index_path is None:  # the wire's own: each match recorded
        from ..pickups.scan import Recorder, scan_and_record

        recorder = Recorder()
        found = scan_and_record(scanner, inputs, recorder, workers=workers, summary=summary,
                                progress=advance)  # fmt: skip
    else:  # (ninjs files or a saved wire: the engine alone, no database)
        scanned = scan_inputs(scanner, list(inputs), workers=workers, summary=summary,
                              progress=advance)  # fmt: skip
        found = ((item, "") for item in scanned)
    try:
        with _collect_less():
            for item, why in found:
                if isinstance(item, Skip):
                    if not quiet:
                        bar.write(f"skipped: {item}", file=sys.stderr)
                    continue
                sys.stdout.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
                if why:
                    bar.write(f"not recorded: {why}", file=sys.stderr)
    except KeyboardInterrupt:
        bar.close()
        _warn("interrupted")
        sys.exit(130)
    except IndexFormatError as exc:  # a saved wire's story record found corrupt mid-scan
        bar.close()
        _warn(f"error: {exc}")
        sys.exit(EXIT_UNUSABLE)
    bar.close()
    sys.stdout.flush()
    _warn(f"{len(scanner.stories)} stories; {summary.line()}")
    if recorder is not None:
        _warn(f"pickups: {recorder.line()}")
    # 1 only when something that should have been read could not be: non-HTML records and
    # pages over the budget are counted above, not failures
    if summary.failures or (recorder is not None and recorder.failed):
        sys.exit(EXIT_SKIPPED)


def _scanner(
    index_path: Path | None,
    stories_path: Path | None,
    terms_path: Path | None,
    summary: Summary | None = None,
    quiet: bool = True,
) -> Scanner:
    """The scanner `scan` and `explain` were asked for: a saved wire (--index), ninjs
    lines with terms (--stories, --terms; the stories and terms skipped counted in
    ``summary`` and named unless ``quiet``), or the wire's own (the database). Exits with
    a plain error when none is usable."""
    from ..engine import ScanConfig, Scanner, read_stories
    from ..engine.errors import IndexFormatError, TermsError
    from ..engine.terms import load_terms
    from ..engine.types import Skip, Story

    if index_path is not None and (stories_path or terms_path):
        _warn("error: give --index, or --stories and --terms, not both")
        sys.exit(EXIT_UNUSABLE)
    if (stories_path is None) != (terms_path is None):
        _warn("error: give both --stories and --terms, or neither (the wire's own, recorded)")
        sys.exit(EXIT_UNUSABLE)
    if index_path is not None:
        try:
            return Scanner.saved(index_path, ScanConfig())
        except IndexFormatError as exc:
            _warn(f"error: {exc}")
            sys.exit(EXIT_UNUSABLE)
    if stories_path is None or terms_path is None:
        _django()
        _migrate()
        from ..pickups import wirescan

        scanner = wirescan.scanner()  # the worker's saved wire, opened and brought up to date
        if not scanner.stories:
            _warn("error: the wire has no published story to look for")
            sys.exit(EXIT_UNUSABLE)
        return scanner
    try:
        terms, problems = load_terms(terms_path)
    except TermsError as exc:
        _warn(f"error: {exc}")
        sys.exit(EXIT_UNUSABLE)
    stories: list[Story] = []
    for problem in problems:
        _warn(f"terms: {problem}")
        if summary is not None:
            summary.skipped[problem.reason] += 1
    for story in read_stories(stories_path, terms):
        if isinstance(story, Skip):
            if summary is not None:
                summary.skipped[story.reason] += 1
            if not quiet:
                _warn(f"skipped story: {story}")
        else:
            stories.append(story)
    if not stories:
        _warn(f"error: {stories_path}: no usable story")
        sys.exit(EXIT_UNUSABLE)
    return Scanner(stories, terms, ScanConfig())


@cli.group()
def index() -> None:
    """A saved wire: the story index and the stories in one file, for scans and Spark."""


@index.command("build")
@click.option(
    "--stories",
    "stories_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="IPTC ninjs 2.2 JSON lines. Without --stories and --terms: the database's wire.",
)
@click.option(
    "--terms", "terms_path", type=click.Path(dir_okay=False, path_type=Path), help="terms.json"
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced only once the new one is complete).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not list skipped stories on stderr.")
def index_build(
    stories_path: Path | None, terms_path: Path | None, output: Path, quiet: bool
) -> None:
    """Write the wire's stories and their index to one file: `newswire scan --index FILE`
    and `newswire spark --index FILE` open it at once, whatever the size of the wire."""
    import time
    from collections import Counter

    from tqdm import tqdm

    from ..engine import read_stories
    from ..engine.errors import TermsError
    from ..engine.saved import write_wire
    from ..engine.terms import load_terms
    from ..engine.types import Skip, Story

    if (stories_path is None) != (terms_path is None):
        _warn("error: give both --stories and --terms, or neither (the database's wire)")
        sys.exit(EXIT_UNUSABLE)
    skipped: Counter[str] = Counter()
    if stories_path is None or terms_path is None:
        _django()
        _migrate()
        from ..pickups import wirescan

        built = wirescan.scanner(from_saved=False)  # (from the rows: its stories in memory)
        terms = built.terms
        source: Iterator[Story | Skip] = iter(built.stories.values())
    else:
        try:
            terms, problems = load_terms(terms_path)
        except TermsError as exc:
            _warn(f"error: {exc}")
            sys.exit(EXIT_UNUSABLE)
        for problem in problems:
            _warn(f"terms: {problem}")
        source = read_stories(stories_path, terms)
    bar = tqdm(unit=" stories", desc="index", file=sys.stderr, disable=not sys.stderr.isatty())

    def usable() -> Iterator[Story]:
        for item in source:
            bar.update(1)
            if isinstance(item, Skip):
                skipped[item.reason] += 1
                if not quiet:
                    bar.write(f"skipped story: {item}", file=sys.stderr)
                continue
            yield item

    started = time.perf_counter()
    try:
        written = write_wire(output, terms, usable())
    except OSError as exc:
        bar.close()
        _warn(f"error: cannot write {output}: {exc.strerror or exc}")
        sys.exit(EXIT_UNUSABLE)
    bar.close()
    if not written.stories:
        output.unlink(missing_ok=True)
        _warn("error: no usable story to index")
        sys.exit(EXIT_UNUSABLE)
    skips = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())) or "none"
    seconds = time.perf_counter() - started
    _warn(f"wrote {output}: {written.stories} stories, {written.entries} index entries "
          f"({written.dropped} boilerplate dropped), {written.bytes / 1e6:.1f} MB in "
          f"{seconds:.1f} s; skipped {sum(skipped.values())} ({skips})")  # fmt: skip
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _explained_page(target: str) -> Page:
    """The page `newswire explain` was given: a URL, a WARC record FILE@OFFSET, or a file."""
    from ..engine.read import read, read_warc
    from ..engine.types import Page, Skip

    if target.startswith(("http://", "https://")):
        _django()
        from django.conf import settings

        from ..fetch import FetchError, FetchPolicy, SafeClient

        try:  # the safe fetcher: public addresses only, bounded in time and size
            with SafeClient(FetchPolicy.from_settings(settings)) as client:
                got = client.get_html(target)
        except FetchError as exc:
            _warn(f"error: cannot fetch {target}: {exc.reason}: {exc.message}")
            sys.exit(EXIT_SKIPPED)
        return Page(url=got.final_url, body=got.body, charset=got.charset, source=target,
                    robots=got.headers.get("x-robots-tag", "")[:500])  # fmt: skip
    path, at, offset = target.rpartition("@")
    items = (
        read_warc(Path(path), start=int(offset), end=int(offset) + 1)
        if at and offset.isdigit()
        else read([Path(target)])
    )
    for item in items:
        if isinstance(item, Skip):
            _warn(f"error: {item}")
            sys.exit(EXIT_SKIPPED)
        return item
    _warn(f"error: {target}: no page there (a WARC file needs FILE@OFFSET, the offset of a record)")
    sys.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("target", metavar="PAGE")
@click.option("--story", "story", help="Follow this story (its uri) through every stage.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--index", "index_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A saved wire; default: --stories/--terms, else the wire's own.")  # fmt: skip
@click.option("--stories", "stories_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--terms", "terms_path", type=click.Path(dir_okay=False, path_type=Path))
def explain(
    target: str,
    story: str | None,
    as_json: bool,
    index_path: Path | None,
    stories_path: Path | None,
    terms_path: Path | None,
) -> None:
    """Why was a copy (not) found? What each stage of the scan did with PAGE.

    PAGE is an HTML file, a WARC record as FILE@OFFSET (the `where` of a scan result), or a
    URL (fetched through the safe fetcher). Prints the bytes and charsets, the sift's and
    the parse's hits per story, the blocks kept and where the page carries them, each
    candidate's alignment and checks with their evidence, and a verdict.
    """
    from ..engine.explain import explain as explain_page

    scanner = _scanner(index_path, stories_path, terms_path)
    report = explain_page(scanner, _explained_page(target), story)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    _print_explained(report)


def _print_explained(r: dict[str, object]) -> None:
    def hits(stage: dict) -> str:  # type: ignore[type-arg]
        """A lookup's thresholds and its hits per story."""
        found = ", ".join(f"{h['story']} {h['hits']} ({h['share']:.0%})" for h in stage["hits"])
        need = stage["thresholds"]
        return f"(needs {need['hits']} and {need['share']:.0%}): {found or 'none'}"

    charset = r["charset"]
    assert isinstance(charset, dict)
    click.echo(f"page      {r['url']}  {r['where'] or ''}")
    click.echo(f"bytes     {r['bytes']}; charset declared {charset['declared'] or 'none'}, "
               f"read as {charset['used']}")  # fmt: skip
    sift_ = r.get("sift")
    if isinstance(sift_, dict):
        click.echo(f"sift      {sift_['chars']} chars of text without a parse"
                   f"{' (in doubt: parsed anyway)' if sift_['in_doubt'] else ''}; "
                   f"hits per story {hits(sift_)}")  # fmt: skip
    parse_ = r.get("parse")
    if isinstance(parse_, dict):
        data = ", ".join(f"{k} {v} paragraphs" for k, v in parse_["data"].items())
        click.echo(f"parse     {parse_['chars']} chars of visible text"
                   f"{'; as data: ' + data if data else ''}; hits {hits(parse_)}")  # fmt: skip
    blocks = r.get("blocks")
    if isinstance(blocks, dict):
        where = ", ".join(f"{k} {v}" for k, v in blocks["by_origin"].items())
        click.echo(f"blocks    {blocks['kept']} kept ({where}; {blocks['chrome']} in page chrome)"
                   f"{', ' + str(blocks['data']) + ' from data' if blocks['data'] else ''}; "
                   f"{blocks['images']} images, {blocks['links']} links; bylines: "
                   f"{' | '.join(blocks['bylines']) or 'none'}")  # fmt: skip
    followed = r.get("stories") or []
    assert isinstance(followed, list)
    for s in followed:
        e = s["edits"]
        click.echo(f"story     {s['story']}  {s['headline'][:60]!r}")
        click.echo(f"  align   {s['coverage']:.1%} of {s['story_words']} words in "
                   f"{s['passages']} passages (longest {s['longest_passage_words']}), found in "
                   f"{s['found_in']}: {s['kind'] or 'not reported'}; dropped "
                   f"{e['dropped_start']} at the start, {e['dropped_end']} at the end, "
                   f"{e['changed']} changed, {e['inserted']} inserted; paragraphs "
                   f"{e['paragraphs_kept']}/{e['paragraphs_total']}")  # fmt: skip
        for c in s.get("checks", []):
            mark = {True: "pass", False: "FAIL", None: "n/a "}[c["passed"]]
            if c["passed"] is False and not c.get("required", True):
                mark = "adv."  # failed, but the terms do not require it
            click.echo(f"  {mark}    {c['name']}: {(c['evidence'] or '')[:160]}")
    click.echo(f"verdict   {r['verdict']}")
