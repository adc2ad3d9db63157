"""Excerpts are not copies to comply (issue 32, item 8): no compliance share counts them,
anywhere, and "Compliant: no" does not list them."""

from __future__ import annotations

from .conftest import add_copy
from .test_views import body


def test_a_story_whose_only_copy_is_an_excerpt_has_no_compliance_share(wire_terms, make_story,
                                                                       staff_client):  # fmt: skip
    only = make_story("Harbour Dredging Starts")
    add_copy(only, "https://quoter.example/harbour", kind="excerpt", failed=("logo",))
    mixed = make_story("Council Delays Budget Vote")
    add_copy(mixed, "https://a.example/council")
    add_copy(mixed, "https://b.example/council", kind="excerpt", failed=("logo",))
    for url in ("/dashboard/stories/", "/dashboard/", "/dashboard/report/"):
        page = body(staff_client.get(url))
        row = page.split("Harbour Dredging Starts", 1)[1].split("</tr>", 1)[0]
        assert "0%" not in row, (url, row)
        council = page.split("Council Delays Budget Vote", 1)[1].split("</tr>", 1)[0]
        assert "100%" in council and "50%" not in council, (url, council)
    csv = body(staff_client.get("/dashboard/stories/?format=csv"))
    line = next(x for x in csv.splitlines() if x.startswith("Council Delays"))
    assert ",1.000," in line
    report = body(staff_client.get(f"/dashboard/stories/{only.slug}/report/"))
    assert "0%" not in report.split("Compliant", 1)[1].split("</dd>", 1)[0]
    listed = body(staff_client.get("/dashboard/copies/?compliant=no"))
    assert "quoter.example" not in listed and "b.example" not in listed


def test_a_partners_share_is_of_its_pickups(wire_terms, make_story, staff_client):
    from newswire.dashboard import queries

    from .conftest import make_partner

    partner = make_partner("Alpha Times", "alpha.example")
    story = make_story()
    add_copy(story, "https://alpha.example/council")
    add_copy(make_story("Bridge Opens Early"), "https://alpha.example/bridge", kind="excerpt",
             failed=("logo",))  # fmt: skip
    (ranked,) = [p for p in queries.partner_ranking() if p.pk == partner.pk]
    assert ranked.rate == 1.0
    page = body(staff_client.get("/dashboard/partners/"))
    row = page.split("Alpha Times", 1)[1].split("</tr>", 1)[0]
    assert "100%" in row and "50%" not in row
