"""What a production deployment gets: Django's deploy check clean behind TLS, security
headers, throttled logins, and no API key in the access log."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from .servers import BIN, get, serving, throwaway_database


def test_check_deploy_is_clean_for_a_tls_deployment(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "NEWSWIRE_DATA": str(tmp_path),
        "BEHIND_TLS_PROXY": "1",
        "ALLOWED_HOSTS": "wire.example.org",
        "SITE_URL": "https://wire.example.org",
        "SECRET_KEY": "x7#Qm2!vL9zR4&pT8wK1@nB6^hJ3*cF5$dG0%sA-yE_uI+oP=" * 2,
    }
    done = subprocess.run(
        [str(BIN / "newswire"), "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_security_headers(client, make_story) -> None:
    story = make_story()
    response = client.get(f"/stories/{story.slug}/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


def test_hsts_behind_tls(client, settings, db) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000  # what BEHIND_TLS_PROXY=1 sets
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("login_url", ["/partner/login/", "/admin/login/"])
def test_logins_are_throttled(client, db, login_url) -> None:
    get_user_model().objects.create_user(
        "desk@x.example", "desk@x.example", "right-password-123", is_staff=True
    )
    statuses = [
        client.post(login_url, {"username": "desk@x.example", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the form again with an error, then locked
    locked = client.post(
        login_url, {"username": "desk@x.example", "password": "right-password-123"}
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_keys_in_urls_never_reach_the_access_log(tmp_path: Path) -> None:
    secret = "abcdef012345.THIS-IS-THE-SECRET-PART"
    with throwaway_database(tmp_path) as env:
        with serving(env) as base:
            get(f"{base}/feeds/rss/?key={secret}", {"Referer": f"https://x.example/?key={secret}"})
            get(f"{base}/api/v1/stories?limit=1&key={secret}")
            get(f"{base}/feeds/atom/?KEY={secret}&x=1")
            get(f"{base}/feeds/rss/?k%65y={secret}")  # Django reads the name as "key"
            get(f"{base}/api/v1/stories?%6B%65%79={secret}")
        log = next(Path(env["NEWSWIRE_DATA"]).parent.glob("serve-*.log")).read_text()
    assert "/feeds/rss/?key=[hidden]" in log, log[-2000:]
    assert "THIS-IS-THE-SECRET" not in log, log[-2000:]
