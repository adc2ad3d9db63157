"""The demo's partner sites, served by the demo (issue 32, item 7): the correction loop can
be seen in the demo, with the partners' pages read from the demo's own server."""

from __future__ import annotations

import ipaddress

import httpx
from click.testing import CliRunner

from newswire.cli import cli
from newswire.demo.load import SEED_URI
from newswire.demo.sites import DemoSites, crawled_pages, domains
from newswire.fetch import FetchPolicy, SafeClient


def test_the_crawls_pages_answer_for_their_own_url_through_the_fetcher(tmp_path):
    pages = crawled_pages()
    sites = DemoSites(tmp_path, pages)
    address = sites.start(0)
    stand_ins = tuple((d, address) for d in domains(pages))
    policy = FetchPolicy(stand_ins=stand_ins, allow=(ipaddress.ip_network("127.0.0.1/32"),))
    url = next(u for u in pages if "riverbend-courier" in u)
    with SafeClient(policy) as client:
        got = client.get(url)
    assert got.status == 200 and got.body == pages[url][1] and got.final_url == url
    index = httpx.get(f"http://{address}/").text
    assert "The demo's partner sites" in index and url in index.replace("&amp;", "&")
    sites.take_down(url)
    with SafeClient(policy) as client:
        assert client.get(url).status == 404
    sites.restore(url)
    with SafeClient(policy) as client:
        assert client.get(url).status == 200


def test_the_correction_loop_in_the_demo(db, tmp_path, settings):
    from newswire.pickups.check import check_urls
    from newswire.pickups.models import Pickup
    from newswire.wire.models import Story

    assert CliRunner().invoke(cli, ["demo", "--no-serve"]).exit_code == 0
    pages = crawled_pages()
    sites = DemoSites(tmp_path, pages)
    address = sites.start(0)
    settings.NEWSWIRE_DEMO_SITES = [(d, address) for d in domains(pages)]
    seed = Story.objects.get(uri=SEED_URI)
    copies = list(Pickup.objects.filter(story=seed, partner__isnull=False))
    urls = [c.url for c in copies]
    list(check_urls(urls, via="recheck"))  # readable now: not "unreachable"
    assert all(p.status == "ok" for p in Pickup.objects.filter(url__in=urls))
    first, rest = seed.body.split("</p>", 1)
    seed.correct(body=f"{first} The talks resumed on Tuesday.</p>{rest}", note="Added a line.")
    list(check_urls(urls, via="recheck"))
    flagged = [p for p in Pickup.objects.filter(url__in=urls)
               if "correction_not_applied" in p.problems]  # fmt: skip
    assert len(flagged) == len(urls)
    sites.fix(flagged[0].url)  # as its partner would
    list(check_urls([flagged[0].url], via="partner"))
    fixed = Pickup.objects.get(pk=flagged[0].pk)
    assert "correction_not_applied" not in fixed.problems and fixed.version.number == seed.version
