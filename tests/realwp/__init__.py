"""A real WordPress for the tests: Debian's ``wordpress`` package (6.1), MariaDB and
``php -S`` on loopback, each site with its own database and content directory, and
application passwords (``WP_ENVIRONMENT_TYPE=local`` allows them over http).

``scripts/real-wordpress-setup`` (run by ``.ci/run``, as root) installs the packages,
starts MariaDB and writes the one Debian host config the sites share. Where it has not
run, :func:`unavailable` says why, and the tests that need a real WordPress are skipped
with that reason (never silently).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
WORDPRESS = Path("/usr/share/wordpress")
CONFIG = Path("/etc/wordpress/config-newswire-tests.php")
SETUP = "scripts/real-wordpress-setup"


@functools.lru_cache(maxsize=1)
def unavailable() -> str:
    """Why no real WordPress can be started here ("" when one can)."""
    if not (WORDPRESS / "wp-settings.php").is_file():
        return f"Debian's wordpress is not installed ({SETUP} installs it; .ci/run calls it)"
    if shutil.which("php") is None:
        return f"php-cli is not installed ({SETUP})"
    if not CONFIG.is_file():
        return f"{CONFIG} is missing ({SETUP} writes it)"
    probe = subprocess.run(
        ["php", "-r", "exit(@(new mysqli('localhost','newswire','newswire')) ? 0 : 1);"],
        capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        return f"MariaDB does not answer for the user newswire ({SETUP} starts it)"
    return ""


#: the marks of a test module that needs a real WordPress: skipped, with the reason, where
#: none can be started
NEEDED = [pytest.mark.skipif(bool(unavailable()), reason=unavailable() or "-"),
          pytest.mark.realwp]  # fmt: skip


@contextlib.contextmanager
def running(root: Path, title: str) -> Iterator[RealWordPress]:
    """A site made for a test, and thrown away after it."""
    site = RealWordPress(root, title).start()
    try:
        yield site
    finally:
        site.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


INSTALL = r"""
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install(getenv('NW_WP_TITLE'), 'admin', 'admin@example.org', true, '', 'admin-' . wp_generate_password(16, false));
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
flush_rewrite_rules(false);
$app = WP_Application_Passwords::create_new_application_password(1, ['name' => 'newswire']);
echo json_encode(['password' => $app[0]]);
"""


class RealWordPress:
    """One WordPress site on loopback, made for a test and thrown away after it."""

    def __init__(self, root: Path, title: str = "The Newsroom") -> None:
        self.title = title
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = f"nwwp_{uuid.uuid4().hex[:12]}"
        self.content = root / self.db / "wp-content"
        for part in ("uploads", "mu-plugins"):
            (self.content / part).mkdir(parents=True, exist_ok=True)
        for part in ("themes", "plugins", "languages"):
            target = WORDPRESS / "wp-content" / part
            if target.exists():
                (self.content / part).symlink_to(target)
        self.env = {
            **os.environ, "NW_WP_DB": self.db, "NW_WP_CONTENT": str(self.content),
            "NW_WP_URL": self.url, "NW_WP_TITLE": title, "PHP_CLI_SERVER_WORKERS": "4",
        }  # fmt: skip
        self.user = "admin"
        self.password = ""
        self.server: subprocess.Popen[bytes] | None = None

    # --- life ---------------------------------------------------------------------------

    def start(self) -> RealWordPress:
        out = self.php(INSTALL, install=True)
        self.password = json.loads(out.strip().splitlines()[-1])["password"]
        log = self._log = (self.content.parent / "server.log").open("wb")
        self.server = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(WORDPRESS),
             str(HERE / "router.php")],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its worker processes go with it (see stop)
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/wp-json/", timeout=5).status_code == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"WordPress at {self.url} did not start: see {log.name}")

    def stop(self) -> None:
        if self.server is not None:
            # php -S forks PHP_CLI_SERVER_WORKERS workers: the whole group is stopped, or
            # they outlive the test, one set per site
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(10)
            self._log.close()
        subprocess.run(
            ["php", "-r", f"(new mysqli('localhost','newswire','newswire'))->query("
                          f"'DROP DATABASE IF EXISTS `{self.db}`');"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip

    # --- doing things as the site's people do ------------------------------------------

    def php(self, code: str, *, install: bool = False) -> str:
        """Run PHP inside the site (WordPress loaded): what a plugin or WP-CLI would do."""
        env = {**self.env, **({"NW_WP_INSTALL": "1"} if install else {})}
        done = subprocess.run(
            ["php", "-d", "display_errors=stderr", str(HERE / "boot.php")], input=code.encode(),
            env=env, capture_output=True, timeout=600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"php failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
        return done.stdout.decode()

    def rest(self, method: str, path: str, *, auth: tuple[str, str] | None = None,
             **kwargs: Any) -> httpx.Response:  # fmt: skip
        """Ask the site's REST API (``/wp-json/…``) as its administrator, or as ``auth``."""
        return httpx.request(
            method, f"{self.url}/wp-json/{path.lstrip('/')}",
            auth=auth or (self.user, self.password), timeout=60, **kwargs,
        )  # fmt: skip

    def app_password(self, login: str, role: str) -> str:
        """A user with ``role`` and an application password for it."""
        out = self.php(
            f"$id = wp_insert_user(['user_login' => {json.dumps(login)}, 'role' => "
            f"{json.dumps(role)}, 'user_pass' => wp_generate_password(), 'user_email' => "
            f"{json.dumps(login + '@example.org')}, 'display_name' => {json.dumps(login)}]);"
            "$app = WP_Application_Passwords::create_new_application_password($id, "
            "['name' => 'newswire']); echo $app[0];"
        )
        return out.strip().splitlines()[-1]


#: PHP that makes ``n`` published posts as fast as WordPress can (a burst: many share the
#: second of their modification time), each with its own words
BURST = r"""
$n = (int) getenv('NW_BURST');
for ($i = 1; $i <= $n; $i++) {
    wp_insert_post(['post_title' => "Burst story $i", 'post_status' => 'publish', 'post_author' => 1,
        'post_content' => "<p>Burst story number $i tells of council meeting $i and "
                        . "the budget vote that followed on day $i.</p>"]);
}
echo $n;
"""
