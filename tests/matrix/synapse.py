"""A real Synapse homeserver for Matrix integration tests and benchmarks.

Standard library only (no pytest, no HTTP client library), so that it can be
used from the pytest fixtures in ``conftest.py`` as well as from scripts such as
``bench/nio_echo_baseline.py``.

Usage::

    hs = Synapse(tmp_dir)
    hs.start()                      # writes homeserver.yaml on first use
    user_id, token, device_id = hs.register("alice", "secret")
    hs.stop(); hs.start()           # same port, same data: simulates an outage
    hs.stop()

The homeserver runs as ``sys.executable -m synapse.app.homeserver`` in its own
process group; it is only ever signalled through its own PID.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

# Every rate limiter that Synapse 1.163 reads (synapse/config/ratelimiting.py),
# raised far beyond anything a test does.  Keys that an older/newer Synapse does
# not know are ignored by it, so this list errs on the side of too many.
_HIGH = {"per_second": 100000, "burst_count": 100000}

_RATE_LIMITS: dict[str, Any] = {
    "rc_message": _HIGH,
    "rc_registration": _HIGH,
    "rc_registration_token_validity": _HIGH,
    "rc_login": {"address": _HIGH, "account": _HIGH, "failed_attempts": _HIGH},
    "rc_admin_redaction": _HIGH,
    "rc_joins": {"local": _HIGH, "remote": _HIGH},
    "rc_joins_per_room": _HIGH,
    "rc_key_requests": _HIGH,
    "rc_3pid_validation": _HIGH,
    "rc_invites": {
        "per_room": _HIGH,
        "per_user": _HIGH,
        "per_issuer": _HIGH,
        "per_sender": _HIGH,  # not read by 1.163; harmless
    },
    "rc_third_party_invite": _HIGH,
    "rc_media_create": _HIGH,
    "rc_presence": {"per_user": _HIGH},
    "rc_delayed_event_mgmt": _HIGH,
    "rc_room_creation": _HIGH,
    "rc_reports": _HIGH,
    "rc_user_directory": _HIGH,
    "rc_profile": _HIGH,
    "rc_federation": {
        "window_size": 1000,
        "sleep_limit": 100000,
        "sleep_delay": 1,
        "reject_limit": 100000,
        "concurrent": 100,
    },
}


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (bind to port 0, read it back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _yaml_dump(obj: Any) -> str:
    """JSON is valid YAML 1.2, and Synapse reads its config with PyYAML."""
    return json.dumps(obj, indent=2)


class SynapseError(RuntimeError):
    pass


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: SIGTERM the homeserver if the process that started it dies
    (e.g. pytest killed by a CI timeout), so no Synapse is left behind."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Synapse:
    """One Synapse homeserver process, with its config and data in ``base_dir``."""

    def __init__(
        self,
        base_dir: str | os.PathLike[str],
        *,
        server_name: str = "localhost",
        host: str = "127.0.0.1",
        port: int | None = None,
        start_timeout: float = 60.0,
        stop_timeout: float = 20.0,
        database: dict[str, Any] | None = None,
    ) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self._server_name = server_name
        self.host = host
        self.port = port or free_port(host)
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        # homeserver.yaml's ``database`` section; None: SQLite in base_dir (the test suite's)
        self.database = database
        self.shared_secret = secrets.token_hex(32)
        self.config_path = self.base_dir / "homeserver.yaml"
        self.log_path = self.base_dir / "homeserver.log"
        self.stdio_path = self.base_dir / "homeserver.stdio.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._stdio = None
        self.last_start_seconds: float | None = None
        self._atexit_registered = False

    # ------------------------------------------------------------------ props
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def server_name(self) -> str:
        return self._server_name

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # ----------------------------------------------------------------- config
    def write_config(self) -> None:
        """Write homeserver.yaml and its log config (idempotent; keeps secrets)."""
        d = self.base_dir
        log_config_path = d / "log_config.yaml"
        log_config = {
            "version": 1,
            "formatters": {
                "precise": {
                    "format": "%(asctime)s - %(name)s - %(lineno)d - "
                    "%(levelname)s - %(message)s"
                }
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "loggers": {
                "synapse.storage.SQL": {"level": "WARNING"},
                "twisted": {"level": "WARNING"},
            },
            "root": {"level": "INFO", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        log_config_path.write_text(_yaml_dump(log_config))

        config: dict[str, Any] = {
            "server_name": self._server_name,
            "public_baseurl": self.url + "/",
            "pid_file": str(d / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": [self.host],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": self.database or {
                "name": "sqlite3",
                "args": {"database": str(d / "homeserver.db")},
            },
            "log_config": str(log_config_path),
            "media_store_path": str(d / "media_store"),
            "signing_key_path": str(d / "signing.key"),
            "registration_shared_secret": self.shared_secret,
            "macaroon_secret_key": "macaroon-" + self.shared_secret,
            "form_secret": "form-" + self.shared_secret,
            "enable_registration": False,
            "report_stats": False,
            "enable_metrics": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            "caches": {"sync_response_cache_duration": 0},
            # Fast password hashing: registration and login are in every test.
            "bcrypt_rounds": 4,
            **_RATE_LIMITS,
        }
        self.config_path.write_text(_yaml_dump(config))

    # -------------------------------------------------------------- lifecycle
    def start(self) -> None:
        if self.is_running():
            return
        self.write_config()  # cheap; keeps port and secret of this object
        # Synapse generates signing.key itself on first start if it is missing.
        self._stdio = open(self.stdio_path, "ab")
        # PDEATHSIG fires when the *thread* that forked exits, so only use it
        # when started from the main thread (not from asyncio.to_thread).
        on_linux_main = sys.platform.startswith("linux") and (
            threading.current_thread() is threading.main_thread()
        )
        t0 = time.monotonic()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
            cwd=str(self.base_dir),
            stdin=subprocess.DEVNULL,
            stdout=self._stdio,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C in pytest won't hit it
            preexec_fn=_die_with_parent if on_linux_main else None,
        )
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True
        try:
            self._wait_ready(t0)
        except BaseException:
            self.stop()
            raise
        self.last_start_seconds = time.monotonic() - t0

    def _wait_ready(self, t0: float) -> None:
        deadline = t0 + self.start_timeout
        last_exc: Exception | None = None
        while time.monotonic() < deadline:
            assert self._proc is not None
            rc = self._proc.poll()
            if rc is not None:
                raise SynapseError(
                    f"Synapse exited with code {rc} during start-up.\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + "/_matrix/client/versions", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_exc = exc
            time.sleep(0.1)
        raise SynapseError(
            f"Synapse did not answer on {self.url} within {self.start_timeout:.0f} s "
            f"(last error: {last_exc!r}).\n{self.log_tail()}"
        )

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self._stdio is not None:
            self._stdio.close()
            self._stdio = None

    def restart(self) -> None:
        self.stop()
        self.start()

    # Async variants: start() blocks for ~3-4 s while Synapse boots.  A test in
    # which a bot keeps running on the event loop during a simulated outage
    # must use these, or the bot cannot observe the outage at all.
    async def astart(self) -> None:
        await asyncio.to_thread(self.start)

    async def astop(self) -> None:
        await asyncio.to_thread(self.stop)

    def __enter__(self) -> "Synapse":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in (self.stdio_path, self.log_path):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- last {len(text)} lines of {path} ---\n" + "\n".join(text))
        return "\n".join(parts) or "(no Synapse log written)"

    # ------------------------------------------------------------------ users
    def _request(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data else {},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise SynapseError(f"{method} {path} -> HTTP {exc.code}: {detail}") from None

    def register(
        self, localpart: str, password: str, admin: bool = False
    ) -> tuple[str, str, str]:
        """Create a user with the shared-secret admin API.

        Returns ``(user_id, access_token, device_id)``.
        """
        path = "/_synapse/admin/v1/register"
        nonce = self._request("GET", path)["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(nonce.encode())
        mac.update(b"\x00")
        mac.update(localpart.encode())
        mac.update(b"\x00")
        mac.update(password.encode())
        mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        result = self._request(
            "POST",
            path,
            {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        return result["user_id"], result["access_token"], result["device_id"]
