"""What editors and partners asked for (issue 24, items 9–14): the words and numbers they
read, the links from a story to its copies, one list of every copy, decisions about an
unauthorised site, the partner's side, and the copy's own date."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from newswire.distribution.models import Invitation
from newswire.partners.models import PartnerDomain
from newswire.pickups.models import Pickup, PickupCheck, Site, SiteDecision, Via
from newswire.pickups.record import record_result
from newswire.wire.models import Story

from ..distribution.test_notices import run_worker
from .conftest import add_copy, result
from .test_views import body


def rows(csv_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text)))


# --- 9: words and numbers -------------------------------------------------------------


def test_counts_have_separators_and_dates_do_not_wrap(wire_with_copies, staff_client):
    page = body(staff_client.get("/dashboard/"))
    assert "12,000" in page and "12000" not in page  # the stated readers
    copies = body(staff_client.get("/dashboard/copies/"))
    assert '<time datetime="' in copies  # a <time> never wraps (dashboard.css)


def test_an_embargoed_story_is_marked_and_links_to_its_preview(wire_with_copies, staff_client):
    one, _ = wire_with_copies["stories"]
    Story.objects.filter(pk=one.pk).update(release_at=timezone.now() + timedelta(days=2))
    listing = body(staff_client.get("/dashboard/stories/"))
    assert "embargoed until" in listing
    page = body(staff_client.get(f"/dashboard/stories/{one.slug}/"))
    assert "embargoed" in page and f"/admin/wire/story/{one.pk}/preview/" in page
    assert f'href="{one.get_absolute_url()}"' not in page  # the public page is a 404 now
    staff_client.force_login(_superuser())  # (an editor with the admin's view permission)
    assert staff_client.get(f"/admin/wire/story/{one.pk}/preview/").status_code == 200


def test_embargoing_a_public_story_again_asks_first(wire_with_copies, staff_client):
    one, _ = wire_with_copies["stories"]
    url = f"/admin/wire/story/{one.pk}/change/"
    staff_client.force_login(_superuser())
    form = _admin_form(staff_client, url)
    later = timezone.localtime() + timedelta(days=1)
    form.update({"release_at_0": later.strftime("%Y-%m-%d"), "release_at_1": "09:00:00"})
    response = staff_client.post(url, form)
    assert response.status_code == 200  # the form again, with the question
    text = body(response)
    assert "partners may have it already" in text and "(3 copies found)" in text
    one.refresh_from_db()
    assert one.release_at is None  # nothing changed
    form["embargo_anyway"] = "on"
    assert staff_client.post(url, form).status_code == 302
    one.refresh_from_db()
    assert one.release_at is not None and one.embargoed


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("chief", "c@wire.test", "pw")


def _admin_form(client, url: str) -> dict:
    """The change form's fields as the browser would post them."""
    from django.forms.models import model_to_dict

    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name in ("embargo_anyway",):
            continue
        data[name] = value
    data["release_at_0"], data["release_at_1"] = "", ""
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        mgmt = fs.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{fs.prefix}-{name}"] = mgmt[name].value()
        for n, sub in enumerate(fs.forms):
            for name, value in model_to_dict(sub.instance).items():
                if value is not None and name in sub.fields:
                    data[f"{fs.prefix}-{n}-{name}"] = value.pk if hasattr(value, "pk") else value
            if sub.instance.pk:
                data[f"{fs.prefix}-{n}-id"] = sub.instance.pk
            data[f"{fs.prefix}-{n}-story"] = sub.instance.story_id or ""
    return {k: v for k, v in data.items() if not isinstance(v, (list, dict))}


# --- 10: from a story to its copies ----------------------------------------------------


def test_a_story_links_to_its_copies_from_the_admin_and_for_staff_its_page(
    wire_with_copies, staff_client, client
):
    one, _ = wire_with_copies["stories"]
    staff_client.force_login(_superuser())
    admin = body(staff_client.get(f"/admin/wire/story/{one.pk}/change/"))
    assert (
        f'href="/dashboard/stories/{one.slug}/"' in admin and "3 copies on the dashboard" in admin
    )
    staff_page = staff_client.get(one.get_absolute_url())
    assert f'href="/dashboard/stories/{one.slug}/"' in body(staff_page)
    assert "no-store" in staff_page["Cache-Control"]
    from django.test import Client

    reader = body(Client().get(one.get_absolute_url()))  # the same page, from the same cache
    assert "/dashboard/" not in reader and "newswire:staff" not in reader


# --- 11: every copy in one list --------------------------------------------------------


def test_all_copies_filter_search_and_export(wire_with_copies, staff_client):
    b = wire_with_copies["b"]
    every = rows(body(staff_client.get("/dashboard/copies/?format=csv")))
    assert len(every) == 5
    logo = rows(body(staff_client.get("/dashboard/copies/?failing=logo&format=csv")))
    assert len(logo) == 4 and all("logo" in r["Failed checks"] for r in logo)
    theirs = rows(body(staff_client.get(f"/dashboard/copies/?partner={b.pk}&format=csv")))
    assert {r["Site"] for r in theirs} == {"beta.example"}
    found = rows(body(staff_client.get("/dashboard/copies/?q=bridge&format=csv")))
    assert {r["Page"] for r in found} == {  # by its URL, and by its story's headline
        "https://beta.example/bridge",
        "https://copycat.example/=HYPERLINK(1)",
    }
    site = rows(
        body(staff_client.get("/dashboard/copies/?site=copycat&who=unauthorised&format=csv"))
    )
    assert len(site) == 2
    assert rows(body(staff_client.get("/dashboard/copies/?kind=excerpt&format=csv"))) == []
    today = timezone.localdate()
    dated = f"/dashboard/copies/?from={today + timedelta(days=1)}&format=csv"
    assert rows(body(staff_client.get(dated))) == []
    assert len(rows(body(staff_client.get(f"/dashboard/copies/?to={today}&format=csv")))) == 5
    assert rows(body(staff_client.get("/dashboard/copies/?status=gone&format=csv"))) == []
    page = body(staff_client.get("/dashboard/copies/?failing=affiliation"))
    assert "2 copies" in page and "beta.example/bridge" in page and "copycat.example/stolen" in page
    assert "alpha.example/news" not in page
    # a filter the page does not know is ignored, not an error
    assert staff_client.get("/dashboard/copies/?failing=nonsense&from=yesterday").status_code == 200


def test_search_partners_unauthorised_sites_and_reporters(wire_with_copies, staff_client,
                                                          make_story):  # fmt: skip
    page = body(staff_client.get("/dashboard/partners/?q=beta"))
    assert "Beta Post" in page and "Alpha Times" not in page
    page = body(staff_client.get("/dashboard/unauthorised/?q=copyc"))
    assert "copycat.example" in page
    assert "copycat.example" not in body(staff_client.get("/dashboard/unauthorised/?q=nowhere"))
    make_story("Harbour Dredging Starts", reporter="Tomás Okafor")
    page = body(staff_client.get("/dashboard/stories/?q=okafor"))
    assert "Harbour Dredging Starts" in page and "Council Delays" not in page


# --- 12: acting on an unauthorised site ------------------------------------------------


def test_ignore_a_site_and_list_it_again(wire_with_copies, staff_client):
    url = "/dashboard/sites/copycat.example/decide/"
    staff_client.post(url, {"action": "ignore", "note": "a reader's scrapbook"})
    listing = body(staff_client.get("/dashboard/unauthorised/"))
    assert "copycat.example</a>" not in listing and "1 ignored site" in listing
    assert "copycat.example" in body(staff_client.get("/dashboard/unauthorised/?ignored=1"))
    overview = body(staff_client.get("/dashboard/"))
    assert ">1<" in overview  # still counted: 1 unauthorised site
    staff_client.post(url, {"action": "relist"})
    assert "copycat.example</a>" in body(staff_client.get("/dashboard/unauthorised/"))
    decisions = list(SiteDecision.objects.order_by("at", "id").values_list("action", "note"))
    assert decisions == [("ignore", "a reader's scrapbook"), ("relist", "")]
    page = body(staff_client.get("/dashboard/sites/copycat.example/"))
    assert "a reader&#x27;s scrapbook" in page and "Listed again" in page


def test_a_site_that_belongs_to_a_partner(wire_with_copies, staff_client):
    a = wire_with_copies["a"]
    staff_client.post("/dashboard/sites/copycat.example/decide/",
                      {"action": "partner", "partner": a.pk})  # fmt: skip
    assert PartnerDomain.objects.get(domain="copycat.example").partner == a
    assert set(Pickup.objects.filter(site__host="copycat.example")
               .values_list("partner_id", "authorised")) == {(a.pk, True)}  # fmt: skip
    assert "copycat.example</a>" not in body(staff_client.get("/dashboard/unauthorised/"))
    decision = SiteDecision.objects.get()
    assert decision.action == "partner" and decision.partner == a
    # a domain already another partner's is not taken from it
    PartnerDomain.objects.create(domain="elsewhere.example", partner=wire_with_copies["b"])
    add_copy(wire_with_copies["stories"][0], "https://elsewhere.example/x")
    Site.objects.filter(host="elsewhere.example").update(partner=None)
    response = staff_client.post("/dashboard/sites/elsewhere.example/decide/",
                                 {"action": "partner", "partner": a.pk}, follow=True)  # fmt: skip
    assert "already a domain of Beta Post" in body(response)
    assert SiteDecision.objects.count() == 1


def test_invite_a_site_to_apply(wire_with_copies, staff_client, settings,
                                django_capture_on_commit_callbacks):  # fmt: skip
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = body(staff_client.get("/dashboard/sites/copycat.example/"))
    assert "/republish/apply/" in page and "2 copies of" in page  # the draft
    draft = staff_client.get("/dashboard/sites/copycat.example/").context["invite_form"].initial
    bad = staff_client.post("/dashboard/sites/copycat.example/decide/",
                            {"action": "invite", "to": "not an address", **_draft(draft)},
                            follow=True)  # fmt: skip
    assert "Not sent: to:" in body(bad) and not Invitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/dashboard/sites/copycat.example/decide/",
            {"action": "invite", "to": "editor@copycat.example", **_draft(draft)},
        )
    run_worker()
    invitation = Invitation.objects.get()
    assert invitation.status == "sent" and invitation.host == "copycat.example"
    (message,) = mail.outbox
    assert message.to == ["editor@copycat.example"] and "/republish/apply/" in message.body
    assert SiteDecision.objects.get().invitation == invitation
    assert "Invited to apply" in body(staff_client.get("/dashboard/sites/copycat.example/"))


def _draft(initial: dict) -> dict:
    return {"subject": initial["subject"], "body": initial["body"]}


# --- 13: the partner's side ------------------------------------------------------------


@pytest.fixture
def beta_client(wire_with_copies, client, django_user_model):
    user = django_user_model.objects.create_user("beta", "b@beta.example", "pw")
    wire_with_copies["b"].members.add(user)
    client.force_login(user)
    return client


def test_i_fixed_it_check_again_is_queued_once_and_rate_limited(
    wire_with_copies, beta_client, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from newswire.dashboard import partner_views

    b1 = wire_with_copies["copies"]["b1"]
    page = body(beta_client.get("/partner/pickups/"))
    assert "I fixed it — check again" in page and 'class="copy"' in page  # the copy button
    with django_capture_on_commit_callbacks(execute=True):
        response = beta_client.post(f"/partner/pickups/{b1.pk}/recheck/", follow=True)
    assert "we will check this copy again" in body(response)
    b1.refresh_from_db()
    assert b1.recheck_asked_at is not None
    queued = [t.args_kwargs["args"] for t in DBTaskResult.objects.all()]
    assert [b1.url, Via.PARTNER] in queued
    with django_capture_on_commit_callbacks(execute=True):
        again = beta_client.post(f"/partner/pickups/{b1.pk}/recheck/", follow=True)
    assert "already queued" in body(again)
    assert len([q for q in [t.args_kwargs["args"] for t in DBTaskResult.objects.all()]
                if q == [b1.url, Via.PARTNER]]) == 1  # fmt: skip
    # another partner's copy is not found; a partner over its hourly share is turned away
    a1 = wire_with_copies["copies"]["a1"]
    assert beta_client.post(f"/partner/pickups/{a1.pk}/recheck/").status_code == 404
    b2 = wire_with_copies["copies"]["b2"]
    Pickup.objects.filter(pk=b1.pk).update(recheck_asked_at=timezone.now())
    settings_limit, partner_views.RECHECKS_AN_HOUR = partner_views.RECHECKS_AN_HOUR, 1
    try:
        refused = beta_client.post(f"/partner/pickups/{b2.pk}/recheck/", follow=True)
    finally:
        partner_views.RECHECKS_AN_HOUR = settings_limit
    assert "the most we take" in body(refused)
    b2.refresh_from_db()
    assert b2.recheck_asked_at is None


def test_the_partner_sees_what_was_sent_and_no_markup_as_evidence(wire_with_copies, beta_client,
                                                                  restricted_licence):  # fmt: skip
    from newswire.dashboard.notices import send

    b = wire_with_copies["b"]
    send(b, b.contact_email, "Two copies need a fix", "Dear Beta Post, …", [], None)
    one, _ = wire_with_copies["stories"]
    photo = result(one, "https://beta.example/photo", failed=("restricted_media",))
    photo["evidence"]["restricted_media"] = (
        '<img src="https://beta.example/GettyImages-1.jpg" alt=""> credited Getty Images'
    )
    record_result(photo, Via.WARC_SCAN)
    page = body(beta_client.get("/partner/pickups/"))
    assert "Two copies need a fix" in page and "What we sent you" in page
    assert (
        "It shows a photo we may not pass on: https://beta.example/GettyImages-1.jpg, "
        "credited Getty Images." in page
    )
    to_fix = page.split("To fix:")[-1].split("</ul>")[0]  # (the snippet below it has markup)
    assert "<img" not in to_fix and "&lt;img" not in to_fix


def test_the_partner_page_names_the_feeds_and_api_before_a_key(wire_with_copies, beta_client):
    page = body(beta_client.get("/partner/"))
    assert "No keys yet." in page
    assert "/feeds/rss/?key=YOUR_KEY" in page and "/feeds/atom/?key=YOUR_KEY" in page
    assert 'href="/api/v1/docs"' in page
    assert beta_client.get("/api/v1/docs").status_code == 200


# --- 14: the copy's own date -----------------------------------------------------------


def test_the_copys_own_date_is_kept_and_shown(wire_with_copies, staff_client):
    one, _ = wire_with_copies["stories"]
    dated = result(one, "https://beta.example/dated")
    dated["published"] = "2024-05-03T10:00:00+00:00"
    pickup = record_result(dated, Via.WARC_SCAN).pickup
    assert pickup.published == "2024-05-03T10:00:00+00:00"
    page = body(staff_client.get(f"/dashboard/copies/{pickup.pk}/"))
    assert "2024-05-03 10:00 +00:00" in page and "Published, as the page says" in page
    undated = wire_with_copies["copies"]["a1"]
    assert "the page gives no date" in body(staff_client.get(f"/dashboard/copies/{undated.pk}/"))
    exported = rows(body(staff_client.get("/dashboard/copies/?q=dated&format=csv")))
    assert exported[0]["Published (as the page says)"] == "2024-05-03T10:00:00+00:00"
    assert PickupCheck.objects.filter(pickup=pickup).exists()


# --- 8: "why?" in plain words, for a recorded copy too ----------------------------------


def test_why_explains_a_recorded_copy_from_the_text_it_showed(wire_with_copies, staff_client,
                                                              make_story):  # fmt: skip
    """The copy's page is gone (nothing serves it): its kept text is aligned again, the
    checks are the recorded ones, and every copy in a list links here."""
    from newswire.wire.models import Story as WireStory

    story = make_story("Harbour Dredging Starts")
    paragraphs = [p.strip() for p in WireStory.objects.get(pk=story.pk).body
                  .replace("</p>", "\n").replace("<p>", "").splitlines() if p.strip()]  # fmt: skip
    found = result(story, "https://gone.example/harbour", failed=("logo",))
    found["copy"] = {"headline": story.headline, "text": paragraphs}
    pickup = record_result(found, Via.WARC_SCAN).pickup
    listing = body(staff_client.get(f"/dashboard/stories/{story.slug}/"))
    assert f'href="/dashboard/explain/?copy={pickup.pk}"' in listing  # the "why?" link
    page = body(staff_client.get("/dashboard/explain/", {"copy": pickup.pk}))
    assert f"This page republishes “{story.headline}”: 100% of its" in page
    assert "Explained from the text the page showed when it was last read" in page
    # the checks in words, as on the copy's page (issue 32): no code names, no markup
    assert "The checks" in page and "✗ Our logo</strong>: Our logo is not on the page." in page
    assert "It misses what our terms ask for: our logo." in page
    assert "restricted_media" not in page.split("(for engineers)")[0]
    assert "urn:" not in page.split("(for engineers)")[0]  # no URI an editor never sees
    # a copy whose text was not kept says so, and offers the page as it is now
    bare = wire_with_copies["copies"]["a1"]
    Pickup.objects.filter(pk=bare.pk).update(text="")
    page = body(staff_client.get("/dashboard/explain/", {"copy": bare.pk}))
    assert "was not kept" in page and f"?copy={bare.pk}&amp;live=1" in page


def test_why_takes_a_story_by_its_headline(wire_with_copies, staff_client):
    page = body(staff_client.get("/dashboard/explain/", {"url": "https://x.example/",
                                                          "story": "no such headline"}))  # fmt: skip
    assert "No story’s headline" in page or "No story&#x27;s headline" in page
    from newswire.pickups.explain import find_story

    one, two = wire_with_copies["stories"]
    assert find_story("budget vote")[0] == one
    assert find_story(f"https://wire.example/stories/{two.slug}/")[0] == two
    assert find_story(one.uri)[0] == one
    assert find_story("e")[0] is None and "give more of the headline" in find_story("e")[1]


def test_csv_gives_the_share_the_screen_shows(wire_with_copies, staff_client):
    stories = {
        r["Story"]: r for r in rows(body(staff_client.get("/dashboard/stories/?format=csv")))
    }
    council = stories["Council Delays Budget Vote"]
    assert (council["Copies"], council["Compliant copies"], council["Compliant (share)"]) == (
        "3",
        "1",
        "0.333",
    )
    page = body(staff_client.get("/dashboard/stories/"))
    assert ">33%<" in page and "Compliant (share)" not in page
    top = rows(body(staff_client.get("/dashboard/?table=top_stories&format=csv")))
    assert {r["Compliant (share)"] for r in top} == {"0.333", "0.000"}
