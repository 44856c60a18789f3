"""Running the bot for a group: health (HTTP and ``coopbot health``), metrics, log lines
without secrets. A real runtime over a SQLite file and a fake clock; no sleeps."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import sqlite3
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer
from sqlite_utils import Database

from bot import cli, health, logs
from bot.clock import FakeClock
from bot.config import ConfigError, parse
from bot.http import make_app
from bot.matrix_reading import Reader
from bot.retry import Backoff
from bot.runtime import Runtime
from commands.events import Inbound, Venue
from storage.health import FORUM_READ, MATRIX_SYNCED, HealthStore
from storage.timestamps import iso
from tests.harness import ALICE, BASE_CONFIG, BOB, coopbot

MATRIX = """
[matrix]
homeserver = "https://matrix.coop.brussels"
user_id = "@coopbot:coop.brussels"
access_token_env = "OPS_TEST_TOKEN"
"""
DISCOURSE = """
[discourse]
url = "https://talk.coop.brussels"
api_username = "coopbot"
api_key_env = "OPS_TEST_FORUM_KEY"
webhook_listen = "127.0.0.1:8090"
webhook_secret_env = "OPS_TEST_WEBHOOK"
"""
PROPOSE = '!propose "Repair Together" they fix things with us'


def config_text(database: str, extra: str = MATRIX, bot: str = "") -> str:
    text = BASE_CONFIG.format(database=database, language="en", min_supporters=0, charter="[]")
    return text.replace("[bot]\n", f"[bot]\n{bot}") + extra


@pytest.fixture
def runtime(tmp_path):
    made = Runtime(parse(config_text(str(tmp_path / "coopbot.db"))), FakeClock())
    made.prepare()
    yield made
    made.close()


def say(runtime: Runtime, person: str, text: str, n: int = 1) -> None:
    runtime.engine.handle(Inbound(f"$ev{n}-{text[:8]}", person, text, runtime.clock.now(),
                                  Venue.ROOM, "sem"))


def synced(runtime: Runtime, ago: timedelta = timedelta(0)) -> None:
    HealthStore(runtime.repo.db).mark(MATRIX_SYNCED, runtime.clock.now() - ago)


def sent_all(runtime: Runtime) -> None:
    for row in runtime.repo.pending_outbox():
        runtime.repo.mark_sent(row["id"], runtime.clock.now())


# --- the verdict ---------------------------------------------------------------------------

def test_healthy_when_synced_and_delivering(runtime):
    say(runtime, ALICE, PROPOSE)
    sent_all(runtime)
    synced(runtime, timedelta(seconds=30))
    verdict = health.check(runtime.repo, runtime.config, runtime.clock.now())
    assert verdict.healthy, verdict.reasons
    report = verdict.report
    assert report["status"] == "ok" and report["reasons"] == []
    assert report["matrix"] == {"last_sync": iso(runtime.clock.now() - timedelta(seconds=30)),
                                "sync_age_seconds": 30.0}
    assert report["outbox"]["pending"] == 0 and report["outbox"]["oldest_pending_age_seconds"] is None
    assert report["database"] == {"writable": True, "error": None}
    assert "forum" not in report  # no [discourse]


def test_failing_before_the_first_sync_and_after_two_minutes_without_one(runtime):
    verdict = health.check(runtime.repo, runtime.config, runtime.clock.now())
    assert verdict.reasons == ("Matrix has not been synced yet",)
    synced(runtime)
    runtime.clock.advance(timedelta(minutes=2))
    assert health.check(runtime.repo, runtime.config, runtime.clock.now()).healthy
    runtime.clock.advance(timedelta(seconds=1))
    verdict = health.check(runtime.repo, runtime.config, runtime.clock.now())
    assert verdict.reasons == ("no successful Matrix sync for 121 s",)


def test_a_message_waiting_five_minutes_fails_but_an_undeliverable_one_does_not(runtime):
    runtime.repo.enqueue(group="sem", venue="dm", target="forum:bob", plain="to a forum user",
                         html="", mentions=(), reply_to=None, subject=None,
                         at=runtime.clock.now() - timedelta(hours=3))
    say(runtime, ALICE, PROPOSE)  # the room announcement, pending
    runtime.clock.advance(timedelta(minutes=5))
    synced(runtime)
    verdict = health.check(runtime.repo, runtime.config, runtime.clock.now())
    assert verdict.healthy, verdict.reasons
    outbox = verdict.report["outbox"]
    assert outbox["undeliverable"] == 1 and outbox["oldest_undeliverable_age_seconds"] == 3 * 3600 + 300
    assert outbox["pending"] >= 1 and outbox["oldest_pending_age_seconds"] == 300.0
    runtime.clock.advance(timedelta(seconds=1))
    synced(runtime)
    verdict = health.check(runtime.repo, runtime.config, runtime.clock.now())
    assert len(verdict.reasons) == 1
    assert verdict.reasons[0].startswith("a message has waited 301 s to be delivered")
    for row in runtime.repo.pending_outbox(("room",)):
        runtime.repo.mark_sent(row["id"], runtime.clock.now())
    assert health.check(runtime.repo, runtime.config, runtime.clock.now()).healthy
    [row] = runtime.repo.pending_outbox()
    assert row["target"] == "forum:bob"  # waits for ever, reported apart


def test_a_database_that_takes_no_write_fails(runtime, tmp_path):
    synced(runtime)
    read_only = Database(sqlite3.connect(f"file:{runtime.config.database}?mode=ro", uri=True))
    repo = SimpleNamespace(db=read_only)
    verdict = health.check(repo, runtime.config, runtime.clock.now())
    assert verdict.report["database"]["writable"] is False
    assert verdict.reasons[0].startswith("the database takes no write (OperationalError:")
    read_only.close()


def test_the_forum_when_configured_must_be_read(tmp_path, monkeypatch):
    config = parse(config_text(str(tmp_path / "db"), MATRIX + DISCOURSE))
    rt = Runtime(config, FakeClock())
    try:
        synced(rt)
        verdict = health.check(rt.repo, config, rt.clock.now())
        assert verdict.reasons == ("the forum has not been read yet",)
        HealthStore(rt.repo.db).mark(FORUM_READ, rt.clock.now() - timedelta(minutes=2))
        assert health.check(rt.repo, config, rt.clock.now()).healthy  # 3 polls of 60 s
        rt.clock.advance(timedelta(minutes=1, seconds=1))
        synced(rt)
        verdict = health.check(rt.repo, config, rt.clock.now())
        assert verdict.reasons == ("the forum has not been read for 181 s",)
        assert verdict.report["forum"]["lag_seconds"] == 181.0
    finally:
        rt.close()


def test_the_matrix_reader_marks_each_sync_it_applied(runtime):
    reader = Reader(runtime.config, SimpleNamespace(user_id="@coopbot:coop.brussels"), None,
                    runtime, sync_timeout=30, timeline_limit=50, read_margin=timedelta(0),
                    backoff=Backoff.seconds(0.5, 60), on_read=lambda: None)
    assert HealthStore(runtime.repo.db).marks()[MATRIX_SYNCED] is None
    with runtime.repo.transaction():
        reader._store_position("s42")
    assert HealthStore(runtime.repo.db).marks()[MATRIX_SYNCED] == runtime.clock.now()
    assert health.check(runtime.repo, runtime.config, runtime.clock.now()).healthy


# --- HTTP ----------------------------------------------------------------------------------

async def test_healthz_answers_200_then_503_with_the_reason(runtime):
    async with TestClient(TestServer(make_app(runtime))) as client:
        answer = await client.get("/healthz")
        assert answer.status == 503
        assert (await answer.json())["reasons"] == ["Matrix has not been synced yet"]
        synced(runtime)
        answer = await client.get("/healthz")
        assert answer.status == 200 and answer.content_type == "application/json"
        body = await answer.json()
        assert set(body) >= {"matrix", "outbox", "database", "status", "reasons"}


async def test_metrics_in_prometheus_text_format(runtime):
    say(runtime, ALICE, PROPOSE, 1)
    say(runtime, ALICE, "!status C-1", 2)
    say(runtime, BOB, "!resolve C-1 accept fine", 3)   # not contested: refused
    say(runtime, BOB, "!frobnicate", 4)               # no such command: refused
    runtime.repo.members = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk on fire"))
    say(runtime, BOB, "!members", 5)                  # fails inside: an error
    del runtime.repo.members
    runtime.clock.advance(timedelta(days=5))
    synced(runtime)
    runtime.catch_up()                                 # C-1 validated by silence
    async with TestClient(TestServer(make_app(runtime))) as client:
        answer = await client.get("/metrics")
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await answer.text()
    lines = set(text.splitlines())
    for expected in (
        'coopbot_commands_total{command="propose",outcome="ok"} 1.0',
        'coopbot_commands_total{command="status",outcome="ok"} 1.0',
        'coopbot_commands_total{command="resolve",outcome="refused"} 1.0',
        'coopbot_commands_total{command="unknown",outcome="refused"} 1.0',
        'coopbot_commands_total{command="members",outcome="error"} 1.0',
        'coopbot_decisions_total{outcome="validated"} 1.0',
        'coopbot_decisions_total{outcome="rejected"} 0.0',
        'coopbot_task_steps_sent_total{kind="nudge"} 0.0',
        'coopbot_errors_total{logger="commands"} 1.0',
        'coopbot_errors_total{logger="bot"} 0.0',      # there from the start, for increase()
        'coopbot_source_lag_seconds{source="matrix"} 0.0',
    ):
        assert expected in lines, (expected, text)
    pending = [line for line in lines if line.startswith('coopbot_outbox_pending{kind="deliverable"}')]
    assert pending and float(pending[0].split()[-1]) > 0
    assert any(line.startswith('coopbot_outbox_oldest_age_seconds{kind="deliverable"} 432000')
               for line in lines), text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_coopbot_run_serves_http_only_when_http_listen_is_set(tmp_path):
    port = free_port()
    config = parse(config_text(str(tmp_path / "db"), bot=f'http_listen = "127.0.0.1:{port}"\n'))
    runtime = Runtime(config, FakeClock())
    seen = {}

    async def run():
        async with ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                seen["status"] = answer.status
            async with session.get(f"http://127.0.0.1:{port}/metrics") as answer:
                seen["metrics"] = await answer.text()

    try:
        await cli._serve(SimpleNamespace(runtime=runtime, run=run))
        assert seen["status"] == 503 and "coopbot_commands" in seen["metrics"]
        with pytest.raises(OSError):  # closed with the bot
            await asyncio.open_connection("127.0.0.1", port)
    finally:
        runtime.close()


async def test_coopbot_run_on_a_port_already_taken_is_a_configuration_error(tmp_path,
                                                                           monkeypatch):
    """Not a traceback and a restart loop: exit 2 (systemd's unit does not restart it), the
    address named, the database released, nothing left unawaited."""
    from bot.matrix import MatrixBot

    monkeypatch.setenv("OPS_TEST_TOKEN", "syt_not_used")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        path = tmp_path / "c.toml"
        path.write_text(config_text("coopbot.db", bot=f'http_listen = "{listen}"\n'))
        result = await asyncio.to_thread(coopbot, "run", "--config", str(path))
        assert result.returncode == 2, result.stderr
        assert f"bot.http_listen: cannot listen on {listen} (" in result.stderr
        assert "Traceback" not in result.stderr and "never awaited" not in result.stderr

        config = parse(path.read_text(), path)
        with pytest.raises(ConfigError, match="cannot listen on"):
            await cli._serve(MatrixBot(config))
    Runtime(config, FakeClock()).close()  # its lock was released: another run may start


def test_the_config_checker_reads_http_listen(tmp_path):
    with pytest.raises(ConfigError, match=r"<config>:3: bot.http_listen: host:port"):
        parse(config_text("x.db", bot='http_listen = "9464"\n'))
    with pytest.raises(ConfigError, match="bot.http_listen: text in quotes"):
        parse(config_text("x.db", bot="http_listen = 9464\n"))
    assert parse(config_text("x.db")).http_listen is None
    path = tmp_path / "c.toml"
    path.write_text(config_text("x.db", "", bot='http_listen = "127.0.0.1:9464"\n'))
    result = coopbot("check-config", str(path))
    assert "http: GET /healthz and /metrics on 127.0.0.1:9464" in result.stdout


# --- coopbot health ------------------------------------------------------------------------

def test_coopbot_health_answers_from_the_database_alone(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(config_text("coopbot.db"))  # no http_listen: it still answers
    result = coopbot("health", "--config", str(path))
    assert result.returncode == 1 and "no database at" in result.stdout
    now = datetime.now(timezone.utc)
    rt = Runtime(parse(path.read_text(), path), FakeClock(now))
    try:
        synced(rt, timedelta(seconds=5))
        result = coopbot("health", "--config", str(path))  # beside the running bot
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["status"] == "ok"
        synced(rt, timedelta(minutes=10))
        result = coopbot("health", "--config", str(path))
        assert result.returncode == 1
        assert json.loads(result.stdout)["reasons"][0].startswith("no successful Matrix sync")
    finally:
        rt.close()
    (tmp_path / "coopbot.db").write_bytes(b"this is not a database at all" * 100)
    for side in ("-wal", "-shm"):
        (tmp_path / f"coopbot.db{side}").unlink(missing_ok=True)
    result = coopbot("health", "--config", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot be read: DatabaseError" in json.loads(result.stdout)["reasons"][0]


# --- log lines -----------------------------------------------------------------------------

SECRETS = {"OPS_TEST_TOKEN": "syt_c2VjcmV0_token_0123", "OPS_TEST_FORUM_KEY": "forumkey4567",
           "OPS_TEST_WEBHOOK": 'hook"se\\cret', "OPS_TEST_PASSWORD": "pässwörd-89"}


@pytest.fixture
def logged(monkeypatch):
    """The bot's own log handler, writing to a buffer; removed afterwards."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    buffers = []

    def configure(fmt: str) -> io.StringIO:
        buffer = io.StringIO()
        buffers.append(logs.configure(fmt, stream=buffer))
        return buffer

    yield configure
    for handler in buffers:
        logging.getLogger().removeHandler(handler)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_log_lines_carry_the_context_and_never_a_secret(tmp_path, logged, fmt):
    buffer = logged(fmt)
    config = parse(config_text(str(tmp_path / "db"), MATRIX.replace(
        'access_token_env = "OPS_TEST_TOKEN"',
        'access_token_env = "OPS_TEST_TOKEN"\npassword_env = "OPS_TEST_PASSWORD"') + DISCOURSE))
    logs.protect(config)
    rt = Runtime(config, FakeClock())
    try:
        secrets = " ".join(SECRETS.values())

        def leak(*args, **kwargs):
            raise RuntimeError(f"GET /sync?access_token={secrets} failed")

        rt.repo.members = leak
        rt.engine.handle(Inbound("$leaky", BOB, "!members", rt.clock.now(), Venue.ROOM, "sem"))
        logging.getLogger("bot.test").warning("webhook said %s", {"secret": SECRETS["OPS_TEST_WEBHOOK"]})
        [reply] = rt.repo.pending_outbox()
    finally:
        rt.close()
    output = buffer.getvalue()
    assert "RuntimeError" in output and output.count(logs.REDACTED) >= 5
    for secret in SECRETS.values():
        for form in (secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]):
            assert form not in output
        assert secret not in reply["plain"] and secret not in reply["html"]
    if fmt == "json":
        lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        failed = next(line for line in lines if line["message"].startswith("command failed"))
        assert (failed["group"], failed["event_id"], failed["command"]) == ("sem", "$leaky", "members")
        assert failed["level"] == "ERROR" and "exc_info" in failed
        other = next(line for line in lines if line["logger"] == "bot.test")
        assert other["group"] is None and other["command"] is None
    else:
        assert "[group=sem event=$leaky command=members]" in output


def test_coopbot_takes_log_format_json_before_or_after_the_command(tmp_path, capsys):
    from pythonjsonlogger.json import JsonFormatter

    root = logging.getLogger()
    for args in (["--log-format", "json", "export"], ["export", "--log-format", "json"]):
        before = list(root.handlers)
        try:
            assert cli.main([*args, "--config", str(tmp_path / "none.toml"), "--what",
                             "members"]) == 2  # no such file: a configuration error
            [ours] = [h for h in root.handlers if isinstance(h.formatter, logs.Redacting)]
            assert isinstance(ours.formatter.inner, JsonFormatter)
        finally:
            for handler in root.handlers[:]:
                if handler not in before:
                    root.removeHandler(handler)
    bad = coopbot("--log-format", "xml", "export", "--what", "members")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
