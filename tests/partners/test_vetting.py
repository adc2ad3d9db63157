from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from newswire.distribution.models import ApiKey
from newswire.partners.models import Application, Decision, Partner

from .test_apply import GOOD


def make_application(**changes) -> Application:
    data = {k: v for k, v in GOOD.items() if k != "agreed_to_terms"}
    data["monthly_readers"] = int(data["monthly_readers"])
    return Application.objects.create(**{**data, "agreed_to_terms": True, **changes})


def test_queue_lists_pending_first(admin_client, db):
    make_application(outlet="Old Approved", status="approved")
    make_application(outlet="Waiting Weekly")
    page = admin_client.get(reverse("admin:partners_application_changelist")).content.decode()
    assert page.index("Waiting Weekly") < page.index("Old Approved")
    assert "site reachable and publishing news" in page.lower() or "Site reachable" in page


def test_approval_needs_the_checklist_then_makes_a_partner(admin_client, admin_user, wire_terms):
    app = make_application()
    url = reverse("admin:partners_application_changelist")
    response = admin_client.post(
        url, {"action": "approve", "_selected_action": [app.pk]}, follow=True
    )
    assert "the checklist lacks" in response.content.decode()
    assert Partner.objects.count() == 0
    Application.objects.filter(pk=app.pk).update(
        site_checked=True, audience_checked=True, contact_verified=True
    )
    admin_client.post(url, {"action": "approve", "_selected_action": [app.pk]})
    app.refresh_from_db()
    partner = app.partner
    assert app.status == "approved" and partner.name == "Local Daily" and partner.active
    assert [d.domain for d in partner.domains.all()] == ["localdaily.example"]
    decision = Decision.objects.get(application=app)
    assert decision.action == "approve" and decision.by == admin_user and decision.at is not None
    user = get_user_model().objects.get(username="aoife@localdaily.example")
    assert partner.members.filter(pk=user.pk).exists() and not user.has_usable_password()
    assert "set your password" in mail.outbox[-1].body.lower()
    assert re.search(r"/partner/set-password/\S+/\S+/", mail.outbox[-1].body)


def test_reject_asks_for_a_reason(admin_client, admin_user, wire_terms):
    app = make_application()
    url = reverse("admin:partners_application_changelist")
    page = admin_client.post(url, {"action": "reject", "_selected_action": [app.pk]})
    assert page.status_code == 200 and b"Reason" in page.content
    empty = admin_client.post(
        url, {"action": "reject", "_selected_action": [app.pk], "apply": "1", "reason": ""}
    )
    assert b"Please give a reason" in empty.content
    app.refresh_from_db()
    assert app.status == "pending"
    admin_client.post(
        url,
        {
            "action": "reject",
            "_selected_action": [app.pk],
            "apply": "1",
            "reason": "No news on the site.",
        },
    )
    app.refresh_from_db()
    assert app.status == "rejected"
    assert Decision.objects.get(application=app).reason == "No news on the site."
    assert "No news on the site." in mail.outbox[-1].body


def test_suspend_and_reinstate_in_the_admin(admin_client, admin_user, db):
    partner = Partner.objects.create(
        name="P", website="https://p.example", contact_email="p@p.example"
    )
    _, raw = ApiKey.issue(partner, "k")
    url = reverse("admin:partners_partner_changelist")
    admin_client.post(
        url,
        {
            "action": "suspend",
            "_selected_action": [partner.pk],
            "apply": "1",
            "reason": "Stripped bylines.",
        },
    )
    partner.refresh_from_db()
    assert partner.status == "suspended"
    assert admin_client.get("/api/v1/stories", headers={"X-Api-Key": raw}).status_code == 403
    admin_client.post(url, {"action": "reinstate", "_selected_action": [partner.pk], "apply": "1"})
    partner.refresh_from_db()
    assert partner.active
    assert [(d.action, d.reason) for d in partner.decisions.order_by("at")] == [
        ("suspend", "Stripped bylines."), ("reinstate", ""),
    ]  # fmt: skip
    page = admin_client.get(
        reverse("admin:partners_partner_change", args=[partner.pk])
    ).content.decode()
    assert "Stripped bylines." in page


def test_editor_issues_a_key_shown_once(admin_client, db):
    partner = Partner.objects.create(
        name="P", website="https://p.example", contact_email="p@p.example"
    )
    response = admin_client.post(
        reverse("admin:partners_partner_changelist"),
        {"action": "issue_key", "_selected_action": [partner.pk]},
        follow=True,
    )
    raw = re.search(r"([0-9a-f]{12}\.[\w-]{40,})", response.content.decode()).group(1)
    assert ApiKey.verify(raw).partner == partner
    listing = admin_client.get(reverse("admin:distribution_apikey_changelist")).content.decode()
    assert raw.split(".")[1] not in listing
