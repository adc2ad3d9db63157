"""Every URL newswire is given is checked once, where it comes in, and refused in words
(issue 31, item 5): a host that is not valid IDNA (``xn--abc``), control characters, a
port out of range. No surface answers with a traceback or a 500."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from newswire.cli import cli
from newswire.discovery.models import WatchedFeed
from newswire.fetch import url_problem
from newswire.partners.models import PartnerDomain

from .discovery.test_feeds import RSS, fetcher
from .fakesite import fake_site, respond

BAD = [
    "http://xn--abc.com/",  # an xn-- label that decodes to control characters
    "https://xn--a.example/story",  # too short to be punycode at all
    "http://xn--ls8h.xn--zz/",  # the second label invalid
    "http://example.com:99999/",  # a port out of range
    "http://exa\nmple.com/",  # a line break in the host
    "http://user:pw@example.com/",  # credentials in the URL
]
GOOD = ["http://xn--bcher-kva.example/", "https://example.com/a?b=1", "http://127.0.0.1:8/"]


@pytest.mark.parametrize("url", BAD)
def test_the_one_check_refuses_each_in_words(url):
    why = url_problem(url)
    assert why and "Traceback" not in why and len(why) < 400


@pytest.mark.parametrize("url", GOOD)
def test_the_one_check_takes_web_addresses(url):
    assert url_problem(url) is None


@pytest.mark.parametrize("url", BAD[:3])
def test_newswire_check_names_the_url_and_goes_on(url, db, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSWIRE_DATA", str(tmp_path))
    result = CliRunner().invoke(cli, ["check", url, "http://xn--bad.example/"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1
    assert f"{url}: not a web address newswire can check" in result.output


@pytest.mark.parametrize("url", BAD[:3])
def test_the_dashboards_check_and_explain_refuse_it_in_words(admin_client, wire_terms, url):
    page = admin_client.post("/dashboard/check/", {"urls": url})
    assert page.status_code == 200 and "valid international domain name" in page.content.decode()
    page = admin_client.get("/dashboard/explain/", {"url": url})
    assert page.status_code == 200 and "valid international domain name" in page.content.decode()


@pytest.fixture
def partner_user(partner, client, django_user_model):
    user = django_user_model.objects.create_user("local", "l@localdaily.example", "pw")
    partner.members.add(user)
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", BAD[:3])
def test_wordpress_forms_and_command_refuse_it_in_words(
    partner_user, partner, admin_client, url, tmp_path
):
    form = {"connect": "1", "url": url, "user": "desk", "password": "abcd efgh",
            "arrive_as": "draft", "withdraw_as": "draft", "desks": ""}  # fmt: skip
    page = partner_user.post("/partner/wordpress/", form)
    assert page.status_code == 200
    assert "valid international domain name" in page.content.decode()
    form = {"partner": partner.pk, "url": url, "user": "desk", "password": "abcd",
            "arrive_as": "publish", "desks_text": "", "withdraw_as": "draft"}  # fmt: skip
    page = admin_client.post("/admin/distribution/wordpresssite/add/", form)
    assert page.status_code == 200 and "valid international domain name" in page.content.decode()
    secret = tmp_path / "pw"
    secret.write_text("abcd efgh")
    result = CliRunner().invoke(cli, ["partners", "connect-wordpress", str(partner.pk), url,
                                      "--user", "desk", "--password-file", str(secret)])  # fmt: skip
    assert result.exit_code == 2 and "valid international domain name" in result.output, (
        result.output
    )


@pytest.mark.parametrize("url", BAD[:3])
def test_a_partner_feed_url_is_refused_in_the_admin(admin_client, partner, url):
    domain = PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    page = admin_client.post("/admin/discovery/watchedfeed/add/",
                             {"domain": domain.pk, "url": url, "kind": "feed", "every": 3600,
                              "next_read_at_0": "2026-12-06", "next_read_at_1": "10:00"})  # fmt: skip
    said = page.content.decode()
    assert page.status_code == 200 and 'id="id_url_error"' in said
    assert "valid international domain name" in said or "Enter a valid URL" in said
    assert not WatchedFeed.objects.exists()


def test_an_article_url_in_a_partners_feed_is_skipped_with_words(partner, settings):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    domain = PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    with fake_site() as site:
        items = "".join(f"<item><title>A</title><link>{u}</link></item>"
                        for u in [*BAD[:3], f"{site.url}/fine"])  # fmt: skip
        site.route("/feed/", respond(200, RSS.format(items=items).encode(),
                                     content_type="application/rss+xml"))  # fmt: skip
        feed = WatchedFeed.objects.create(domain=domain, url=f"{site.url}/feed/", kind="feed")
        with fetcher() as f:
            from newswire.discovery.feeds import read_feed

            done = read_feed(feed, f)
    assert done.articles == [f"{site.url}/fine"] and done.queued == 1
    feed.refresh_from_db()
    assert "3 article links skipped" in feed.last_error
    assert "valid international domain name" in feed.last_error
