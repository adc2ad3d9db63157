"""The dashboard and the partner's view in a real browser (Playwright driving Debian's
/usr/bin/chromium), on the demo's data: every page at 1280 and 375 px, screenshots in
test-results/dashboard/, no console errors, no sideways scrolling on a phone, and no
serious or critical axe-core finding (here and on the public site's pages)."""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.utils import timezone

from newswire.cli import cli
from newswire.demo.load import SEED_URI
from newswire.distribution.models import ComplianceNotice
from newswire.partners.models import Partner
from newswire.pickups.models import Pickup, Site
from newswire.wire.models import Story

from ..fakesite import fake_site, html, respond

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("TEST_RESULTS", "test-results")) / "dashboard"
WIDTHS = (1280, 375)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # once per CI run (the SQLite pass): the same pages, the same assets
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


@pytest.fixture
def demo(transactional_db):
    """The demo wire, its partners and the demo scan's pickups, in the test database."""
    result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    admin_password = (settings.DATA_DIR / "demo-login.txt").read_text().strip().split(":", 1)[1]
    partners = dict(
        line.split(":", 1)
        for line in (settings.DATA_DIR / "demo-partner-logins.txt").read_text().split()
    )
    return {"admin": admin_password, "partners": partners}


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()
        from django.db import connections

        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Visitor:
    """One signed-in browser at one width, collecting console errors and axe findings."""

    def __init__(self, browser, base: str, width: int) -> None:
        self.base, self.width = base, width
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def sign_in(self, path: str, username: str, password: str, button: str) -> None:
        self.page.goto(self.base + path)
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click(button)
        self.page.wait_for_load_state()

    def visit(self, path: str, name: str, *, axe: bool = True) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.look(name, axe=axe)

    def look(self, name: str, *, axe: bool = True) -> None:
        page = self.page
        page.screenshot(path=str(SHOTS / f"{name}-{self.width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {self.width} px scrolls sideways by {overflow} px"
        assert self.errors == [], f"{name} at {self.width} px: console errors {self.errors}"
        if axe:
            from axe_playwright_python.sync_playwright import Axe

            found = Axe().run(page).response["violations"]
            bad = [
                f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                for v in found
                if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], f"{name} at {self.width} px: {bad}"

    def close(self) -> None:
        self.context.close()


def test_editors_pages(live_server, browser, demo, settings):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]  # the check form's page is on loopback
    for width in WIDTHS:
        editors_pages(Visitor(browser, live_server.url, width), demo, act=width == WIDTHS[0])


def editors_pages(v: Visitor, demo: dict, *, act: bool) -> None:
    """Every editors' page; with ``act``, also sort, expand, export, check and send."""
    v.sign_in("/admin/login/", "admin", demo["admin"], "input[type=submit]")
    seed = Story.objects.get(uri=SEED_URI)
    scraped = Pickup.objects.get(url__contains="lakeshore-ledger")
    prairie = Partner.objects.get(name="Prairie Gazette")

    v.visit("/dashboard/", "overview")
    assert v.page.locator("svg.chart rect").count() > 0
    assert "Riverbend Courier" in v.page.inner_text("main")

    v.visit("/dashboard/stories/", "stories")
    v.visit(f"/dashboard/stories/{seed.slug}/", "story-copies")
    text = v.page.inner_text("main")
    assert "lakeshore-ledger.example" in text and "riverbend-courier.example" in text
    v.page.locator("ul.checks li.fail summary").first.click()  # evidence on expand
    assert v.page.locator("ul.checks details[open] .evidence").first.is_visible()
    v.look("story-copies-evidence")
    v.visit(f"/dashboard/copies/{scraped.pk}/", "copy-diff")
    # the demo's history: the copy still shows the text the correction removed
    checks = v.page.inner_text("div.explanation")  # (in words: issue 32)
    assert "still shows the text before the correction" in checks and "(RELATED" in checks
    assert "GettyImages-iraq-hmc-briefing" in checks and "restricted_media" not in checks
    v.visit("/dashboard/copies/?failing=restricted_media", "all-copies")
    assert "lakeshore-ledger.example" in v.page.inner_text("main")
    narrow_cards(v)
    v.visit(f"/dashboard/stories/{seed.slug}/report/", "story-report")
    v.visit(f"/dashboard/explain/?copy={scraped.pk}", "explain-recorded")
    assert "This page republishes" in v.page.inner_text("section[aria-labelledby=verdict]")
    v.visit("/dashboard/partners/", "partners")
    rows = v.page.locator("main tbody tr").all_inner_texts()
    assert rows[0].startswith("Riverbend Courier")  # compliant first
    assert any("no logo in 1 of 1 copy" in r for r in rows)
    # item 3: a check the terms do not require is shown as advisory, never as a failure
    advisory = [r for r in rows if "advisory:" in r]
    assert advisory and all("no link" not in r.split("advisory:")[0] for r in advisory)
    v.visit(f"/dashboard/partners/{prairie.pk}/", "partner")
    v.visit("/dashboard/unauthorised/", "unauthorised")
    unauthorised = Pickup.objects.filter(partner__isnull=True).select_related("site").first()
    v.visit(f"/dashboard/sites/{unauthorised.site.host}/", "site-decide")
    v.visit("/dashboard/report/", "report")
    printed(v, "report")
    v.visit("/dashboard/check/", "check")
    v.visit(f"/dashboard/partners/{prairie.pk}/notice/", "notice-draft")
    if not act:
        v.close()
        return

    v.visit("/dashboard/stories/", "stories")
    v.page.click("th a:has-text('Copies')")  # sorted by htmx, no reload
    v.page.wait_for_url("**sort=copies**")
    v.page.click("th a:has-text('Copies')")
    v.page.wait_for_url("**sort=-copies**")
    first = v.page.locator("#stories tbody tr").first.inner_text()
    assert seed.headline[:40] in first  # the seed story has the most copies (3)
    v.look("stories-sorted")

    # CSV export of a table, with its filters
    with v.page.expect_download() as download:
        v.page.evaluate("url => { window.location.href = url }",
                        f"/dashboard/stories/{seed.slug}/?who=partners&format=csv")  # fmt: skip
    exported = Path(download.value.path()).read_text("utf-8-sig")
    hosts = [row[1] for row in csv.reader(io.StringIO(exported))][1:]
    assert sorted(hosts) == ["lakeshore-ledger.example", "news.prairie-gazette.example",
                             "riverbend-courier.example"]  # fmt: skip

    # check this URL, against a page served on 127.0.0.1
    from newswire.distribution.snippet import snippet_html

    with fake_site() as site:
        site.route("/robots.txt", respond(200, b"User-agent: *\n", content_type="text/plain"))
        site.route("/copy", html(f"<html><body><main>{snippet_html(seed)}</main></body></html>"))
        v.visit("/dashboard/check/", "check")
        v.page.fill("#id_urls", f"{site.url}/copy")
        v.page.click("button:has-text('Check now')")
        v.page.wait_for_selector("#results")
        assert "compliant" in v.page.inner_text("section[aria-labelledby=results]")
        v.look("check-result")
        # why was it found? the result's link, each stage, a check's evidence expanded
        v.page.click("a:has-text('why?')")
        v.page.wait_for_selector("#verdict")
        assert "This page republishes" in v.page.inner_text("section[aria-labelledby=verdict]")
        v.page.locator("details summary").first.click()
        v.look("explain")

    # item 10: from a story's admin page and (for staff) its public page to its copies
    v.visit(f"/admin/wire/story/{seed.pk}/change/", "story-admin", axe=False)
    v.page.click("a:has-text('copies on the dashboard')")
    v.page.wait_for_url(f"**/dashboard/stories/{seed.slug}/")
    v.visit(seed.get_absolute_url(), "story-page-staff")
    v.page.click(".staff-bar a:has-text('its copies on the dashboard')")
    v.page.wait_for_url(f"**/dashboard/stories/{seed.slug}/")

    # item 12: act on an unauthorised site: ignore it, list it again, give it to a
    # partner, invite another to apply; each decision on the site's page
    from newswire.pickups.models import SiteDecision

    sites = list(Site.objects.filter(partner__isnull=True, pickups__isnull=False).distinct()[:2])
    first, second = sites
    v.visit(f"/dashboard/sites/{first.host}/", "site-decide")
    v.page.fill("#ignore-note", "a reader's archive")
    v.page.click("button:has-text('Ignore this site')")
    v.page.wait_for_selector("text=is ignored")
    v.look("site-ignored")
    v.visit("/dashboard/unauthorised/", "unauthorised-after-ignore")
    assert f"{first.host}" not in v.page.inner_text(
        "table"
    ) and "ignored site" in v.page.inner_text("main")
    v.visit(f"/dashboard/sites/{first.host}/", "site-decide")
    v.page.select_option("#partner-choice", label="Riverbend Courier")
    v.page.click("button:has-text('Give it to the partner')")
    v.page.wait_for_selector("text=from now on")
    assert Pickup.objects.filter(site=first).exclude(partner__name="Riverbend Courier").count() == 0
    v.visit(f"/dashboard/sites/{second.host}/", "site-decide")
    v.page.click("summary:has-text('Invite it to apply')")
    v.page.fill("#id_to", "editor@" + second.host)
    assert "/republish/apply/" in v.page.input_value("#id_body")
    v.page.click("button:has-text('Send the invitation')")
    v.page.wait_for_selector("text=queued for sending")
    v.look("site-invited")
    assert [d.action for d in SiteDecision.objects.order_by("at")] == [
        "ignore",
        "partner",
        "invite",
    ]

    # item 1: an editor's embargo survives `newswire demo` run again
    other = Story.objects.exclude(pk=seed.pk).filter(status=Story.Status.PUBLISHED).first()
    Story.objects.filter(pk=other.pk).update(
        release_at=timezone.now() + timedelta(days=3), status=Story.Status.SCHEDULED
    )
    again = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert again.exit_code == 0, again.output
    v.visit(f"/dashboard/stories/{other.slug}/", "story-embargoed")
    assert "embargoed" in v.page.inner_text("main") and "preview" in v.page.inner_text("main")

    # draft a notice, edit it, send it
    v.visit(f"/dashboard/partners/{prairie.pk}/notice/", "notice-draft")
    draft = v.page.input_value("#id_body")
    assert "news.prairie-gazette.example" in draft and "Our logo is not on the page." in draft
    v.page.fill("#id_body", draft + "\nP.S. Thank you for the quick fixes last month.")
    v.page.click("button:has-text('Send')")
    v.page.wait_for_selector("text=queued for sending")
    v.look("notice-queued")
    notice = ComplianceNotice.objects.get(partner=prairie)
    assert notice.body.endswith("last month.") and notice.to == prairie.contact_email
    v.close()


def test_partner_view(live_server, browser, demo):
    from newswire.distribution.models import ApiKey

    ApiKey.issue(Partner.objects.get(name="Prairie Gazette"), "Feed reader for the newsroom CMS")
    for width in WIDTHS:
        partner_view(Visitor(browser, live_server.url, width), demo, act=width == WIDTHS[0])


def partner_view(v: Visitor, demo: dict, *, act: bool) -> None:
    v.sign_in("/partner/login/", "prairie", demo["partners"]["prairie"], "button[type=submit]")
    v.visit("/partner/pickups/", "partner-copies")
    text = v.page.inner_text("main")
    assert "prairie-gazette.example" in text and "Our logo is not on the page." in text
    assert "What we sent you" in text and "Corrections" in text
    assert "riverbend" not in text and "lakeshore" not in text
    v.page.click("summary:has-text('The snippet')")
    assert "newswire-attribution" in v.page.input_value("textarea.snippet")
    v.visit("/partner/", "partner-portal")  # the key table fits a phone
    assert "/feeds/rss/?key=YOUR_KEY" in v.page.inner_text("main")
    v.visit("/partner/wordpress/", "partner-wordpress")  # connect form, posts, delivery log
    assert "Check and connect" in v.page.inner_text("main")
    if not act:
        v.close()
        return
    # item 13: the snippet's copy button, and "I fixed it — check again" (once, then queued)
    v.visit("/partner/pickups/", "partner-copies")
    v.context.grant_permissions(["clipboard-read", "clipboard-write"])
    v.page.click("summary:has-text('The snippet')")
    v.page.click("button.copy")
    v.page.wait_for_selector("button.copy:has-text('Copied')")
    assert "newswire-attribution" in v.page.evaluate("navigator.clipboard.readText()")
    v.page.click("button:has-text('I fixed it — check again')")
    v.page.wait_for_selector("text=we will check this copy again")
    assert "it is queued" in v.page.inner_text("main")
    v.look("partner-asked-again")
    v.visit("/partner/", "partner-portal")
    from newswire.distribution.models import ApiKey

    # "Revoke" asks first: dismissed, the key stays; accepted, it is revoked
    v.page.once("dialog", lambda d: d.dismiss())
    v.page.click("button:has-text('Revoke')")
    v.page.wait_for_timeout(300)
    assert ApiKey.objects.get().revoked_at is None
    v.page.once("dialog", lambda d: d.accept())
    v.page.click("button:has-text('Revoke')")
    v.page.wait_for_selector("text=revoked")
    assert ApiKey.objects.get().revoked_at is not None
    v.close()


def narrow_cards(v: Visitor) -> None:
    """On a phone each copy is a card: its checks are on the screen, not off to the side."""
    if v.width > 600:
        return
    box = v.page.locator("table.cards tbody tr").first.locator("ul.checks").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= v.width


def printed(v: Visitor, name: str) -> None:
    """The page as printed: no controls, the wide chart whole; the PDF kept to look at."""
    if v.width < 1000:
        return
    v.page.emulate_media(media="print")
    assert not v.page.locator("form.filters").first.is_visible()
    assert not v.page.locator("header.top").is_visible()
    chart = v.page.locator("svg.chart-wide")
    assert chart.is_visible()
    last = chart.locator("text.tick").last.bounding_box()
    svg = chart.bounding_box()
    assert last and svg and last["x"] + last["width"] <= svg["x"] + svg["width"] + 1  # not cut
    v.page.screenshot(path=str(SHOTS / f"{name}-print.png"), full_page=True)
    v.page.pdf(path=str(SHOTS / f"{name}.pdf"), format="A4", print_background=True)
    v.page.emulate_media(media="screen")


def test_public_pages(live_server, browser, demo):
    for width in WIDTHS:
        public_pages(Visitor(browser, live_server.url, width))


def public_pages(v: Visitor) -> None:
    seed = Story.objects.get(uri=SEED_URI)
    for path, name in [("/", "home"), (seed.get_absolute_url(), "story"),
                       ("/republish/", "republish"), ("/republish/apply/", "apply"),
                       ("/partner/login/", "partner-login")]:  # fmt: skip
        v.visit(path, f"public-{name}")
    missing = v.page.goto(v.base + "/no-such-page/")
    assert missing is not None and missing.status == 404
    v.errors.clear()  # the 404 itself is logged by the browser
    v.look("public-404")
    v.close()
