"""Run `newswire` as a separate process against a database of its own, as production does.

The test database of pytest-django lives inside one process (SQLite in memory)
or one connection's transaction, so a server process could not see it. These
helpers make a throw-away database of the same kind as the suite's (a fresh
SQLite file, or a new PostgreSQL database on the suite's server), and start
``newswire serve`` on a free loopback port against it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_admin_url() -> str | None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return None
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}"


@contextmanager
def throwaway_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Yield the environment for a `newswire` process on a new, empty database."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env.update(NEWSWIRE_DATA=str(tmp_path / "data"), SECRET_KEY="tests-only", LOG_LEVEL="ERROR")
    admin = _postgres_admin_url()
    if admin is None:
        yield env
        return
    import psycopg

    name = f"newswire_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{admin}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def newswire(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "newswire"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=kwargs.pop("timeout", 300),
        **kwargs,
    )


_SERVING: dict[str, int] = {}  # base URL -> the server's process id


def serving_pid(base: str) -> int:
    """The process id of the `newswire serve` answering at ``base`` (gunicorn's master)."""
    return _SERVING[base]


@contextmanager
def serving(env: dict[str, str], *extra: str, port: int | None = None) -> Iterator[str]:
    """Start `newswire serve` (migrations first, as a user runs it); yield its base URL."""
    port = port or free_port()
    log = open(Path(env["NEWSWIRE_DATA"]).parent / f"serve-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "newswire"), "serve", "--port", str(port), *extra],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"newswire serve exited with {proc.returncode}: see {log.name}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("newswire serve did not start in 60 s") from None
                time.sleep(0.05)
        _SERVING[base] = proc.pid
        yield base
    finally:
        _SERVING.pop(base, None)
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (OSError, urllib.error.URLError) as exc:  # reset, refused, timed out: no answer
        return 0, str(exc).encode()


def stories_jsonl(path: Path, n: int, *, prefix: str = "story") -> Path:
    """Write ``n`` distinct published ninjs stories (each names its own number in its text)."""
    lines = []
    for i in range(n):
        lines.append(
            {
                "uri": f"urn:test:{prefix}-{i}",
                "type": "text",
                "pubstatus": "usable",
                "versioncreated": "2026-01-01T12:00:00+00:00",
                "headlines": [{"role": "main", "value": f"Headline {prefix} number {i}"}],
                "by": "Grace Nakamura, Reporter",
                "people": [{"name": "Grace Nakamura", "rel": "author"}],
                "bodies": [
                    {
                        "role": "main",
                        "contenttype": "text/html",
                        "value": f"<p>Body of {prefix} number {i}: the council met again.</p>",
                    }
                ],
            }
        )
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def query_row(env: dict[str, str], sql: str) -> tuple[int, ...]:
    """One row of ``sql`` from the database of a `newswire` process started with ``env``,
    read straight from it (quick enough to poll while that process runs)."""
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            row = conn.execute(sql).fetchone()
    else:
        import sqlite3

        with sqlite3.connect(Path(env["NEWSWIRE_DATA"]) / "newswire.sqlite3") as conn:
            row = conn.execute(sql).fetchone()
    assert row is not None
    return tuple(int(x) for x in row)
