"""pickups/record.py is the only code that writes a copy (issue 36, item 4): every change to
a ``Pickup`` row — recorded, checked unchanged, unreadable, changing hands, a re-check
counted or asked — goes through it, and the derived ``authorised`` column has one rule
(``models.authorised_under``), kept by ``save()`` and by ``record.change_hands`` and
``record.follow_status`` when copies change in bulk."""

from __future__ import annotations

import ast
from pathlib import Path

from newswire.partners.models import Partner
from newswire.pickups.models import Pickup, Site
from newswire.pickups.record import change_hands, follow_status

from ..source_tree import call_base, found_elsewhere

WRITES = {"update", "create", "bulk_create", "get_or_create", "update_or_create", "delete",
          "bulk_update", "save"}  # fmt: skip
#: the writer itself, and the model (its save keeps the derived columns, each by its one
#: rule: ``failed_mask``, ``authorised_under``, ``first_day_of``)
ALLOWED = {"pickups/record.py", "pickups/models.py"}



def pickup_writes(path: Path) -> list[int]:
    """Lines of ``path`` that write a copy: a write called on ``Pickup.objects…`` or
    ``save()`` called on a name that holds a copy (``pickup``, ``validators``…)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITES:
            continue
        base = call_base(node.func.value)
        if isinstance(base, ast.Name) and (
            base.id == "Pickup" or (node.func.attr == "save" and "pickup" in base.id.lower())
        ):
            found.append(node.lineno)
    return found


def test_only_record_writes_a_copy():
    assert found_elsewhere(pickup_writes, ALLOWED) == set()


def test_the_check_finds_a_write(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("Pickup.objects.filter(pk=1).update(kind='x')\npickup.save()\n"
                     "Pickup.objects.get(pk=1)\nother.save()\n")  # fmt: skip
    assert pickup_writes(probe) == [1, 2]


def test_copies_change_hands_with_their_authorisation(wire_terms, make_story, partner):
    story = make_story()
    site = Site.objects.create(host="copies.example")
    copy = Pickup.objects.create(story=story, url="https://copies.example/a", url_key="k1",
                                 normalized_url="copies.example/a", site=site)  # fmt: skip
    assert not copy.authorised
    partner.status = Partner.Status.ACTIVE
    partner.save()
    assert change_hands(Pickup.objects.filter(site=site), partner) == 1
    copy.refresh_from_db()
    assert copy.partner == partner and copy.authorised
    Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.SUSPENDED)
    partner.refresh_from_db()
    assert follow_status(partner) == 1
    copy.refresh_from_db()
    assert not copy.authorised
    change_hands(Pickup.objects.filter(pk=copy.pk), None)
    copy.refresh_from_db()
    assert copy.partner is None and not copy.authorised
