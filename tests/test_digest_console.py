"""The weekly digest through the console over two weeks and restarts (issue 13, item 1), as a
user would watch it: each run a new process on the same database, ``/advance 1d`` a day at
a time. The console's clock is the wall clock plus its advance, so the weekday it starts on
varies: the checks hold whatever it is (one digest in any seven days)."""

from __future__ import annotations

import re

from tests.harness import BASE_CONFIG, console_blocks, coopbot

DAYS = ["/advance 1d"] * 7
HEADER = re.compile(r"^Weekly digest, week of (\w+ \d+ \w+ \d{4}) — Système d'Échange du "
                    r"Mycélium(?: \(sent late: I was away on [^)]*\))?$")


def run(tmp_path, config, lines: list[str]) -> list[str]:
    result = coopbot("console", "--config", str(config), stdin="\n".join(lines) + "\n",
                     cwd=tmp_path)
    return [b for b in console_blocks(result) if "Weekly digest" in b]


def test_the_digest_through_the_console_over_two_weeks_and_restarts(tmp_path):
    config = tmp_path / "sem.toml"
    text = BASE_CONFIG.format(database="sem.db", language="en", min_supporters=0, charter="[]")
    config.write_text(text.replace("charter = []", 'digest = "monday 9:00"\ncharter = []'))
    first = run(tmp_path, config, ["/as @dan", '!propose "Repair Together" they fix things',
                                   *DAYS])
    second = run(tmp_path, config, DAYS)
    again = run(tmp_path, config, ["!status C-1"])  # a restart, no time passes: nothing
    assert len(first) == 1 and len(second) == 1 and again == []
    weeks = []
    for block in first + second:
        room, header = block.splitlines()[:2]
        assert room == "[room sem]"
        weeks.append(HEADER.match(header).group(1))
    assert weeks[0] != weeks[1]  # two weeks, one digest each
    admitted = [b for b in first + second
                if "Repair Together — coopted by Financité (C-1)" in b]
    assert len(admitted) == 1  # told once, in the digest after its admission
    export = coopbot("export", "--config", str(config), "--what", "audit")
    assert export.stdout.count('"action": "digest_sent"') == 2


def test_advance_decides_each_deadline_at_its_own_time(tmp_path):
    """``/advance`` lets time pass as it does for a bot that runs all along: a deadline on
    the way is decided at its moment (the announcement's time is the deadline's), not at
    the end of the jump."""
    import sqlite3

    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="en", min_supporters=0,
                                         charter="[]"))
    blocks = [b for b in console_blocks(coopbot(
        "console", "--config", str(config), cwd=tmp_path,
        stdin="/as @dan\n!propose \"Repair Together\" they fix things\n/advance 9d\n"))]
    assert any("C-1 is validated" in b for b in blocks)
    db = sqlite3.connect(tmp_path / "sem.db")
    deadline, = db.execute("select deadline from proposals").fetchone()
    announced, = db.execute("select created_at from outbox where plain like 'C-1 is validated%'"
                            ).fetchone()
    assert announced == deadline
