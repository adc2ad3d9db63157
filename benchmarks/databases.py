"""What the database benchmarks share: run a script's child part once on a new SQLite file
and once on a new PostgreSQL database (dropped after), each in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

#: words for stories made up by a benchmark (each story is a random draw of them)
_NEWS = """council budget vote residents library parks service mayor committee finance police
overtime school district teachers union contract river bridge traffic hospital nurses clinic
patients election ballot county court judge ruling appeal housing rent tenants landlord zoning
permit developer farm drought water supply storm damage repair insurance business jobs factory
workers wages tax revenue state senator bill hearing testimony report audit spending grant"""
WORDS = tuple(_NEWS.split())


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without a database or settings of its own, plus ``extra``."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(extra)
    return env


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database's URL; dropped when done."""
    import psycopg

    name = f"newswire_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{ADMIN}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{ADMIN}/{name}"
    finally:
        with psycopg.connect(f"{ADMIN}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on_both(script: str, args: list[str], env: dict[str, str], *, sqlite: bool = True,
            postgres: bool = True) -> None:  # fmt: skip
    """Run ``python script args`` on SQLite, then on PostgreSQL, printing a heading for each."""
    with tempfile.TemporaryDirectory() as tmp:
        if sqlite:
            print("SQLite", flush=True)
            subprocess.run([sys.executable, script, *args], check=True,
                           env={**env, "NEWSWIRE_DATA": f"{tmp}/sqlite"})  # fmt: skip
        if postgres:
            with postgres_database() as url:
                print("PostgreSQL", flush=True)
                on_pg = {**env, "NEWSWIRE_DATA": f"{tmp}/pg", "DATABASE_URL": url}
                subprocess.run([sys.executable, script, *args], check=True, env=on_pg)
