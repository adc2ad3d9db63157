"""Pickups are recorded once per (story, page), with a history of every check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswire.partners.models import PartnerDomain
from newswire.pickups.ingest import ingest
from newswire.pickups.models import Pickup, PickupCheck, Site
from newswire.pickups.record import BadResult, record_result


def result(story, url="https://www.blog.example/2026/council/?utm_source=x", **kw) -> dict:
    checks = {"logo": True, "byline": True, "affiliation": False, "restricted_media": True}
    base = {
        "url": url, "story": story.uri, "kind": "pickup", "coverage": 0.93,
        "checks": checks, "compliant": False, "canonical": False,
        "evidence": {"affiliation": "byline without the wire: By Grace Nakamura"},
        "edits": {"dropped_end": 0}, "source": "crawl.warc.gz", "where": "offset 10",
    }  # fmt: skip
    base.update(kw)
    return base


def test_one_pickup_per_page_with_a_history(make_story):
    story = make_story()
    first = record_result(result(story), "warc_scan")
    assert first.created and first.changes == ["found"]
    same_page = "http://blog.example/2026/council"  # scheme, www., slash, tracking: same page
    fixed = dict(result(story, url=same_page), compliant=True,
                 checks={**result(story)["checks"], "affiliation": True})  # fmt: skip
    second = record_result(fixed, "recheck")
    assert not second.created and second.pickup.pk == first.pickup.pk
    assert second.changes == ["fixed", "affiliation fixed"]
    pickup = Pickup.objects.get()
    assert pickup.compliant and pickup.url == "https://www.blog.example/2026/council/?utm_source=x"
    assert list(pickup.history.values_list("via", flat=True)) == ["recheck", "warc_scan"]
    assert pickup.version is not None and pickup.version.number == story.version


def test_partner_sites_and_unauthorised_copies(make_story, partner):
    story = make_story()
    PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    ours = record_result(result(story, url="https://news.localdaily.example/a"), "warc_scan")
    theirs = record_result(result(story, url="https://copycat.example/a"), "warc_scan")
    assert ours.pickup.partner == partner and not ours.pickup.unauthorised
    assert theirs.pickup.partner is None and theirs.pickup.unauthorised
    assert set(Pickup.objects.unauthorised()) == {theirs.pickup}
    partner.suspend(by=None, reason="dropped the byline")
    assert set(Pickup.objects.unauthorised()) == {ours.pickup, theirs.pickup}
    assert Site.objects.get(host="news.localdaily.example").partner == partner


@pytest.mark.parametrize(
    "bad, why",
    [({"url": "x"}, "not a scan result"), ({"story": "urn:elsewhere"}, "not on this wire"),
     ({"url": "mailto:someone@example.org"}, "not a web page")],
)  # fmt: skip
def test_unusable_results_are_refused(make_story, bad, why):
    story = make_story()
    data = {**result(story), **bad}
    if "not a scan result" in why:
        data = bad
    with pytest.raises(BadResult, match=why):
        record_result(data, "warc_scan")


def test_ingest_twice_records_nothing_twice_and_names_bad_lines(make_story, tmp_path: Path):
    story = make_story()
    lines = [json.dumps(result(story, url=f"https://site{n}.example/p", where=f"offset {n}"))
             for n in range(5)]  # fmt: skip
    lines[2] = "{not json"
    lines.append(json.dumps({**result(story), "story": "urn:unknown"}))
    path = tmp_path / "results.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"url": "\xff"}\n'
                     + b"[" * 100_000 + b"]" * 100_000 + b"\n")  # fmt: skip
    first = ingest(path)
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    assert [s.split(": ", 1)[0].rsplit(":", 1)[1] for s in first.skipped] == ["3", "6", "7", "8"]
    assert "nested too deeply" in first.skipped[-1]
    assert set(first.reasons) == {"not_json", "bad_result", "not_utf8"}
    second = ingest(path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert Pickup.objects.count() == 4 and PickupCheck.objects.count() == 4


def test_a_partner_domain_added_later_claims_the_copies_already_found(make_story, partner):
    story = make_story()
    found = record_result(result(story, url="https://www.later.example/a"), "warc_scan")
    assert found.pickup.unauthorised
    PartnerDomain.objects.create(partner=partner, domain="later.example")
    pickup = Pickup.objects.get()
    assert pickup.partner == partner and not pickup.unauthorised
    assert Site.objects.get(host="later.example").partner == partner


def test_ill_typed_results_are_named_by_line_and_field_and_the_rest_recorded(make_story, tmp_path):
    story = make_story()
    good = result(story, url="https://fine.example/p")
    lines = [
        {**result(story, url="https://a.example/p"), "checks": {"logo": "yes"}},
        {**result(story, url="https://b.example/p"), "coverage": "0.9"},
        {**result(story, url="https://c.example/p"), "copy": {"headline": "H", "text": "one"}},
        {**result(story, url="https://d.example/p"), "url": ["https://d.example/p"]},
        good,
    ]
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"coverage": NaN}\n')
    report = ingest(path)
    assert report.created == 1 and Pickup.objects.get().url == good["url"]
    assert report.skipped == [
        f"{path}:1: checks.logo: expected true or false or null, got a string",
        f"{path}:2: coverage: expected a number, got a string",
        f"{path}:3: copy.text: expected a list, got a string",
        f"{path}:4: url: expected a string, got a list",
        f"{path}:6: not a scan result: no url, story, kind, checks, compliant",
    ]
    assert report.reasons == {"bad_result": 5}


def test_a_match_is_recorded_as_its_json_line_is(make_story):
    """The typed path (a scan or a check in this process) and the JSON path (ingest) store
    the same copy."""
    from newswire.engine.types import Match
    from newswire.pickups.record import record_match

    story = make_story()
    line = {**result(story, url="https://typed.example/p"), "published": "2026-01-02",
            "copy": {"headline": "Council", "text": ["One.", "Two."]},
            "advisory": ["canonical"]}  # fmt: skip
    typed = record_match(Match.from_json(line), "warc_scan").pickup
    Pickup.objects.all().delete()
    read = record_result(line, "warc_scan").pickup
    fields = ("url", "kind", "coverage", "checks", "evidence", "edits", "compliant", "canonical",
              "headline", "text", "published", "problems")  # fmt: skip
    assert [getattr(typed, f) for f in fields] == [getattr(read, f) for f in fields]
    assert read.text == "One.\n\nTwo." and read.published == "2026-01-02"
