from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from newswire.partners.models import Application

GOOD = {
    "outlet": "Local Daily", "website": "https://www.localdaily.example", "country": "Ireland",
    "monthly_readers": "250000", "audience_evidence": "Google Analytics, last 3 months; screenshot on request.",
    "contact_name": "Aoife Byrne", "contact_email": "aoife@localdaily.example", "agreed_to_terms": "on",
}  # fmt: skip


def test_republish_page_states_the_terms_with_an_example(client, make_story, wire_terms):
    make_story()
    page = client.get("/republish/").content.decode()
    assert "Our logo" in page and "affiliation with us" in page and "“PNS”" not in page
    assert '"PNS"' in page or "&quot;PNS&quot;" in page
    assert "By Grace Nakamura, City Hall Reporter, Plainfield News Service" in page
    assert "Getty Images" in page and "Cut paragraphs from the end" in page
    assert 'href="/republish/apply/"' in page


def test_application_is_saved_confirmed_and_verified(client, wire_terms):
    response = client.post("/republish/apply/", GOOD, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302 and response["Location"] == "/republish/apply/thanks/"
    app = Application.objects.get()
    assert (
        app.status == "pending" and app.submitted_from == "203.0.113.5" and not app.contact_verified
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["aoife@localdaily.example"]
    link = re.search(r"https?://\S+/republish/verify/\S+/", mail.outbox[0].body).group(0)
    path = link.split("wire.test", 1)[1]
    assert client.get(path).status_code == 200
    app.refresh_from_db()
    assert app.contact_verified and app.email_verified_at is not None
    assert client.get(path[:-5] + "xxxx/").status_code == 400  # a forged token


def test_missing_and_oversized_fields_are_reshown_and_nothing_saved(client, wire_terms):
    response = client.post("/republish/apply/", {**GOOD, "outlet": "", "agreed_to_terms": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        page.count("This field is required.") == 2 and 'value="Aoife Byrne"' in page
    )  # kept what was typed
    huge = {
        **GOOD,
        "outlet": "x" * 5000,
        "audience_evidence": "y" * 100_000,
        "monthly_readers": "1" * 40,
    }
    page = client.post("/republish/apply/", huge).content.decode()
    assert "Ensure this value has at most 200 characters" in page
    assert "Ensure this value has at most 2000 characters" in page
    assert "less than or equal to" in page
    assert (
        client.post("/republish/apply/", {**GOOD, "website": "javascript:alert(1)"}).status_code
        == 400
    )
    assert Application.objects.count() == 0 and len(mail.outbox) == 0


def test_csrf_is_enforced(wire_terms):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/republish/apply/", GOOD).status_code == 403
    assert Application.objects.count() == 0


def test_a_flood_from_one_address_is_rate_limited(client, wire_terms, settings):
    settings.NEWSWIRE_APPLICATIONS_PER_HOUR = 3
    codes = [
        client.post(
            "/republish/apply/",
            {**GOOD, "contact_email": f"a{n}@spam.example"},
            REMOTE_ADDR="198.51.100.9",
        ).status_code
        for n in range(6)
    ]
    assert codes == [302, 302, 302, 429, 429, 429]
    assert Application.objects.count() == 3
    limited = client.post(
        "/republish/apply/", {**GOOD, "contact_email": "z@spam.example"}, REMOTE_ADDR="198.51.100.9"
    )
    assert "Too many applications" in limited.content.decode()
    # the same e-mail from many addresses is limited too
    codes = [
        client.post("/republish/apply/", GOOD, REMOTE_ADDR=f"192.0.2.{n}").status_code
        for n in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]


def test_republish_page_example_is_never_a_hidden_story(client, wire_terms):
    """The page shows one example story (not a list), so it checks the states itself."""
    from ..embargo import make_states

    make_states()
    page = client.get("/republish/").content.decode()
    assert "zqpublicmarker" in page
    for state in ("draft", "scheduled", "embargoed", "withdrawn"):
        assert f"zq{state}marker" not in page
