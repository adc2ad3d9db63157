from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from click.testing import CliRunner
from django.conf import settings

from newswire.cli import cli
from newswire.demo.load import SEED_URI, demo_folder, load_demo_wire
from newswire.demo.seed import parse_seed, split_name_title
from newswire.engine.ninjs import validation_errors
from newswire.engine.terms import terms_from_dict
from newswire.wire.models import Media, Reporter, Story, StoryVersion, Terms
from newswire.wire.partner_copy import partner_html

from ..conftest import shared_or_skip


def test_repository_copy_is_the_seed():
    shared = shared_or_skip("seed", "story.txt")
    assert (demo_folder() / "seed" / "story.txt").read_bytes() == shared.read_bytes()


def test_parse_seed():
    item, terms = parse_seed((demo_folder() / "seed" / "story.txt").read_text())
    assert validation_errors(item) == []
    assert item["headlines"][0]["value"].startswith("US Holding Talks With Iraqi Gov’t")
    assert item["by"] == "Micaela Burrow, Investigative Reporter, Defense"
    body = item["bodies"][0]["value"]
    assert body.startswith("<p>Officials dodged questions") and body.count("<p>") == 13
    assert "Font Size" not in body and "RELATED" not in body and "All content created" not in body
    assert item["associations"][0]["by"] == "Drew Angerer/Getty Images"
    assert terms["wire"] == "Daily Caller News Foundation" and terms["affiliation"] == "DCNF"
    assert terms["required"] == ["logo", "byline", "affiliation", "restricted_media"]
    assert terms["restricted_credits"] == ["Getty Images"] and terms["contact"] == ""
    assert terms_from_dict(terms)[0].wire == "Daily Caller News Foundation"


def test_split_name_title():
    assert split_name_title("Micaela Burrow Investigative Reporter, Defense") == (
        "Micaela Burrow", "Investigative Reporter, Defense",
    )  # fmt: skip
    assert split_name_title("Jane Doe") == ("Jane Doe", "")


def test_demo_wire_marks_the_agency_photo_restricted(db):
    story, terms, report = load_demo_wire()
    assert report.created == 61 and not report.bad
    assert story.uri == SEED_URI and story.is_public()
    assert terms.wire == "Daily Caller News Foundation" and terms.affiliation == "DCNF"
    assert terms.text.startswith("All content created by the Daily Caller News Foundation")
    photo = story.media.get()
    assert photo.credit == "Drew Angerer/Getty Images"
    assert (
        photo.restricted(terms) and photo.licence is not None and not photo.licence.redistributable
    )
    # the stand-in keeps the file name of the photo on the wire's page, for the checks
    assert photo.file.name.endswith("/GettyImages-iraq-hmc-briefing.svg")
    copy = partner_html(story, terms)
    assert photo.src() not in copy and "GettyImages" not in copy
    assert (
        "By Micaela Burrow, Investigative Reporter, Defense, Daily Caller News Foundation" in copy
    )
    assert terms.logo.name == "brand/dcnf-logo.svg" and not terms.logo_url
    with terms.logo.open("rb") as fh:
        assert b"<svg" in fh.read()
    again_story, _, again = load_demo_wire()
    assert again.unchanged == 61 and again_story.pk == story.pk
    assert Media.objects.filter(story=story).count() == 1


def test_demo_wire_is_one_wire(db):
    """Every story the demo shows is the wire's whose name, logo and terms it shows."""
    _, terms, _ = load_demo_wire()
    sources = Counter()
    for line in (demo_folder() / "stories.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        sources.update(s["name"] for s in item["infosources"])
        assert all(
            urlsplit(r["href"]).hostname == "dailycallernewsfoundation.org"
            for r in item.get("renditions", [])
        ), item["uri"]
    assert sources == {terms.wire: 61}
    packaged = json.loads((demo_folder() / "terms.json").read_text())
    dumped = json.loads(CliRunner().invoke(cli, ["terms", "dump"]).output)
    for key in ("wire", "affiliation", "site", "restricted_credits", "required", "text"):
        assert dumped[key] == packaged[key], key
    assert dumped["logo"]["alt"] == packaged["logo"]["alt"]
    assert Path(dumped["logo"]["url"]).stem == Path(packaged["logo"]["url"]).stem
    for story in Story.objects.all():
        assert terms.wire in partner_html(story, terms), story.uri


def test_demo_command_twice_duplicates_nothing(db):
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--no-serve", "--no-scan"])
    assert first.exit_code == 0, first.output
    assert "admin login (new): admin / " in first.output
    counts = (
        Story.objects.count(),
        Reporter.objects.count(),
        Media.objects.count(),
        StoryVersion.objects.count(),
    )
    assert counts[0] == 61
    second = runner.invoke(cli, ["demo", "--no-serve", "--no-scan"])
    assert second.exit_code == 0, second.output
    assert "61 already there" in second.output and "0 created" in second.output
    assert (Story.objects.count(), Reporter.objects.count(), Media.objects.count(),
            StoryVersion.objects.count()) == counts  # fmt: skip
    password = first.output.split("admin login (new): admin / ")[1].split()[0]
    assert f"admin / {password}" in second.output
    assert (settings.DATA_DIR / "demo-login.txt").stat().st_mode & 0o077 == 0


def test_cli_import_exit_codes(db, tmp_path):
    from ..factories import ninjs, paragraphs

    good = json.dumps(ninjs("urn:cli:1", paragraphs(1, n=2)))
    path = tmp_path / "mixed.jsonl"
    path.write_text(good + "\n{broken\n")
    runner = CliRunner()
    failed = runner.invoke(cli, ["import", str(path)])
    assert (
        failed.exit_code == 2
        and "line 2" in failed.output
        and "Nothing was imported" in failed.output
    )
    assert Story.objects.count() == 0
    skipped = runner.invoke(cli, ["import", "--skip-bad", str(path)])
    assert skipped.exit_code == 1 and "1 created" in skipped.output and "skipped" in skipped.output
    clean = runner.invoke(cli, ["import", str(tmp_path / "nope.jsonl")])
    assert clean.exit_code == 2 and "cannot read" in clean.output


def test_cli_terms_load_and_dump(db, tmp_path):
    path = shared_or_skip("corpus", "dev", "terms.json")
    runner = CliRunner()
    loaded = runner.invoke(cli, ["terms", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    dumped = json.loads(runner.invoke(cli, ["terms", "dump"]).output)
    original = json.loads(path.read_text())
    for key in (
        "wire",
        "affiliation",
        "site",
        "logo",
        "restricted_credits",
        "required",
        "allowed_edits",
        "contact",
    ):
        assert dumped[key] == original[key], key
    broken = tmp_path / "t.json"
    broken.write_text('{"wire": ')
    result = runner.invoke(cli, ["terms", "load", str(broken)])
    assert result.exit_code == 2 and "not valid JSON" in result.output
    assert Terms.current().wire == "Plainfield News Service"  # unchanged


def test_cli_export_is_valid_ninjs(db, make_story):
    story = make_story()
    result = CliRunner().invoke(cli, ["export"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [item["uri"] for item in lines] == [story.uri]
    assert validation_errors(lines[0]) == []
    missing = CliRunner().invoke(cli, ["export", "urn:none"])
    assert "no story with uri or slug 'urn:none'" in missing.output


def test_cli_terms_load_refuses_a_javascript_logo(db, tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"wire": "Evil Wire", "logo": {"url": "javascript:alert(1)"}}))
    result = CliRunner().invoke(cli, ["terms", "load", str(path)])
    assert result.exit_code == 2 and "logo_url" in result.output, result.output
    assert Terms.current().wire != "Evil Wire"


def test_demo_scan_records_its_pickups_once(db):
    from newswire.pickups.models import Pickup, PickupCheck

    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "pickups recorded: 21 new" in first.output
    assert Pickup.objects.count() == 21 and Pickup.objects.filter(evidence__isnull=False).exists()
    second = runner.invoke(cli, ["demo", "--no-serve"])
    assert "pickups recorded: 21 already recorded" in second.output
    # 21 found by the scan, and the demo history's checks of the seed story's correction:
    # the copy that still shows the old text, and the told partner's copy seen carrying it
    assert (Pickup.objects.count(), PickupCheck.objects.count()) == (21, 23)
    from newswire.pickups.models import CorrectionWatch
    from newswire.pickups.watch import by_partner

    watches = CorrectionWatch.objects.all()
    assert watches.count() == 2 and all(w.told_at for w in watches)
    assert sum(1 for w in watches if w.fixed_at) == 1
    timing = by_partner({w.partner_id for w in watches})
    assert sorted(f.changed for f in timing.values()) == [0, 1]
    done = next(f for f in timing.values() if f.changed)
    assert done.median_words() == "30 h 00 min"


def test_running_the_demo_again_never_undoes_an_editors_work(db, mailoutbox):
    """An editor embargoed a story and corrected the seed story; a second `newswire demo`
    loads only what is missing: the embargo stands, no version "Updated from stories.jsonl"
    restores the old text, and no partner is told of a correction."""
    from datetime import timedelta

    from django.utils import timezone

    from newswire.distribution.models import CorrectionNotice

    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--no-serve", "--no-scan"]).exit_code == 0
    seed = Story.objects.get(uri=SEED_URI)
    other = Story.objects.exclude(uri=SEED_URI).order_by("pk").first()
    later = timezone.now() + timedelta(days=2)
    other.release_at = later
    other.save()
    seed.correct(body=seed.body.replace("Iraq", "Iraq (corrected)", 1), note="A fix.")
    versions, notices = seed.versions.count(), CorrectionNotice.objects.count()
    second = runner.invoke(cli, ["demo", "--no-serve", "--no-scan"])
    assert second.exit_code == 0, second.output
    assert "0 updated" in second.output
    seed.refresh_from_db()
    other.refresh_from_db()
    assert "Iraq (corrected)" in seed.body and seed.versions.count() == versions
    assert not seed.versions.filter(note__startswith="Updated from").exists()
    assert other.release_at == later and not Story.objects.public().filter(pk=other.pk).exists()
    assert CorrectionNotice.objects.count() == notices


def test_the_demo_has_a_history_made_once(db, mailoutbox):
    """Item 16 of issue 24: copies first seen over two months, beacon views per day, a
    correction one partner's copy shows and another's does not; a second run adds none."""
    from datetime import timedelta

    from django.utils import timezone

    from newswire.demo.load import SEED_URI
    from newswire.distribution.models import BeaconHit, CorrectionNotice
    from newswire.pickups.models import Pickup, PickupCheck

    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "still showing the old text: lakeshore-ledger.example" in first.output
    days = sorted({p.first_day for p in Pickup.objects.all()})
    today = timezone.localdate()
    assert days[0] <= today - timedelta(days=50) and days[-1] < today and len(days) > 15
    seed = Story.objects.get(uri=SEED_URI)
    assert seed.version == 2 and seed.published_at.date() < days[0]
    assert "RELATED" in seed.versions.get(number=1).body and "RELATED" not in seed.body
    stale = {p.site.host for p in Pickup.objects.filter(story=seed)
             if "correction_not_applied" in p.problems}  # fmt: skip
    assert stale == {"lakeshore-ledger.example"}  # riverbend's and prairie's show the correction
    # to the partners that had the story before the correction (riverbend, lakeshore)
    assert CorrectionNotice.objects.filter(version__story=seed).count() == 2
    views = BeaconHit.objects.all()
    assert views.values("day").distinct().count() > 10 and all(v.hits >= 1 for v in views)
    before = (
        BeaconHit.objects.count(),
        PickupCheck.objects.count(),
        CorrectionNotice.objects.count(),
        list(Pickup.objects.values_list("first_seen")),
    )
    second = runner.invoke(cli, ["demo", "--no-serve"])
    assert second.exit_code == 0 and "history" not in second.output
    assert before == (BeaconHit.objects.count(), PickupCheck.objects.count(),
                      CorrectionNotice.objects.count(),
                      list(Pickup.objects.values_list("first_seen")))  # fmt: skip
