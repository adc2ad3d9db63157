"""Score ``newswire scan`` against a labelled corpus.

The corpus folder holds stories.jsonl, terms.json, *.warc.gz and truth.jsonl.

    python benchmarks/accuracy.py ../shared/corpus/dev [--results results.jsonl] [--errors]

Runs the real command (unless ``--results`` gives its output), then prints
pickup precision and recall, the accuracy of each check on true pickups, and
the mean absolute coverage error, with the targets beside them. Scoring follows
the corpus README: a reported ``pickup`` for a (page, story) whose true
coverage is >= 0.5 is a true positive, below 0.1 a false positive, in between
not counted; checks are scored on true positives.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

CHECKS = ("logo", "byline", "affiliation", "link", "restricted_media", "unedited")
TARGETS = {"precision": 0.99, "recall": 0.98, "check": 0.98, "coverage_mae": 0.05}


def run_scan(corpus: Path, workers: int) -> list[dict]:
    warcs = sorted(str(p) for p in corpus.glob("*.warc*"))
    cmd = [
        sys.executable, "-m", "newswire", "scan",
        "--stories", str(corpus / "stories.jsonl"),
        "--terms", str(corpus / "terms.json"),
        "--workers", str(workers), "--no-progress", "--quiet", *warcs,
    ]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    print(f"$ newswire scan … ({time.perf_counter() - started:.1f} s, exit {proc.returncode})")
    print("  " + proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "")
    if proc.returncode not in (0, 1):
        sys.exit(f"scan failed:\n{proc.stderr}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def score(truth_path: Path, results: list[dict], show_errors: bool) -> dict[str, float]:
    truth: dict[tuple[str, str], dict] = {}
    kinds: dict[str, str] = {}
    for line in truth_path.open():
        page = json.loads(line)
        kinds[page["url"]] = page["kind"]
        for s in page["stories"]:
            truth[(page["url"], s["story"])] = s
    reported = {(r["url"], r["story"]): r for r in results}
    tp = fp = 0
    check_right: Counter[str] = Counter()
    errors: list[str] = []
    cov_err: list[float] = []
    for key, r in reported.items():
        t = truth.get(key)
        true_cov = t["coverage"] if t else 0.0
        cov_err.append(abs(r["coverage"] - true_cov))
        if abs(r["coverage"] - true_cov) > 0.05 and show_errors:
            errors.append(
                f"coverage {r['coverage']:.3f} vs {true_cov:.3f}  {kinds.get(key[0])} {key}"
            )
        if r["kind"] != "pickup":
            continue
        if true_cov >= 0.5:
            tp += 1
            for c in CHECKS:
                if r["checks"].get(c) == t["checks"][c]:
                    check_right[c] += 1
                elif show_errors:
                    errors.append(
                        f"{c}: got {r['checks'].get(c)} want {t['checks'][c]}  {kinds.get(key[0])} "
                        f"{key[0]}\n      evidence: {str(r['evidence'].get(c))[:300]}"
                    )
        elif true_cov < 0.1:
            fp += 1
            if show_errors:
                errors.append(f"false positive {r['coverage']:.3f} {kinds.get(key[0])} {key}")
    positives = [k for k, t in truth.items() if t["coverage"] >= 0.5]
    missed = [k for k in positives if reported.get(k, {}).get("kind") != "pickup"]
    if show_errors:
        errors += [f"missed {truth[k]['coverage']} {kinds.get(k[0])} {k}" for k in missed]
        for k, t in truth.items():
            if 0.15 <= t["coverage"] < 0.5 and k not in reported:
                errors.append(f"missed excerpt {t['coverage']} {kinds.get(k[0])} {k}")
    figures = {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": (len(positives) - len(missed)) / len(positives) if positives else 0.0,
        "coverage_mae": sum(cov_err) / len(cov_err) if cov_err else 0.0,
    }
    for c in CHECKS:
        figures[f"check_{c}"] = check_right[c] / tp if tp else 0.0
    print(f"pickups: {tp} true, {fp} false, {len(missed)} missed of {len(positives)}")
    for name, value in figures.items():
        target = TARGETS["check"] if name.startswith("check_") else TARGETS[name]
        ok = value <= target if name == "coverage_mae" else value >= target
        sign = "<=" if name == "coverage_mae" else ">="
        print(
            f"  {name:<24} {value:.4f}   target {sign} {target}  {'ok' if ok else 'BELOW TARGET'}"
        )
    for e in errors:
        print("  -", e)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--results", type=Path, help="score this scan output instead of running")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--errors", action="store_true", help="list every error")
    args = parser.parse_args()
    if args.results:
        results = [json.loads(x) for x in args.results.open() if x.strip()]
    else:
        results = run_scan(args.corpus, args.workers)
    score(args.corpus / "truth.jsonl", results, args.errors)


if __name__ == "__main__":
    main()
