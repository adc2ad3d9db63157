"""Stage 4 — index: which stories may this page contain?

:class:`StoryIndex` maps sampled shingle hashes to story ids. It is a sorted
numpy array of hashes beside an array of story numbers, bucketed by the
hashes' top bits, so that each of a page's m hashes costs a bucket lookup and
one comparison with each entry of a small bucket: O(m), flat from a thousand stories to a
million (benchmarks/index_scale.py prints the figures).

Hashes that occur in many stories are the wire's boilerplate (the terms
footer, "RELATED:" lines, sign-offs); like passim's document-frequency ceiling
they are dropped when the index is built, so that they cannot make a page
match a story.

API after datasketch's ``MinHashLSH``: :meth:`add` (``insert``), :meth:`query`,
:meth:`remove`, ``in``, ``len``; plus :meth:`save` / :meth:`load`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .errors import IndexFormatError
from .fingerprint import COMPILED
from .types import Candidate, Signature

FORMAT_VERSION = 1
#: buckets wider than this (a hash kept in very many stories) are binary-searched
_PROBE = 64


class UriLookup(Protocol):
    """Story number → uri (a list, or a saved wire's records read on demand)."""

    def __getitem__(self, sid: int, /) -> str: ...

    def __len__(self) -> int: ...


class StoryIndex:
    """An index of the wire's stories by sampled shingle hash.

    Args:
        max_df_share: a hash found in more than this share of the stories
            (and in more than ``min_df_ceiling`` stories) is boilerplate.
        min_df_ceiling: the least document frequency that can be dropped, so
            that a small wire's two near-identical stories still index.
    """

    def __init__(
        self, *, max_df_share: float = 0.01, min_df_ceiling: int = 2, counted_with: int = 0
    ) -> None:
        self.max_df_share = max_df_share
        self.min_df_ceiling = min_df_ceiling
        # stories of another index this one is layered over (:class:`LayeredIndex`), counted
        # in the boilerplate ceiling as if the two were one index
        self.counted_with = counted_with
        self._uris: list[str] = []
        self._ids: dict[str, int] = {}
        self._sizes: list[int] = []
        self._removed: set[int] = set()
        self._pending: list[tuple[int, npt.NDArray[np.uint64]]] = []
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._owners = np.zeros(0, dtype=np.int32)
        self._sizes_arr = np.zeros(0, dtype=np.int32)
        self._bucket_shift = 64
        self._bucket_starts = np.zeros(2, dtype=np.uint32)
        self.dropped = 0  # boilerplate entries dropped at the last build
        # the hashes dropped as boilerplate (sorted, unique), and those dropped in an index
        # this one is layered over, dropped here too
        self.common = np.zeros(0, dtype=np.uint64)
        self.common_below = np.zeros(0, dtype=np.uint64)
        self._count: int | None = None  # stories, for an index made by from_arrays

    # --- building ------------------------------------------------------------

    def add(self, uri: str, sig: Signature) -> None:
        """Add a story's signature (replacing any earlier one under the same uri)."""
        if uri in self._ids:
            self._removed.add(self._ids[uri])
        sid = len(self._uris)
        self._uris.append(uri)
        self._ids[uri] = sid
        self._sizes.append(len(sig))
        self._pending.append((sid, sig.hashes))

    def add_many(self, uris: list[str], hashes: list[npt.NDArray[np.uint64]]) -> None:
        """Add many stories at once (what a bulk load or a benchmark uses)."""
        for uri, h in zip(uris, hashes, strict=True):
            self.add(uri, Signature(h))

    def remove(self, uri: str) -> None:
        sid = self._ids.pop(uri, None)
        if sid is None:
            raise KeyError(uri)
        self._removed.add(sid)

    def __contains__(self, uri: object) -> bool:
        return uri in self._ids

    def __len__(self) -> int:
        return len(self._ids) if self._count is None else self._count

    @classmethod
    def from_arrays(
        cls,
        *,
        hashes: npt.NDArray[np.uint64],
        owners: npt.NDArray[np.int32],
        sizes: npt.NDArray[np.int32],
        bucket_starts: npt.NDArray[Any],
        bucket_shift: int,
        uris: UriLookup,
        max_df_share: float,
        min_df_ceiling: int,
        common: npt.NDArray[np.uint64] | None = None,
    ) -> StoryIndex:
        """A built index over arrays made elsewhere (a saved wire's, mapped from its file):
        for queries only. ``uris`` may be lazy: it is asked only for candidates' uris."""
        index = cls(max_df_share=max_df_share, min_df_ceiling=min_df_ceiling)
        index._hashes, index._owners, index._sizes_arr = hashes, owners, sizes
        index._bucket_starts, index._bucket_shift = bucket_starts, bucket_shift
        index._uris = uris  # type: ignore[assignment]
        index._count = int(sizes.shape[0])
        if common is not None:
            index.common = common
        return index

    def build(self) -> None:
        """Merge pending stories into the sorted arrays and drop boilerplate hashes."""
        if not self._pending and not self._removed:
            return
        parts_h = [self._hashes] + [h for _, h in self._pending]
        parts_o = [self._owners] + [
            np.full(h.shape[0], sid, dtype=np.int32) for sid, h in self._pending
        ]
        hashes = np.concatenate(parts_h).astype(np.uint64, copy=False)
        owners = np.concatenate(parts_o)
        if self._removed:
            keep = ~np.isin(owners, np.fromiter(self._removed, dtype=np.int32))
            hashes, owners = hashes[keep], owners[keep]
        order = np.argsort(hashes, kind="stable")
        hashes, owners = hashes[order], owners[order]
        # document frequency of each hash; drop the boilerplate
        if hashes.shape[0]:
            stories = len(self) + self.counted_with
            ceiling = max(self.min_df_ceiling, math.floor(self.max_df_share * stories))
            starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1])))
            counts = np.diff(np.append(starts, hashes.shape[0]))
            common = np.repeat(counts > ceiling, counts)
            self.common = np.union1d(hashes[starts[counts > ceiling]], self.common)
            if self.common_below.shape[0]:
                common |= np.isin(hashes, self.common_below)
            self.dropped = int(common.sum())
            hashes, owners = hashes[~common], owners[~common]
        self._hashes, self._owners = hashes, owners
        self._sizes_arr = np.asarray(self._sizes, dtype=np.int32)
        self._pending = []
        self._make_buckets()

    def _make_buckets(self, spare_bits: int = 1) -> None:
        """Index the sorted hashes by their top bits, so a lookup touches one small range.

        A plain ``searchsorted`` over N entries takes log2(N) dependent reads,
        most of them cache misses once N is large; that made lookups 5x slower
        at 1M stories than at 1k. With 2^b buckets (about one per 2 entries,
        hashes being uniform) a lookup reads the bucket's bounds and then the
        few entries of one bucket, which share a cache line or two, whatever N
        is. One bucket per 4 entries saves 130 bytes a story but made the 1M
        lookup 1.8x the 1k one (1.65x here; benchmarks/index_scale.py).
        """
        n = int(self._hashes.shape[0])
        bits = max(4, min(30, math.ceil(math.log2(max(n, 1))) - spare_bits))
        self._bucket_shift = 64 - bits
        top = (self._hashes >> np.uint64(self._bucket_shift)).astype(np.int64)
        counts = np.bincount(top, minlength=1 << bits)
        starts = np.zeros((1 << bits) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        dtype = np.uint32 if n < 2**32 else np.int64
        self._bucket_starts = starts.astype(dtype)

    def _positions(self, q: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
        """Return the positions of every entry equal to one of the hashes ``q`` (vectorised).

        Each hash is compared with every entry of its bucket at once (a
        len(q) x widest-bucket matrix, a few entries wide), which costs a dozen
        numpy calls whatever the index size; a binary search within buckets
        took four times as many. A bucket wider than ``_PROBE`` (a hash kept in
        very many stories) is searched with ``searchsorted`` instead.
        """
        hashes = self._hashes
        bucket = (q >> np.uint64(self._bucket_shift)).astype(np.intp)
        start = self._bucket_starts[bucket].astype(np.intp)
        count = self._bucket_starts[bucket + 1].astype(np.intp) - start
        wide = count > _PROBE
        if wide.any():
            qw = q[wide]
            lo = np.searchsorted(hashes, qw, side="left")
            hi = np.searchsorted(hashes, qw, side="right")
            far = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)])
            count = np.where(wide, 0, count)
        else:
            far = np.zeros(0, dtype=np.intp)
        width = int(count.max())
        if width == 0:
            return far.astype(np.intp)
        cols = np.arange(width)
        idx = start[:, None] + cols
        np.minimum(idx, hashes.shape[0] - 1, out=idx)
        equal = hashes[idx] == q[:, None]
        equal &= cols < count[:, None]
        near: npt.NDArray[np.intp] = idx[equal]
        return np.concatenate((near, far)).astype(np.intp) if far.shape[0] else near

    # --- querying ------------------------------------------------------------

    def query(
        self, sig: Signature, *, min_hits: int = 3, min_share: float = 0.04
    ) -> list[Candidate]:
        """Return the stories that share enough sampled shingles with ``sig``, best first."""
        if self._pending:
            self.build()
        q = sig.hashes
        if not q.shape[0] or not self._hashes.shape[0]:
            return []
        rows = (
            self._hits(q, min_hits, min_share)
            if COMPILED is None
            else COMPILED.lookup(
                np.ascontiguousarray(q, dtype=np.uint64),
                self._hashes,
                self._owners,
                self._sizes_arr,
                self._bucket_starts,
                self._bucket_starts.dtype.itemsize,
                self._bucket_shift,
                _PROBE,
                min_hits,
                min_share,
            )
        )
        out = [Candidate(self._uris[o], h, s) for o, h, s in rows if o not in self._removed]
        out.sort(key=lambda c: (-c.hits, c.story))
        return out

    def _hits(
        self, q: npt.NDArray[np.uint64], min_hits: int, min_share: float
    ) -> list[tuple[int, int, float]]:
        """(story number, hits, share) for each story that shares enough with the page's
        hashes ``q``, in story-number order: with numpy (the compiled ``lookup`` in
        ``_sift.c`` gives the same, and is what a scan uses when it is built)."""
        positions = self._positions(q)
        if not positions.shape[0]:
            return []
        # hits per story: sort the owners and count each run (np.unique's own
        # overhead is most of the cost at this size)
        owners = self._owners[positions]
        owners.sort()
        edges = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1], [True])))
        owners, hits = owners[edges[:-1]], np.diff(edges)
        sizes = np.maximum(self._sizes_arr[owners], 1)
        share = hits / sizes
        good = (hits >= min_hits) & (share >= min_share)
        return [
            (int(o), int(h), float(s))
            for o, h, s in zip(owners[good], hits[good], share[good], strict=True)
        ]

    # --- persistence ---------------------------------------------------------

    def nbytes(self) -> int:
        """Return the memory held by the index arrays."""
        return int(
            self._hashes.nbytes
            + self._owners.nbytes
            + self._sizes_arr.nbytes
            + self._bucket_starts.nbytes
        )

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (a ``.npz`` file; no pickles)."""
        self.build()
        meta = {
            "format": FORMAT_VERSION,
            "max_df_share": self.max_df_share,
            "min_df_ceiling": self.min_df_ceiling,
            "uris": self._uris,
            "removed": sorted(self._removed),
        }
        with open(path, "wb") as fh:
            np.savez(
                fh,
                hashes=self._hashes,
                owners=self._owners,
                sizes=self._sizes_arr,
                meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            )

    @classmethod
    def load(cls, path: str | Path) -> StoryIndex:
        """Read an index written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode())
                if meta.get("format") != FORMAT_VERSION:
                    raise IndexFormatError(
                        f"{path}: index format {meta.get('format')!r}, expected {FORMAT_VERSION}"
                    )
                index = cls(
                    max_df_share=float(meta["max_df_share"]),
                    min_df_ceiling=int(meta["min_df_ceiling"]),
                )
                index._hashes = data["hashes"].astype(np.uint64)
                index._owners = data["owners"].astype(np.int32)
                index._sizes_arr = data["sizes"].astype(np.int32)
        except (OSError, KeyError, ValueError) as exc:
            raise IndexFormatError(f"{path}: not a story index ({exc})") from exc
        index._make_buckets()
        index._uris = list(meta["uris"])
        index._removed = set(meta["removed"])
        index._ids = {u: i for i, u in enumerate(index._uris) if i not in index._removed}
        index._sizes = index._sizes_arr.tolist()
        return index


class LayeredIndex:
    """A saved wire's index, which is read-only (mapped from its file, shared by every
    process that opens it), with the stories changed since it was written in a small
    index of their own on top: what lets a process open the saved wire and follow the wire's
    changes from there instead of building the whole index itself.

    A story added or replaced goes into the top index and hides the saved one of the same
    uri; a story removed hides it. A query asks both and leaves out the hidden stories'
    hits from the saved index, so it finds what a query of one index rebuilt from all the
    stories would find, with one difference: a hash the saved index dropped as boilerplate
    is still in a changed story's entries (the top index drops only what is common among
    its own stories, with the same ceiling as the whole wire's), so a changed story can be
    a candidate on more pages than it would be in a rebuilt index, never on fewer. A
    candidate is only that: the alignment decides whether a page holds the story.
    """

    def __init__(self, base: StoryIndex) -> None:
        self.base = base
        self.top = StoryIndex(
            max_df_share=base.max_df_share,
            min_df_ceiling=base.min_df_ceiling,
            counted_with=len(base),
        )
        self.top.common_below = base.common
        self.hidden: set[str] = set()  # uris whose entries in ``base`` are out of date

    @property
    def max_df_share(self) -> float:
        return self.base.max_df_share

    @property
    def min_df_ceiling(self) -> int:
        return self.base.min_df_ceiling

    def add(self, uri: str, sig: Signature) -> None:
        self.hidden.add(uri)
        self.top.add(uri, sig)

    def remove(self, uri: str) -> None:
        self.hidden.add(uri)
        if uri in self.top:
            self.top.remove(uri)

    def build(self) -> None:
        self.top.build()

    def query(
        self, sig: Signature, *, min_hits: int = 3, min_share: float = 0.04
    ) -> list[Candidate]:
        """The candidates of both indexes, the saved index's hidden stories left out."""
        below = self.base.query(sig, min_hits=min_hits, min_share=min_share)
        if self.hidden:
            below = [c for c in below if c.story not in self.hidden]
        out = below + self.top.query(sig, min_hits=min_hits, min_share=min_share)
        out.sort(key=lambda c: (-c.hits, c.story))
        return out

    def nbytes(self) -> int:
        return self.base.nbytes() + self.top.nbytes()
