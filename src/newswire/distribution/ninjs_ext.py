"""The partner profile of ninjs 2.2.

Story objects stay valid against the IPTC ninjs 2.2 schema (partners' tools
validate against it). What ninjs has no field for is carried in fields it
does have, as the profile ``schemas/newswire-ninjs-1.json`` documents; that
profile is named in each object's ``standard.schema``:

- ``ednote``: the correction notes, newest last ("Correction, 2026-11-27: …").
- ``rightsinfo``: ``langid`` names the profile and ``encodedrights`` holds the
  terms as JSON: ``required`` checks, ``allowed_edits``, ``restricted_credits``,
  ``wire``, ``affiliation``, ``logo``, and ``canonical`` (what a copy must tell search
  engines: ``link``, ``noindex`` or ``either``) when the terms ask for it.
- ``altids``: the story's ``slug`` (its id in this API).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse

from ..wire.models import Story, Terms
from ..wire.ninjs import to_ninjs

PROFILE_NAME = "newswire-ninjs-1"


def profile_url() -> str:
    return settings.SITE_URL + reverse("api:profile_schema")


def terms_rights(terms: Terms) -> dict[str, Any]:
    data = terms.to_dict()
    return {
        k: data[k]
        for k in (
            "wire",
            "affiliation",
            "logo",
            "required",
            "allowed_edits",
            "restricted_credits",
            "canonical",
        )
        if k in data
    }


def partner_ninjs(story: Story, terms: Terms) -> dict[str, Any]:
    item = to_ninjs(story, terms, partner=True)
    item["standard"] = {"name": "ninjs", "version": "2.2", "schema": profile_url()}
    item["profile"] = PROFILE_NAME
    item["altids"] = [{"role": "slug", "value": story.slug}]
    corrections = [v for v in story.versions.all() if v.number > 1]
    if corrections:
        item["ednote"] = "\n".join(
            f"Correction, {v.created_at:%Y-%m-%d} (version {v.number}): {v.note}"
            for v in corrections
        )
    item["rightsinfo"] = {"langid": profile_url(), "encodedrights": json.dumps(terms_rights(terms))}
    return item


def canceled_ninjs(story: Story, terms: Terms) -> dict[str, Any]:
    """A withdrawn story as a partner who received it is told of it: ninjs ``pubstatus:
    "canceled"``, the editor's reason in ``ednote``, and in place of the text a line saying
    it was withdrawn (its photos and text are no longer ours to give)."""
    item = partner_ninjs(story, terms)
    reason = story.withdrawn_reason or "The story was withdrawn."
    item["pubstatus"] = "canceled"
    item["ednote"] = f"Withdrawn by {terms.wire}: {reason}"
    item["bodies"] = [{"role": "main", "contenttype": "text/plain",
                       "value": f"This story has been withdrawn. {reason}"}]  # fmt: skip
    for key in ("associations", "renditions", "descriptions"):
        item.pop(key, None)
    if story.withdrawn_at:
        item["versioncreated"] = story.withdrawn_at.isoformat()
    return item
