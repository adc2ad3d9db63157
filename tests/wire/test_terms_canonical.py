"""The optional ``canonical`` check through the product: the admin's terms form, terms.json,
the partners' rights in ninjs, the republish pages, and a scan of the wire's own terms."""

from __future__ import annotations

import json

from django.urls import reverse

from newswire.pickups import wirescan
from newswire.wire.importer import load_terms_file
from newswire.wire.models import Terms

from ..distribution.test_api import assert_valid_for_partners


def test_the_admin_sets_it_and_requiring_it_without_a_mode_means_either(admin_client, wire_terms):
    editor = admin_client
    data = {
        "wire": "Plainfield News Service", "affiliation": "PNS", "site": "https://plainfieldnews.org",
        "contact": "s@p.org", "text": "Terms.", "logo_url": wire_terms.logo_url, "logo_alt": "PNS logo",
        "required": ["logo", "byline", "canonical"], "allowed_edits": ["trim_end"],
        "restricted_credits": "Getty Images\n", "canonical": "",
    }  # fmt: skip
    url = reverse("admin:wire_terms_change", args=[wire_terms.pk])
    page = editor.get(url).content.decode()
    assert 'name="canonical"' in page and "noindex" in page and 'value="canonical"' in page
    assert editor.post(url, data).status_code == 302
    assert Terms.current().canonical == "either"
    assert editor.post(url, {**data, "canonical": "noindex"}).status_code == 302
    terms = Terms.current()
    assert terms.canonical == "noindex" and terms.to_dict()["canonical"] == "noindex"
    engine_terms = wirescan.build().terms
    assert engine_terms.canonical == "noindex" and "canonical" in engine_terms.required


def test_terms_json_carries_it_both_ways(wire_terms, tmp_path):
    path = tmp_path / "terms.json"
    path.write_text(json.dumps({**wire_terms.to_dict(), "canonical": "link"}))
    into = Terms.current()
    assert load_terms_file(path, into) == []
    into.save()
    assert Terms.current().canonical == "link" and Terms.current().to_dict()["canonical"] == "link"
    wire_terms.refresh_from_db()
    wire_terms.canonical = ""
    wire_terms.save()
    assert "canonical" not in Terms.current().to_dict()  # off: not in terms.json at all


def test_partners_rights_in_ninjs_name_it_and_stay_valid(client, auth, make_story, wire_terms):
    wire_terms.canonical = "link"
    wire_terms.required = [*wire_terms.required, "canonical"]
    wire_terms.save()
    story = make_story()
    item = client.get(f"/api/v1/stories/{story.slug}", headers=auth).json()
    rights = json.loads(item["rightsinfo"]["encodedrights"])
    assert rights["canonical"] == "link" and "canonical" in rights["required"]
    assert_valid_for_partners(client, item)


def test_the_republish_pages_say_what_is_asked_and_how_to_set_it(client, make_story, wire_terms):
    story = make_story()
    terms_page = client.get("/republish/").content.decode()
    snippet_page = client.get(f"/stories/{story.slug}/republish/").content.decode()
    assert "Search engines" not in terms_page and "Search engines" not in snippet_page  # off
    wire_terms.canonical = "link"
    wire_terms.required = [*wire_terms.required, "canonical"]
    wire_terms.save()
    terms_page = client.get("/republish/").content.decode()
    snippet_page = client.get(f"/stories/{story.slug}/republish/").content.decode()
    for page in (terms_page, snippet_page):
        assert "Search engines: required" in page and 'rel="canonical"' in page
        assert "travel in the HTML you paste" in page and "Yoast SEO" in page
    assert story.public_url() in snippet_page.split("Search engines", 1)[1]
    assert 'href="#search-engines">how to set it' in terms_page
    wire_terms.canonical, wire_terms.required = "noindex", ["logo"]
    wire_terms.save()
    page = client.get("/republish/").content.decode()
    assert "Search engines: asked, not required" in page and "noindex" in page
    assert "still counts as compliant" in page
