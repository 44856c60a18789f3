"""A throw-away PostgreSQL server for the benches' Synapse (``--synapse-db postgres``).

Synapse's docs say SQLite is for testing only and a production homeserver uses PostgreSQL;
this runs one, so a bench can measure the homeserver a deployment would have. Only the
benches use it: the test suite keeps SQLite and needs no PostgreSQL.

    pg = Postgres(tmp / "postgres")
    pg.start()                       # initdb, postgres on a free localhost port, a database
    synapse = Synapse(tmp / "synapse", database=pg.synapse_database())
    ...
    pg.stop()

Needs the PostgreSQL server binaries (``initdb``, ``postgres``: on PATH, or ``PG_BIN``) and
``psycopg2`` (``pip install psycopg2-binary``, which Synapse also needs to talk to it).
PostgreSQL refuses to run as root: as root, the server runs as the unprivileged OS user
``PG_USER`` (default ``pg``, which must exist: ``useradd -m pg``). Authentication is
``trust`` on 127.0.0.1 only. The server is a child process, stopped through its own PID.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.matrix.synapse import free_port

DATABASE = "synapse"
SUPERUSER = "postgres"


def _binary(name: str) -> str:
    folder = os.environ.get("PG_BIN")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise RuntimeError(f"PostgreSQL's {name} not found (set PG_BIN to its folder)")
    return found


class Postgres:
    def __init__(self, base_dir: Path, *, start_timeout: float = 60.0) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.data = self.base_dir / "data"
        self.log_path = self.base_dir / "postgres.log"
        self.port = free_port()
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._user: str | None = None
        if os.geteuid() == 0:
            self._user = os.environ.get("PG_USER", "pg")
            try:
                pwd.getpwnam(self._user)
            except KeyError:
                raise RuntimeError(f"as root, PostgreSQL runs as OS user {self._user!r}: "
                                   f"create it (useradd -m {self._user}) or set PG_USER")

    def _run(self, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(args, user=self._user, cwd=self.base_dir,
                                stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)

    def start(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if self._user is not None:  # its parent folders must let that user in
            shutil.chown(self.base_dir, self._user)
        with open(self.log_path, "ab") as log:
            if not (self.data / "PG_VERSION").exists():
                initdb = self._run([_binary("initdb"), "-D", str(self.data), "-U", SUPERUSER,
                                    "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                                   stdout=log, stderr=subprocess.STDOUT)
                if initdb.wait(120) != 0:
                    raise RuntimeError(f"initdb failed: see {self.log_path}")
            self._proc = self._run([_binary("postgres"), "-D", str(self.data),
                                    "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
                                    "-k", str(self.base_dir)],
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            self._create_database()
        except BaseException:
            self.stop()
            raise

    def connect(self, database: str = DATABASE):  # noqa: ANN201 - psycopg2 is optional
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                                dbname=database, connect_timeout=5)

    def _create_database(self) -> None:
        import psycopg2

        deadline = time.monotonic() + self.start_timeout
        while True:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RuntimeError(f"postgres exited: see {self.log_path}")
            try:
                conn = self.connect("postgres")
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("select 1 from pg_database where datname = %s", (DATABASE,))
                if cur.fetchone() is None:
                    # What Synapse requires (docs/postgres.md): C collation, UTF8.
                    cur.execute(f"CREATE DATABASE {DATABASE} ENCODING 'UTF8' LC_COLLATE='C' "
                                "LC_CTYPE='C' TEMPLATE=template0")
        finally:
            conn.close()

    def synapse_database(self) -> dict[str, Any]:
        """homeserver.yaml's ``database`` section for this server."""
        return {"name": "psycopg2",
                "args": {"user": SUPERUSER, "dbname": DATABASE, "host": "127.0.0.1",
                         "port": self.port, "cp_min": 5, "cp_max": 10}}

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # "fast" shutdown
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
