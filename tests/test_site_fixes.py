"""What a new user hit on the existing pages (issue 11): the site URL follows the port,
error pages and a favicon with the site's look, no dangling contact sentence."""

from __future__ import annotations

import os
import subprocess

from newswire.wire.models import Terms

from .servers import BIN


def test_terms_never_end_on_a_dangling_contact():
    text = "Free to republish. For any questions, please contact"
    assert Terms(text=text, contact="desk@wire.example").shown_text == (
        "Free to republish. For any questions, please contact desk@wire.example."
    )
    assert Terms(text=text, contact="").shown_text == "Free to republish."
    assert Terms(text="Free to republish.", contact="").shown_text == "Free to republish."


def test_error_pages_and_favicon_have_the_site_look(client, wire_terms):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and b"Page not found" in missing.content
    assert b"site.css" in missing.content and b"favicon.svg" in missing.content
    assert client.get("/favicon.ico")["Location"].endswith("/newswire/favicon.svg")
    home = client.get("/")
    assert b'rel="icon"' in home.content


def test_the_site_url_follows_the_port_when_none_is_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(NEWSWIRE_DATA=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    out = subprocess.run(
        [str(BIN / "newswire"), "demo", "--no-serve", "--no-scan", "--port", "8101"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    ).stdout
    assert "http://127.0.0.1:8101/dashboard/" in out and "127.0.0.1:8000" not in out


def test_the_api_docs_load_nothing_from_another_host(client, db):
    import re

    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/static/") for a in assets), assets


def test_the_500_page_stands_alone():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")  # rendered with no request and no context
    assert "Something went wrong" in page and "site.css" in page
