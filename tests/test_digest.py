"""The weekly digest (issue 13, item 1) with the harness's fake clock: the setting in three
languages, the scheduler's wakeup, what it tells, never twice for a week (across restarts),
late after a downtime within its week, not at all once its week is over."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import FakeClock
from bot.config import ConfigError, parse
from commands import weekly
from tests.harness import ALICE, BASE_CONFIG, BOB, DAN

UTC = timezone.utc
SUNDAY = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)        # 13:00 in Brussels, ISO week 44
MONDAY_10 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)      # Monday 10:00 in Brussels (W45)
NEXT_MONDAY_10 = MONDAY_10 + timedelta(days=7)


def digests(rows: list[dict]) -> list[dict]:
    return [r for r in rows if (r["subject"] or "").startswith("digest:")]


def wake_until(h, moment: datetime) -> list[dict]:
    """Move the clock as the scheduler would: to each next wakeup the engine names, up to
    ``moment``; what was sent on the way."""
    sent = []
    while True:
        coming = [at for _, at in h.engine.wakeups(after=h.clock.now())]
        target = min([at for at in coming if at <= moment], default=moment)
        if target > h.clock.now():
            sent += h.advance(target - h.clock.now())
        if target >= moment:
            return sent


def run_until(h, moment: datetime, step: timedelta = timedelta(hours=1)) -> list[dict]:
    """Move the clock to ``moment`` in steps, deciding what came due at each: what it sent."""
    sent = []
    while h.clock.now() + step <= moment:
        sent += h.advance(step)
    if h.clock.now() < moment:
        sent += h.advance(moment - h.clock.now())
    return sent


@pytest.mark.parametrize("said, stored", [
    ("mon 09:00", "mon 09:00"), ("lundi 9h", "mon 09:00"), ("Maandag om 9 uur", "mon 09:00"),
    ("every Monday at 9:30", "mon 09:30"), ("tous les vendredis à 17h", "fri 17:00"),
    ("zondag 20u", "sun 20:00"), ("friday 5pm", "fri 17:00"), ("mercredi", "wed 09:00"),
    ("off", "off"), ("aucun", "off"), ("uit", "off"), ("never", "off"),
])
def test_the_digest_setting_reads_days_in_three_languages(said, stored):
    assert weekly.canonical(said) == stored
    assert weekly.canonical(stored) == stored  # what is stored reads back as itself


@pytest.mark.parametrize("said", ["9h", "lundi mardi", "someday 9h", "lundi 25h", "mon 13pm",
                                  "x" * 80])
def test_a_digest_setting_that_is_no_day_and_hour_is_refused(said):
    with pytest.raises(ValueError):
        weekly.canonical(said)


def test_the_config_checker_names_a_bad_digest_and_its_line(tmp_path):
    text = BASE_CONFIG.format(database="x.db", language="en", min_supporters=0, charter="[]")
    text = text.replace('charter = []', 'digest = "someday at noon"\ncharter = []')
    with pytest.raises(ConfigError) as error:
        parse(text)
    line = text.splitlines().index('digest = "someday at noon"') + 1
    assert f"<config>:{line}: groups[0].digest: 'someday at noon' refused: a day and an hour" \
        in str(error.value)
    fine = parse(text.replace("someday at noon", "maandag 9u"))
    assert fine.groups[0].settings["digest"] == "maandag 9u"
    assert fine.groups[0].typed_settings.digest == "mon 09:00"


def test_config_set_digest_says_when_the_next_one_comes_and_the_scheduler_wakes(make_harness):
    h = make_harness(clock=FakeClock(datetime(2026, 11, 4, 9, 0, tzinfo=UTC)))  # a Wednesday
    assert [p for p, _ in h.engine.wakeups()] == []
    rows = h.say(ALICE, "!config set digest lundi 9h")
    assert h.texts(rows) == (
        "@alice:example.org changed the setting digest: mon 09:00. Next digest: Monday 9 "
        "November 2026 at 09:00.")
    assert h.repo.settings("sem")["digest"].value == "mon 09:00"
    # Set on Wednesday for Mondays: the first is next Monday's, not one at once.
    assert h.engine.wakeups() == [("next:digest", datetime(2026, 11, 9, 8, 0, tzinfo=UTC))]
    assert h.advance("1h") == []
    rows = h.say(ALICE, "!config set digest someday")
    assert h.texts(rows) == (
        "Value refused for digest: 'someday'. Expected: a day and an hour, such as monday "
        "9:00 (stored as 'mon 09:00'), or off.")
    rows = h.say(ALICE, "!config set timezone America/New_York")
    assert "Next digest" not in h.texts(rows)
    assert h.engine.wakeups() == [("next:digest", datetime(2026, 11, 9, 14, 0, tzinfo=UTC))]
    rows = h.say(ALICE, "!config set digest uit")
    assert h.texts(rows) == ("@alice:example.org changed the setting digest: off. No weekly "
                             "digest from now on.")
    assert h.engine.wakeups() == []
    actions = [(r.action, r.subject) for r in h.repo.audit_rows() if "digest" in r.action]
    assert actions == [("digest_scheduled", "mon 09:00"), ("digest_scheduled", "mon 09:00"),
                       ("digest_scheduled", "off")]


def _group_with_news(make_harness, **options):
    h = make_harness(clock=FakeClock(SUNDAY), group_extra='digest = "lundi 10h"', **options)
    h.say(DAN, '!propose "Repair Together" they fix things with us')
    h.say(DAN, '!propose "Buurtwinkel" a shop in the neighbourhood')
    h.say(BOB, "!object C-2 not a cooperative")
    h.say(ALICE, '!mandate @dan:example.org "Write the charter" due 2026-11-01')
    h.sent()
    return h


def test_the_digest_over_two_weeks_is_sent_once_a_week_across_restarts(make_harness):
    h = _group_with_news(make_harness)
    assert ("next:digest", MONDAY_10) in h.engine.wakeups()
    sent = digests(wake_until(h, MONDAY_10 + timedelta(hours=2)))
    assert len(sent) == 1 and sent[0]["created_at"] == "2026-11-02T09:00:00Z"
    assert sent[0]["venue"] == "room" and sent[0]["mentions"] == "[]"
    assert sent[0]["plain"] == (
        "Weekly digest, week of Monday 2 November 2026 — Système d'Échange du Mycélium\n"
        "Decided before the next digest unless someone objects (1):\n"
        "C-1 Repair Together — on Friday 6 November 2026 at 13:00\n"
        "Contested, to be decided (1):\n"
        "C-2 Buurtwinkel — objections: 1; may decide (core group): @alice:example.org\n"
        "Stalled tasks (1):\n"
        "T-2 Write the charter — lead @dan:example.org, last news on Sunday 1 November 2026 "
        "at 13:00")
    # The rest of the week, with restarts: never a second one.
    for _ in range(3):
        assert digests(wake_until(h, h.clock.now() + timedelta(days=1, hours=12))) == []
        h.restart()
    sent = digests(wake_until(h, NEXT_MONDAY_10 + timedelta(hours=1)))
    assert len(sent) == 1 and sent[0]["created_at"] == "2026-11-09T09:00:00Z"
    assert "Admitted since the last digest (1):\nRepair Together — coopted by Financité (C-1) " \
        "on Friday 6 November 2026 at 13:00" in sent[0]["plain"]
    assert "Decided before the next digest" not in sent[0]["plain"]
    weeks = [r["week"] for r in h.repo.db.query("select week from digests order by week")]
    assert weeks == ["2026-W45", "2026-W46"]
    audited = [(r.action, r.subject, r.details["late"]) for r in h.repo.audit_rows()
               if r.action == "digest_sent"]
    assert audited == [("digest_sent", "2026-W45", False), ("digest_sent", "2026-W46", False)]


def test_a_pass_that_runs_twice_at_the_digest_makes_one(make_harness):
    h = _group_with_news(make_harness)
    h.clock.set(MONDAY_10)
    assert h.engine.process_due() >= 1
    h.engine.process_due()
    sent = digests(h.sent())
    h.restart()
    h.engine.process_due()
    sent += digests(h.sent())
    assert len(sent) == 1
    assert h.repo.db.execute("select count(*) from outbox where subject like 'digest:%'"
                             ).fetchone()[0] == 1


def test_a_digest_missed_while_down_is_sent_late_within_its_week(make_harness):
    h = _group_with_news(make_harness)
    h.close()  # down from Sunday afternoon to Tuesday afternoon
    h.clock.set(datetime(2026, 11, 3, 14, 30, tzinfo=UTC))
    h.open()
    h.engine.process_due()
    sent = digests(h.sent())
    assert len(sent) == 1
    assert sent[0]["plain"].startswith(
        "Weekly digest, week of Monday 2 November 2026 — Système d'Échange du Mycélium (sent "
        "late: I was away on Monday 2 November 2026 at 10:00)\n")
    row = next(r for r in h.repo.audit_rows() if r.action == "digest_sent")
    assert (row.subject, row.details["late"]) == ("2026-W45", True)
    # The next one is at its time.
    assert ("next:digest", NEXT_MONDAY_10) in h.engine.wakeups(after=h.clock.now())


def test_no_digest_once_its_week_is_over(make_harness):
    h = make_harness(clock=FakeClock(SUNDAY), group_extra='digest = "zondag 20u"')
    h.say(DAN, '!propose "Repair Together" they fix things with us')
    h.sent()
    h.close()  # down over Sunday 20:00, back at 02:00 on Monday: that week is over
    h.clock.set(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    h.open()
    h.engine.process_due()
    assert digests(h.sent()) == []
    missed = [(r.action, r.subject) for r in h.repo.audit_rows() if r.action.startswith("digest_")]
    assert missed == [("digest_scheduled", "sun 20:00"), ("digest_missed", "2026-W44")]
    sunday_20 = datetime(2026, 11, 8, 19, 0, tzinfo=UTC)
    assert ("next:digest", sunday_20) in h.engine.wakeups()
    sent = digests(run_until(h, sunday_20 + timedelta(hours=1)))
    assert len(sent) == 1 and sent[0]["subject"] == "digest:2026-W45"


def test_a_bot_away_for_weeks_misses_each_and_sends_the_current_one_late(make_harness):
    h = _group_with_news(make_harness)
    h.close()
    h.clock.set(MONDAY_10 + timedelta(days=15))  # Tuesday of the third week
    h.open()
    h.engine.process_due()
    sent = digests(h.sent())
    assert [r["subject"] for r in sent] == ["digest:2026-W47"]
    assert "(sent late: I was away on Monday 16 November 2026 at 10:00)" in sent[0]["plain"]
    missed = [r.subject for r in h.repo.audit_rows() if r.action == "digest_missed"]
    assert missed == ["2026-W45", "2026-W46"]


def test_a_quiet_week_posts_nothing_and_is_recorded(make_harness):
    h = make_harness(clock=FakeClock(SUNDAY), group_extra='digest = "mon 10:00"')
    assert digests(run_until(h, MONDAY_10 + timedelta(hours=1))) == []
    row = next(iter(h.repo.db.query("select * from digests")))
    assert (row["week"], row["posted"], row["forum_body"]) == ("2026-W45", 0, None)
    assert [r.subject for r in h.repo.audit_rows() if r.action == "digest_empty"] == ["2026-W45"]
    assert ("next:digest", NEXT_MONDAY_10) in h.engine.wakeups()


def test_a_bilingual_group_reads_its_digest_in_each_language(make_harness):
    h = _group_with_news(make_harness, language='["fr", "nl"]')
    sent = digests(run_until(h, MONDAY_10 + timedelta(minutes=30)))
    assert len(sent) == 1
    french, dutch = sent[0]["plain"].split("\n———\n")
    assert french.startswith("Résumé de la semaine du lundi 2 novembre 2026 — Système")
    assert "Contestées, à trancher (1) :\nC-2 Buurtwinkel — objections : 1 ; peut trancher " \
        "(groupe cœur) : @alice:example.org" in french
    assert "Tâches à l'arrêt (1) :\nT-2 Write the charter — responsable @dan:example.org, " \
        "dernières nouvelles le dimanche 1er novembre 2026 à 13:00" in french
    assert dutch.startswith("Weekoverzicht, week van maandag 2 november 2026 — Système")
    assert "Betwist, te beslissen (1):\nC-2 Buurtwinkel — bezwaren: 1; kan beslissen " \
        "(kerngroep): @alice:example.org" in dutch
    row = next(iter(h.repo.db.query("select * from digests")))
    assert row["forum_title"] == ("Résumé de la semaine du lundi 2 novembre 2026 — Système "
                                  "d'Échange du Mycélium / Weekoverzicht, week van maandag 2 "
                                  "november 2026 — Système d'Échange du Mycélium")
    assert row["forum_body"] == sent[0]["plain"]


def test_long_sections_are_cut_and_say_how_to_see_the_rest(make_harness):
    h = make_harness(clock=FakeClock(SUNDAY), group_extra='digest = "mon 10:00"')
    for number in range(12):
        h.say(DAN, f'!propose "Org {number}" reason {number}')
        h.clock.advance(timedelta(seconds=7))  # under the rate limit
    sent = digests(run_until(h, MONDAY_10 + timedelta(minutes=30)))
    text = sent[0]["plain"]
    assert "Decided before the next digest unless someone objects (12):" in text
    assert text.count(" — on ") == 10
    assert text.endswith("… and 2 more: !list open")


def test_the_digest_names_deciders_and_leads_by_their_display_names(make_harness):
    """Whoever may decide and whoever leads a stalled task are named as people know them
    (their display names), in plain text: the digest pings nobody."""
    h = _group_with_news(make_harness)
    h.repo.set_display_name(ALICE, "Alice Martin", None, SUNDAY)
    h.repo.set_display_name(DAN, "Dan <b>Dupont</b>", None, SUNDAY)
    [digest] = digests(run_until(h, MONDAY_10 + timedelta(minutes=30)))
    assert "may decide (core group): Alice Martin\n" in digest["plain"]
    assert "T-2 Write the charter — lead Dan <b>Dupont</b>, last news" in digest["plain"]
    assert "Dan &lt;b&gt;Dupont&lt;/b&gt;" in digest["html"] and "<a href" not in digest["html"]
    assert digest["mentions"] == "[]"
    row = next(iter(h.repo.db.query("select forum_body from digests")))
    assert row["forum_body"] == digest["plain"]  # the forum's copy names them alike


def test_a_late_digest_waits_for_the_end_of_the_quiet_hours(make_harness):
    """Back at 23:30 on Monday (Brussels), after missing Monday's 10:00: the room is not told
    in the night; the digest goes at 08:00 on Tuesday, the end of the quiet hours, still
    saying it is late."""
    h = _group_with_news(make_harness)
    h.close()
    h.clock.set(datetime(2026, 11, 2, 22, 30, tzinfo=UTC))  # 23:30 in Brussels
    h.open()
    h.engine.process_due()
    assert digests(h.sent()) == []
    tuesday_8 = datetime(2026, 11, 3, 7, 0, tzinfo=UTC)
    assert ("next:digest", tuesday_8) in h.engine.wakeups(after=h.clock.now())
    held = [r for r in h.repo.audit_rows() if r.action == "digest_held"]
    assert [(r.subject, r.details["until"]) for r in held] == [("2026-W45", "2026-11-03T07:00:00Z")]
    sent = digests(wake_until(h, tuesday_8 + timedelta(minutes=1)))
    assert len(sent) == 1 and sent[0]["created_at"] == "2026-11-03T07:00:00Z"
    assert "(sent late: I was away on Monday 2 November 2026 at 10:00)" in sent[0]["plain"]
    assert ("next:digest", NEXT_MONDAY_10) in h.engine.wakeups(after=h.clock.now())


def test_a_late_digest_whose_quiet_hours_end_next_week_goes_at_once(make_harness):
    """Back at 22:00 on Sunday, the week's digest missed: its quiet hours end on Monday, in
    the next week; holding it would lose that week's digest, so it goes now, late."""
    h = _group_with_news(make_harness)
    h.close()
    h.clock.set(datetime(2026, 11, 8, 21, 0, tzinfo=UTC))  # Sunday 22:00 in Brussels
    h.open()
    h.engine.process_due()
    sent = digests(h.sent())
    assert [r["subject"] for r in sent] == ["digest:2026-W45"]
    assert "(sent late: I was away on Monday 2 November 2026 at 10:00)" in sent[0]["plain"]
    assert not [r for r in h.repo.audit_rows() if r.action == "digest_held"]


def test_a_digest_the_group_set_inside_its_quiet_hours_is_not_held(make_harness):
    """A group that chose Sunday 22:00 (inside its quiet hours) gets its digest then; late by
    an outage, it goes as soon as the bot is back, not on Monday morning."""
    h = make_harness(clock=FakeClock(SUNDAY), group_extra='digest = "sun 22:00"')
    h.say(DAN, '!propose "Repair Together" they fix things with us')
    h.sent()
    h.close()
    h.clock.set(datetime(2026, 11, 1, 22, 5, tzinfo=UTC))  # Sunday 23:05, 65 minutes late
    h.open()
    h.engine.process_due()
    sent = digests(h.sent())
    assert [r["subject"] for r in sent] == ["digest:2026-W44"]
    assert not [r for r in h.repo.audit_rows() if r.action in ("digest_held", "digest_missed")]
