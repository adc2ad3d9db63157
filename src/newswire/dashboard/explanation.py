"""Why a copy is judged so, in sentences: one explanation, the same on the copy page and on
"why?" (the checks by what they ask, not their code names; evidence in words, never the
page's markup; the correction check with the others; and the time the page was last
*read*, not a later check that could not reach it)."""

from __future__ import annotations

from typing import Any

from ..pickups.models import Pickup, PickupCheck, Status
from ..wire.models import Terms
from .notices import what_is_wrong

#: each check by what it asks of a copy
TITLES = {
    "logo": "Our logo",
    "byline": "The reporter's byline",
    "affiliation": "The wire in the byline",
    "link": "A link to the story",
    "restricted_media": "Photos we may not pass on",
    "unedited": "The text as we wrote it",
    "canonical": "What it tells search engines",
    "correction": "Our corrections",
}
#: what a passed check found, in a sentence
PASSED = {
    "logo": "Our logo is on the page.",
    "byline": "The reporter is credited as the author.",
    "affiliation": "The byline names the wire.",
    "link": "It links to the story on our site.",
    "restricted_media": "It shows no photo we may not pass on.",
    "unedited": "The text is ours (with only the edits our terms allow).",
    "canonical": "It tells search engines what our terms ask.",
}


def explanation(pickup: Pickup, terms: Terms) -> dict[str, Any]:
    """The copy's checks, in sentences: ``read_at`` (when the page was last read),
    ``unread`` (the last check, when it could not read the page), ``lines`` (title, state:
    ok, bad, advisory or unchecked, and the sentence), and ``verdict``."""
    required = set(terms.required or [])
    last_read = (PickupCheck.objects.filter(pickup=pickup, status=Status.OK)
                 .order_by("-at", "-id").first())  # fmt: skip
    last = PickupCheck.objects.filter(pickup=pickup).order_by("-at", "-id").first()
    lines = []
    for name, passed in (pickup.checks or {}).items():
        if passed is None:
            state, sentence = "unchecked", "Not checked: the terms lack what it needs."
        elif passed:
            state, sentence = "ok", PASSED.get(name, "Passed.")
        else:
            state = "bad" if name in required else "advisory"
            sentence = what_is_wrong(name, pickup, terms)
            if state == "advisory":
                sentence += " Our terms do not require it: it is not held against the copy."
        lines.append({"name": name, "title": TITLES.get(name, name), "state": state,
                      "sentence": sentence})  # fmt: skip
    correction = (pickup.evidence or {}).get("correction")
    if correction:
        lines.append({"name": "correction", "title": TITLES["correction"], "state": "bad",
                      "sentence": f"It {correction}."})  # fmt: skip
    elif pickup.story.version > 1 and pickup.version is not None:
        lines.append({"name": "correction", "title": TITLES["correction"], "state": "ok",
                      "sentence": f"It carries version {pickup.version.number} of "
                                  f"{pickup.story.version}: every correction it "
                                  "reaches."})  # fmt: skip
    failed = [x["title"].lower() for x in lines if x["state"] == "bad"]
    verdict = ("It carries everything our terms ask for." if not failed
               else f"It misses what our terms ask for: {', '.join(failed)}.")  # fmt: skip
    return {
        "read_at": last_read.at if last_read else pickup.first_seen,
        "unread": last if last is not None and last.status != Status.OK else None,
        "lines": lines,
        "verdict": verdict,
    }
