"""Metrics in Prometheus' text format (prometheus-client), for ``GET /metrics``.

What the database records is read from it at each scrape (decisions, ladder steps, the
outbox, how far each source has been read), so it is right after a restart; what it does not
record is counted in the process: commands by command and outcome (``bot/observe.py``), and
errors logged. Counters restart at zero with the process, which Prometheus' ``rate()``
and ``increase()`` expect.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.health import FORUM_READ, MATRIX_SYNCED, HealthStore

from .health import delivered_venues

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OWN_LOGGERS = ("bot", "commands", "storage")  # coopbot's packages: errors counted from 0


class Metrics:
    """One registry per runtime (no process-wide singleton): tests run several bots."""

    def __init__(self, runtime) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.commands = Counter("coopbot_commands", "Commands handled, by command and outcome "
                                "(ok, refused, error)", ["command", "outcome"],
                                registry=self.registry)
        self.errors = Counter("coopbot_errors", "Errors logged, by logger", ["logger"],
                              registry=self.registry)
        # At 0 from the start: a series that appears with its first error is not seen by
        # increase() (no earlier sample), so an alert on errors would miss the first one.
        for logger in OWN_LOGGERS:
            self.errors.labels(logger)
        self.registry.register(_DatabaseCollector(runtime))
        self.error_counter = _ErrorCounter(self.errors)

    def command(self, name: str, outcome: str) -> None:
        self.commands.labels(name, outcome).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _ErrorCounter(logging.Handler):
    """Counts the records logged at ERROR or above (attached to the root logger while the
    runtime lives)."""

    def __init__(self, counter: Counter) -> None:
        super().__init__(logging.ERROR)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        self.counter.labels(record.name.split(".")[0]).inc()


class _DatabaseCollector(Collector):
    """Read at each scrape: cheap indexed counts over the runtime's database."""

    def __init__(self, runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        runtime = self.runtime
        store = HealthStore(runtime.repo.db)
        now = runtime.clock.now()

        decisions = CounterMetricFamily("coopbot_decisions", "Proposals decided, by outcome",
                                        labels=["outcome"])
        for outcome, count in store.decisions().items():
            decisions.add_metric([outcome], count)
        yield decisions

        steps = CounterMetricFamily("coopbot_task_steps_sent", "Nudges, escalations and "
                                    "feedback reminders sent, by kind", labels=["kind"])
        for kind, count in store.ladder_steps().items():
            steps.add_metric([kind], count)
        yield steps

        yield CounterMetricFamily("coopbot_messages_sent", "Outbox messages delivered",
                                  value=store.sent_count())

        venues = delivered_venues(runtime.config)
        pending = GaugeMetricFamily("coopbot_outbox_pending", "Messages waiting in the outbox "
                                    "(undeliverable: they never can be)", labels=["kind"])
        oldest = GaugeMetricFamily("coopbot_outbox_oldest_age_seconds", "Age of the oldest "
                                   "message waiting in the outbox", labels=["kind"])
        for kind, deliverable in (("deliverable", True), ("undeliverable", False)):
            backlog = store.backlog(venues, deliverable=deliverable)
            pending.add_metric([kind], backlog.count)
            age = (now - backlog.oldest).total_seconds() if backlog.oldest else 0.0
            oldest.add_metric([kind], age)
        yield pending
        yield oldest

        marks = store.marks()
        lag = GaugeMetricFamily("coopbot_source_lag_seconds", "Time since each source was "
                                "last read completely (Matrix sync, forum poll)",
                                labels=["source"])
        for source, key in (("matrix", MATRIX_SYNCED), ("forum", FORUM_READ)):
            if marks[key] is not None:
                lag.add_metric([source], (now - marks[key]).total_seconds())
        yield lag
