"""The editors' dashboard: every page, its CSV, staff only, queries that do not grow."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newswire.distribution.models import ComplianceNotice
from newswire.pickups.models import Pickup

from ..distribution.test_notices import run_worker
from .conftest import add_copy, make_partner


def pages(w: dict) -> list[str]:
    one, _ = w["stories"]
    c = w["copies"]
    return [
        "/dashboard/", "/dashboard/stories/", "/dashboard/stories/?sort=-copies&q=Council",
        f"/dashboard/stories/{one.slug}/", f"/dashboard/copies/{c['b1'].pk}/",
        "/dashboard/partners/", "/dashboard/partners/?sort=copies", f"/dashboard/partners/{w['b'].pk}/",
        f"/dashboard/partners/{w['b'].pk}/notice/", "/dashboard/unauthorised/",
        "/dashboard/sites/copycat.example/", "/dashboard/check/", "/dashboard/explain/",
        "/dashboard/report/",
        f"/dashboard/stories/{one.slug}/report/", "/dashboard/copies/?failing=logo&q=beta",
    ]  # fmt: skip


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_every_page_answers_for_staff_and_no_one_else(wire_with_copies, staff_client, client,
                                                      django_user_model):  # fmt: skip
    for url in pages(wire_with_copies):
        response = staff_client.get(url)
        assert response.status_code == 200, url
    staff_client.logout()
    partner_user = django_user_model.objects.create_user("alpha", "a@alpha.example", "pw")
    wire_with_copies["a"].members.add(partner_user)
    for who in (None, partner_user):
        if who:
            client.force_login(who)
        for url in pages(wire_with_copies):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_overview_figures(wire_with_copies, staff_client):
    page = body(staff_client.get("/dashboard/"))
    # 5 pickups on 3 sites; 1 compliant (Alpha); copycat unauthorised; 12,000 readers stated
    assert ">5<" in page and ">3<" in page and "20%" in page and "12,000" in page
    assert "Alpha Times" in page and "Beta Post" in page
    assert '<svg class="chart chart-wide"' in page and "unauthorised</title>" in page
    assert '<svg class="chart chart-narrow"' in page  # (shown on a phone instead)


def test_a_story_lists_each_copy_with_its_checks_and_evidence(wire_with_copies, staff_client):
    one, _ = wire_with_copies["stories"]
    page = body(staff_client.get(f"/dashboard/stories/{one.slug}/"))
    assert "alpha.example" in page and "beta.example" in page and "copycat.example" in page
    assert "unauthorised" in page and "no logo at https://beta.example/council" in page
    only = body(staff_client.get(f"/dashboard/stories/{one.slug}/?who=unauthorised"))
    assert "copycat.example/stolen" in only and "beta.example/council" not in only


def test_csv_exports_follow_the_filters_and_defuse_formulas(wire_with_copies, staff_client):
    _, two = wire_with_copies["stories"]
    rows = list(csv.reader(io.StringIO(body(
        staff_client.get(f"/dashboard/stories/{two.slug}/?who=unauthorised&format=csv")))))  # fmt: skip
    assert rows[0][:3] == ["Page", "Site", "Partner"]
    assert [r[0] for r in rows[1:]] == ["'https://copycat.example/=HYPERLINK(1)"[1:]]
    partners = list(
        csv.reader(io.StringIO(body(staff_client.get("/dashboard/partners/?format=csv"))))
    )
    assert [r[0] for r in partners[1:]] == ["Alpha Times", "Beta Post"]  # by compliance
    failures = partners[0].index("Recurring failures")
    assert "no logo in 2 of 2 copies" in partners[2][failures]
    assert partners[0][failures + 1] == "Advisory (not required by the terms)"
    stories = body(staff_client.get("/dashboard/stories/?format=csv&desk=Transport"))
    assert "Bridge Opens Early" in stories and "Council" not in stories
    sites = body(staff_client.get("/dashboard/unauthorised/?format=csv"))
    assert "copycat.example" in sites and "beta.example" not in sites
    injected = add_copy(two, "https://copycat.example/x")
    Pickup.objects.filter(pk=injected.pk).update(url="=cmd|' /C calc'!A0")
    export = body(staff_client.get("/dashboard/sites/copycat.example/?format=csv"))
    assert "'=cmd" in export and "\n=cmd" not in export


def test_the_diff_shows_what_the_copy_changed(wire_with_copies, staff_client):
    one, _ = wire_with_copies["stories"]
    copy = wire_with_copies["copies"]["b1"]
    first = one.body.split("</p>")[0].removeprefix("<p>")
    Pickup.objects.filter(pk=copy.pk).update(
        headline="A Headline of Their Own",
        text=f"{first} Read more at our site.\n\nAn inserted advert paragraph.",
    )
    page = body(staff_client.get(f"/dashboard/copies/{copy.pk}/"))
    assert "<ins>Read more at our site.</ins>" in page
    assert "<ins>An inserted advert paragraph.</ins>" in page
    assert "trimmed at the end" in page and "new headline" in page


def test_draft_a_notice_then_send_it_through_the_queue(wire_with_copies, staff_client,
                                                       django_capture_on_commit_callbacks):  # fmt: skip
    b = wire_with_copies["b"]
    page = body(staff_client.get(f"/dashboard/partners/{b.pk}/notice/"))
    assert "https://beta.example/council" in page and "https://beta.example/bridge" in page
    assert "Our logo is not on the page." in page and "The snippet shows our logo" in page
    assert "alpha.example" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/dashboard/partners/{b.pk}/notice/", {
            "to": b.contact_email, "subject": "Your copies", "body": "Please add our logo."})  # fmt: skip
    assert response.status_code == 302
    notice = ComplianceNotice.objects.get()
    assert notice.status == "pending" and sorted(notice.pickups) == sorted(
        [wire_with_copies["copies"]["b1"].pk, wire_with_copies["copies"]["b2"].pk]
    )
    run_worker()
    notice.refresh_from_db()
    assert notice.status == "sent" and mail.outbox[-1].to == [b.contact_email]
    assert mail.outbox[-1].body == "Please add our logo."
    assert "Your copies" in body(staff_client.get(f"/dashboard/partners/{b.pk}/"))


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/stories/", "/dashboard/partners/",
                                 "/dashboard/unauthorised/", "story", "copy", "partner"])  # fmt: skip
def test_queries_per_page_do_not_grow_with_the_data(wire_with_copies, staff_client, url):
    one, two = wire_with_copies["stories"]
    path = {"story": f"/dashboard/stories/{one.slug}/",
            "copy": f"/dashboard/copies/{wire_with_copies['copies']['b1'].pk}/",
            "partner": f"/dashboard/partners/{wire_with_copies['b'].pk}/"}.get(url, url)  # fmt: skip

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(path).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for n in range(3):
        make_partner(f"Gamma {n}", f"gamma{n}.example")
    for n in range(30):
        add_copy(one if n % 2 else two, f"https://beta.example/more/{n}", failed=("logo",))
        add_copy(one, f"https://gamma{n % 3}.example/{n}")
        add_copy(two, f"https://pirate{n}.example/{n}", failed=("byline",))
    assert queries() == before
