"""The systemd units in deploy/ are valid, as systemd itself reads them (where it is installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "deploy" / "systemd"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("unit", ["newswire-web.service", "newswire-worker.service"])
def test_systemd_units_verify(unit, tmp_path):
    """`systemd-analyze verify` on each unit, with its paths pointed at this checkout (verify
    checks that ExecStart's program exists)."""
    newswire = Path(sys.executable).parent / "newswire"
    env = tmp_path / "newswire.env"
    env.write_text((UNITS.parent / "newswire.env.example").read_text())
    text = (UNITS / unit).read_text()
    assert "/opt/newswire/.venv/bin/newswire" in text and "/etc/newswire/newswire.env" in text
    text = text.replace("/opt/newswire/.venv/bin/newswire", str(newswire))
    text = text.replace("/etc/newswire/newswire.env", str(env))
    text = text.replace("/var/lib/newswire", str(tmp_path))
    (tmp_path / unit).write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    problems = [line for line in done.stderr.splitlines()
                if unit in line or "newswire" in line]  # fmt: skip
    assert done.returncode == 0 and not problems, done.stderr


def test_the_example_settings_name_only_settings_newswire_reads():
    settings = (
        Path(__file__).resolve().parents[1] / "src" / "newswire" / "settings.py"
    ).read_text()
    for line in (UNITS.parent / "newswire.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            assert f'"{line.split("=", 1)[0]}"' in settings, line
