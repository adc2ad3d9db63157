"""Required and advisory checks stay apart everywhere: a copy whose only shortfalls are checks
the terms do not require (here the link and the text's edits) is compliant, and every surface
says "advisory", never "failed": the copy page, the story report, the partners page and its
CSV, the copies CSV, the partner's own view, and ``newswire check``'s words."""

from __future__ import annotations

import csv
import io

from newswire.pickups.models import Pickup

from .conftest import add_copy, make_partner
from .test_views import body

ADVISORY = ("link", "unedited")  # not in the terms' required checks (wire_terms)


def test_an_advisory_shortfall_is_shown_as_advisory_on_every_page(
    wire_terms, make_story, staff_client, client, django_user_model
):
    partner = make_partner("Gamma Gazette", "gamma.example")
    story = make_story("Council Delays Budget Vote")
    copy = add_copy(story, "https://gamma.example/council", failed=("restricted_media", *ADVISORY))
    assert not copy.compliant
    assert copy.failed_checks == ["restricted_media"] and copy.advisory_failed == list(ADVISORY)

    page = body(staff_client.get(f"/dashboard/copies/{copy.pk}/"))
    checks = page.split("<h2>Checks</h2>", 1)[1].split("</ul>", 1)[0]  # (issue 32: in words)
    assert checks.count('<li class="advisory">') == 2 and checks.count('<li class="fail">') == 1
    assert "There is no link to the original story. Our terms do not require it" in checks
    table = body(staff_client.get(f"/dashboard/stories/{story.slug}/"))  # the copies table
    assert table.count('<li class="advisory">') == 2 and table.count('<li class="fail">') == 1
    assert '<span class="tag bad">restricted photo used</span>' in table  # was an empty tag

    report = body(staff_client.get(f"/dashboard/stories/{story.slug}/report/"))
    assert "no: restricted_media" in report and "(advisory: link, unedited)" in report
    assert "no: link" not in report

    partners = body(staff_client.get("/dashboard/partners/"))
    assert "restricted photo used in 1 of 1 copy" in partners
    row = partners.split("Gamma Gazette", 1)[1].split("</tr>", 1)[0]
    assert "advisory: " in row and "no link to the story in 1 of 1" in row.split("advisory: ")[1]
    assert "text edited" not in row.split("advisory: ")[0]
    rows = list(csv.reader(io.StringIO(body(staff_client.get("/dashboard/partners/?format=csv")))))
    header, gamma = rows[0], next(r for r in rows if r[0] == "Gamma Gazette")
    assert gamma[header.index("Recurring failures")] == "restricted photo used in 1 of 1 copy"
    assert "no link to the story" in gamma[header.index("Advisory (not required by the terms)")]

    copies = list(csv.reader(io.StringIO(body(
        staff_client.get(f"/dashboard/stories/{story.slug}/?format=csv")))))  # fmt: skip
    header, row = copies[0], copies[1]
    assert row[header.index("Failed checks")] == "restricted_media"
    assert row[header.index("Advisory checks not met")] == "link unedited"

    user = django_user_model.objects.create_user("gamma", "g@gamma.example", "pw")
    partner.members.add(user)
    client.force_login(user)
    own = body(client.get("/partner/pickups/"))
    to_fix = own.split("To fix:", 1)[1].split("</ul>", 1)[0]
    assert "It shows a photo we may not pass on" in to_fix and "no link" not in to_fix
    assert "Not required by our terms, so not held against this copy: no link to the story" in own


def test_a_copy_short_only_of_advisory_checks_is_compliant_and_says_so(wire_terms, make_story,
                                                                      staff_client):  # fmt: skip
    make_partner("Delta Daily", "delta.example")
    story = make_story("Bridge Opens Early")
    copy = add_copy(story, "https://delta.example/bridge", failed=ADVISORY)
    assert copy.compliant and copy.failed_checks == []
    report = body(staff_client.get(f"/dashboard/stories/{story.slug}/report/"))
    assert '<td data-label="Compliant">yes <span' in report
    assert "(advisory: link, unedited)" in report
    partners = body(staff_client.get("/dashboard/partners/"))
    row = partners.split("Delta Daily", 1)[1].split("</tr>", 1)[0]
    assert "none" in row.split("advisory")[0]  # no recurring failure
    assert Pickup.objects.filter(compliant=True).count() == 1


def test_small_words_and_numbers_read_right(wire_terms, make_story, staff_client):
    """ "1 copy", not "1 copies"; no doubled "·" for a story without a desk; CSV times to the
    second in the site's time zone; "domain watches" in the admin."""
    import re

    from newswire.discovery.models import DomainWatch

    partner = make_partner("Epsilon Echo", "epsilon.example")
    story = make_story("A story without a desk")
    add_copy(story, "https://epsilon.example/a", failed=("logo",))
    page = body(staff_client.get(f"/dashboard/partners/{partner.pk}/"))
    assert "1 copy, 0%" in page and "1 copies" not in page
    header = body(staff_client.get(f"/dashboard/stories/{story.slug}/"))
    assert "· ·" not in header
    rows = body(staff_client.get(f"/dashboard/stories/{story.slug}/?format=csv"))
    first_seen = rows.splitlines()[1].split(",")[-2]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first_seen), first_seen
    assert DomainWatch._meta.verbose_name_plural == "domain watches"


def test_notices_read_as_sentences_with_the_evidence_and_never_say_nothing(
    wire_terms, make_story, staff_client
):
    """The editor's notice to a partner: plain sentences, the photo itself, no problem said
    twice, the terms' text never left dangling, advisory checks left out, and no notice at
    all for a partner whose copies carry everything."""
    from newswire.distribution.models import ComplianceNotice
    from newswire.pickups.models import Pickup

    wire_terms.text = "Republish freely with our logo. For questions, please contact"
    wire_terms.contact = ""
    wire_terms.save()
    zeta = make_partner("Zeta Zine", "zeta.example")
    story = make_story("Council Delays Budget Vote")
    copy = add_copy(story, "https://zeta.example/a", failed=("restricted_media", "link"))
    Pickup.objects.filter(pk=copy.pk).update(
        evidence={**copy.evidence, "restricted_media":
                  '<img src="https://zeta.example/up/GettyImages-111.jpg"> credited '
                  "\u201cAna Ruiz/Getty Images\u201d"},
        problems=["restricted_photo"],
    )  # fmt: skip
    draft = body(staff_client.get(f"/dashboard/partners/{zeta.pk}/notice/"))
    assert ("It shows a photo we may not pass on: https://zeta.example/up/GettyImages-111.jpg, "
            "credited \u201cAna Ruiz/Getty Images\u201d.") in draft.replace("&quot;", '"')  # fmt: skip
    assert "Missing:" not in draft and draft.count("restricted photo used") == 0
    assert "no link" not in draft.lower()  # the link is advisory under these terms
    assert "please contact" not in draft and "Republish freely with our logo." in draft

    eta = make_partner("Eta Express", "eta.example")
    add_copy(story, "https://eta.example/a", failed=("link",))  # compliant: advisory only
    page = body(staff_client.get(f"/dashboard/partners/{eta.pk}/notice/"))
    assert "Nothing to send" in page and "<form" not in page.split("<main")[1]
    staff_client.post(f"/dashboard/partners/{eta.pk}/notice/",
                      {"to": "x@eta.example", "subject": "s", "body": "b"})  # fmt: skip
    assert not ComplianceNotice.objects.filter(partner=eta).exists()
