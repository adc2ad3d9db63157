"""The partner's view: its own copies, what to fix and the snippet; nothing of anyone else."""

from __future__ import annotations

from newswire.pickups.models import Pickup

from .test_views import body, pages


def test_a_partner_sees_its_copies_to_fix_with_evidence_and_snippet(wire_with_copies, client,
                                                                    django_user_model):  # fmt: skip
    user = django_user_model.objects.create_user("beta", "b@beta.example", "pw")
    wire_with_copies["b"].members.add(user)
    client.force_login(user)
    page = body(client.get("/partner/pickups/"))
    assert "https://beta.example/council" in page and "https://beta.example/bridge" in page
    assert "Our logo is not on the page." in page  # a plain sentence, not the check's name
    assert "The byline does not name" in page  # bridge: affiliation failed
    assert 'class="snippet"' in page and "By Grace Nakamura" in page
    assert "2 copies of our stories" in page and "2 need a fix" in page


def test_partner_a_reaches_no_record_of_partner_b_by_any_url_or_export(wire_with_copies, client,
                                                                       django_user_model):  # fmt: skip
    user = django_user_model.objects.create_user("alpha", "a@alpha.example", "pw")
    wire_with_copies["a"].members.add(user)
    client.force_login(user)
    others = [p for p in Pickup.objects.all() if p.partner_id != wire_with_copies["a"].pk]
    assert others
    own = (
        body(client.get("/partner/pickups/?show=all"))
        + body(client.get("/partner/pickups/?show=all&format=csv"))
        + body(client.get("/partner/pickups/?format=csv"))
        + body(client.get("/partner/pickups/"))
    )
    assert "https://alpha.example/news/council" in own
    for p in others:
        assert p.url not in own and p.site.host not in own
    # the editors' pages and the admin are closed to it, whatever the id
    for url in [*pages(wire_with_copies), *(f"/dashboard/copies/{p.pk}/" for p in others),
                *(f"/admin/pickups/pickup/{p.pk}/change/" for p in others),
                "/admin/pickups/pickup/", "/dashboard/sites/beta.example/?format=csv"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
        assert b"beta.example" not in response.content
    # and an outsider with no partner sees nothing
    client.logout()
    nobody = django_user_model.objects.create_user("nobody", "n@x.example", "pw")
    client.force_login(nobody)
    page = body(client.get("/partner/pickups/?show=all")) + body(
        client.get("/partner/pickups/?show=all&format=csv")
    )
    assert "No partner account" in page
    for p in Pickup.objects.all():
        assert p.url not in page
