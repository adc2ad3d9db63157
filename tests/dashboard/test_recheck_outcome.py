""""I fixed it — check again" says what happened (issue 32, item 5): the outcome of the last
check, above all "we could not reach your page", in plain words."""

from __future__ import annotations

from django.utils import timezone

from newswire.distribution.snippet import snippet_html
from newswire.pickups.check import check_urls
from newswire.pickups.models import Pickup

from ..fakesite import fake_site, html, respond
from .conftest import add_copy, make_partner


def test_the_partner_sees_the_outcome_of_the_check_it_asked_for(
    wire_terms, make_story, client, django_user_model, settings
):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    partner = make_partner("Beta Post", "beta.example")
    user = django_user_model.objects.create_user("beta", "b@beta.example", "pw")
    partner.members.add(user)
    client.force_login(user)
    story = make_story("Council Delays Budget Vote")
    with fake_site() as site:
        from newswire.partners.models import PartnerDomain

        PartnerDomain.objects.create(partner=partner, domain="127.0.0.1")
        url = f"{site.url}/copy"
        copy = add_copy(story, url, failed=("logo",))
        Pickup.objects.filter(pk=copy.pk).update(recheck_asked_at=timezone.now())
        site.route("/copy", respond(503, b"down for maintenance"))
        list(check_urls([url], via="partner"))
        page = client.get("/partner/pickups/?show=all").content.decode()
        assert "we checked at" in page and "we could not reach your page (HTTP 503)" in page
        assert "from the last time we could read it" in page and "it is queued" not in page
        # fixed and asked again: the check says so
        site.route("/copy", html(snippet_html(story)))
        Pickup.objects.filter(pk=copy.pk).update(recheck_asked_at=timezone.now())
        list(check_urls([url], via="partner"))
        page = client.get("/partner/pickups/?show=all").content.decode()
        assert "we checked at" in page and "it carries everything our terms ask for" in page
        assert "could not reach" not in page
