"""``newswire``: the one command for everything a person runs.

Each subcommand parses its arguments, calls one library function and prints.
Engine commands (``scan``) never import Django; web and database commands
import it only when they run.

Exit codes: 0 all done; 1 done, but some input was skipped (the summary says
what and why); 2 the command could not run (bad arguments, unusable terms).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from . import __version__

EXIT_SKIPPED = 1
EXIT_UNUSABLE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newswire")
def cli() -> None:
    """newswire: the wire's stories, its partners, and where its stories went."""


def _warn(message: str) -> None:
    click.echo(message, err=True)


@cli.command()
@click.option(
    "--stories",
    "stories_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The wire's stories: IPTC ninjs 2.2, one JSON object per line.",
)
@click.option(
    "--terms",
    "terms_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The wire's terms (terms.json).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes; WARC files are split between them by byte range.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not list skipped records on stderr.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
def scan(
    stories_path: Path,
    terms_path: Path,
    workers: int,
    progress: bool | None,
    quiet: bool,
    inputs: tuple[Path, ...],
) -> None:
    """Find the wire's stories in WARC files, folders of HTML and HTML files.

    Prints one JSON object per (page, story) match with coverage >= 0.15 on
    stdout; progress, skipped records and a summary go to stderr.
    """
    from tqdm import tqdm

    from .engine import ScanConfig, Scanner, Summary, read_stories, scan_inputs
    from .engine.errors import TermsError
    from .engine.terms import load_terms
    from .engine.types import Skip, Story

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    try:
        terms, problems = load_terms(terms_path)
    except TermsError as exc:
        _warn(f"error: {exc}")
        sys.exit(EXIT_UNUSABLE)
    summary = Summary()
    for problem in problems:
        _warn(f"terms: {problem}")
        summary.skipped[problem.reason] += 1
    stories: list[Story] = []
    for story in read_stories(stories_path, terms):
        if isinstance(story, Skip):
            summary.skipped[story.reason] += 1
            if not quiet:
                _warn(f"skipped story: {story}")
        else:
            stories.append(story)
    if not stories:
        _warn(f"error: {stories_path}: no usable story")
        sys.exit(EXIT_UNUSABLE)
    scanner = Scanner(stories, terms, ScanConfig())
    total = sum(p.stat().st_size for p in inputs if p.is_file())
    total += sum(
        f.stat().st_size for p in inputs if p.is_dir() for f in p.rglob("*") if f.is_file()
    )
    bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc="scan",
        file=sys.stderr,
        disable=(not sys.stderr.isatty()) if progress is None else not progress,
    )
    out = sys.stdout

    def advance(done: int) -> None:
        bar.update(done)

    try:
        for item in scan_inputs(
            scanner, inputs, workers=workers, summary=summary, progress=advance
        ):
            if isinstance(item, Skip):
                if not quiet:
                    bar.write(f"skipped: {item}", file=sys.stderr)
                continue
            out.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
    except KeyboardInterrupt:
        bar.close()
        _warn("interrupted")
        sys.exit(130)
    bar.close()
    out.flush()
    _warn(f"{len(stories)} stories; {summary.line()}")
    if summary.skipped_total:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("var/demo-results.jsonl"),
    show_default=True,
    help="Where to write the scan's JSON lines.",
)
def demo(out: Path) -> None:
    """Scan the sample crawl that ships with newswire and show what was found."""
    from importlib import resources

    from .engine import Scanner, Summary, load_terms, read_stories, scan_inputs
    from .engine.types import Match, Skip, Story

    data = resources.files("newswire") / "demo"
    with resources.as_file(data) as folder:
        terms, _ = load_terms(folder / "terms.json")
        stories = [s for s in read_stories(folder / "stories.jsonl", terms) if isinstance(s, Story)]
        headlines = {s.uri: s.headline for s in stories}
        summary = Summary()
        matches: list[Match] = []
        for item in scan_inputs(
            Scanner(stories, terms), [folder / "pages.warc.gz"], summary=summary
        ):
            if isinstance(item, Match):
                matches.append(item)
            elif isinstance(item, Skip):
                _warn(f"skipped: {item}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as fh:
        for m in matches:
            fh.write(json.dumps(m.to_json(), ensure_ascii=False) + "\n")
    click.echo(f"newswire demo: {terms.wire}, {len(stories)} stories, one sample crawl\n")
    for m in sorted(matches, key=lambda m: (-m.coverage, m.url)):
        failed = [c.name for c in m.checks if c.passed is False and c.name in terms.required]
        verdict = "compliant" if m.compliant else "NOT compliant: " + ", ".join(failed)
        click.echo(f"{m.kind:8} {m.coverage:6.1%}  {verdict}")
        click.echo(f"         {headlines.get(m.story, m.story)[:70]}")
        click.echo(f"         {m.url[:100]}")
    click.echo(f"\n{summary.line()}")
    click.echo(f"results with evidence: {out}")


def main() -> None:
    """Entry point of the ``newswire`` console script."""
    cli(prog_name="newswire")


if __name__ == "__main__":  # pragma: no cover
    main()
