"""The settings module's first start: the secret key made once, whoever starts first."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newswire import settings as nw_settings


def test_a_key_written_between_our_look_and_our_write_is_the_one_used(tmp_path, monkeypatch):
    """The race, made certain: another process writes the key after this one found none.
    The loser reads the winner's key; it never raises ``FileExistsError``."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(nw_settings, "DATA_DIR", tmp_path)
    real = nw_settings.secrets.token_urlsafe

    def winner_first(n: int) -> str:
        (tmp_path / "secret-key").write_text("the-winners-key")
        return real(n)

    monkeypatch.setattr(nw_settings.secrets, "token_urlsafe", winner_first)
    assert nw_settings._secret_key() == "the-winners-key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret-key"]  # no file left behind


def test_a_new_key_is_whole_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(nw_settings, "DATA_DIR", tmp_path / "new")
    key = nw_settings._secret_key()
    path = tmp_path / "new" / "secret-key"
    assert len(key) > 50 and path.read_text() == key and path.stat().st_mode & 0o777 == 0o600
    assert nw_settings._secret_key() == key  # read, not made again


def test_an_empty_key_file_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(nw_settings, "DATA_DIR", tmp_path)
    (tmp_path / "secret-key").write_text("")
    with pytest.raises(SystemExit, match="secret-key is empty"):
        nw_settings._secret_key()


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    """Twelve processes load the settings on one new data folder, released together."""
    start = time.time() + 1.5
    code = (
        "import time, sys\n"
        f"time.sleep(max(0, {start} - time.time()))\n"
        "from newswire import settings\n"
        "print(settings.SECRET_KEY)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["NEWSWIRE_DATA"] = str(tmp_path / "data")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(12)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs if err]
    keys = {out.strip() for out, _ in outs}
    assert keys == {Path(tmp_path / "data" / "secret-key").read_text()}
