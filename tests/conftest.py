# Hypothesis profiles (tests/test_fuzz_*.py, tests/test_rules_stateful.py and the other
# property tests): "ci" unless --hypothesis-profile=long (or HYPOTHESIS_PROFILE=long) asks for
# the deep run.
import os

from hypothesis import settings

settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("long", max_examples=10_000, deadline=None)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE") or "ci")

import pytest

# Helper modules of several test modules: their asserts report as the tests' own do.
pytest.register_assert_rewrite("tests.fuzzing", "tests.reading")

from tests.fuzzing import make_template
from tests.harness import Harness


@pytest.fixture
def harness(tmp_path):
    h = Harness(str(tmp_path / "coopbot.db"))
    yield h
    h.close()


@pytest.fixture
def make_harness(tmp_path):
    made = []

    def make(**options):
        h = Harness(str(tmp_path / f"coopbot{len(made)}.db"), **options)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


@pytest.fixture
def group(tmp_path):
    """A harness per language, made on demand: ``group("fr")`` (tests/test_reading_*.py)."""
    made: dict[str, Harness] = {}

    def make(lang: str = "en") -> Harness:
        h = Harness(str(tmp_path / f"reading-{len(made)}.db"), language=lang)
        made[f"{lang}{len(made)}"] = h
        return h

    yield make
    for h in made.values():
        h.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The fuzz tests' group with history (``tests.fuzzing.make_template``), made once per
    module; ``tests.fuzzing.fresh`` opens a copy of it for each example."""
    return make_template(tmp_path_factory)
