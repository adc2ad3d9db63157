"""Every threshold of a scan in one explicit object, each with where it came from."""

from __future__ import annotations

from dataclasses import dataclass

from .decoding import MAX_DEPTH
from .read import DEFAULT_MAX_BYTES


@dataclass(frozen=True, slots=True)
class ScanConfig:
    # Fingerprint: 32-byte windows at word starts (about five words), one in
    # eight kept. ENGINE-NOTES measured this shape at ~2x a per-token loop; on
    # the dev corpus every true copy and excerpt keeps 10+ samples (the
    # shortest excerpt, ~120 words, ~14 samples).
    window: int = 32
    sample: int = 8
    # Candidates: a story needs 3 shared samples and 4% of its samples. An
    # excerpt at the 0.15 reporting floor shares ~15% of them, so 4% leaves a
    # wide margin while a page sharing one boilerplate sentence stays out.
    min_hits: int = 3
    min_share: float = 0.04
    # The sift asks less, of text read without a parse (extract.sift): 2
    # samples and 2% of a story. On the dev corpus the sifted text keeps 99% of
    # a page's samples on average (95% at the 5th percentile), so a page that
    # passes the parsed test passes this one with a wide margin.
    sift_hits: int = 2
    sift_share: float = 0.02
    # Reporting, as the scan contract defines it.
    report_coverage: float = 0.15
    pickup_coverage: float = 0.5
    # Budgets per hostile page.
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = MAX_DEPTH
    # Index: a hash in more than 1% of stories (and more than 2) is boilerplate.
    max_df_share: float = 0.01
    min_df_ceiling: int = 2

    def kind(self, coverage: float) -> str | None:
        """Return ``pickup``, ``excerpt`` or None (not reported) for a coverage."""
        if coverage >= self.pickup_coverage:
            return "pickup"
        if coverage >= self.report_coverage:
            return "excerpt"
        return None
