"""The one fetcher for partners' and strangers' pages: the safe fetcher (public addresses
only, size and time caps), robots.txt obeyed, and each host's turn (:mod:`.turns`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from ..fetch import FetchPolicy, PageFetcher, SafeClient
from ..runtime import this_process
from .turns import wait_turn


def page_fetcher(**limits: Any) -> PageFetcher:
    """The fetcher for checks and feeds; ``limits`` tighten the policy (a web request's
    shorter total time-out)."""
    policy = FetchPolicy.from_settings(settings, **limits)
    # robots.txt as this process last read it, per origin (kept an hour: newswire.runtime):
    # a worker checking a hundred pages of one site reads it once, not a hundred times
    return PageFetcher(SafeClient(policy), throttle=wait_turn, robots=this_process().robots)
