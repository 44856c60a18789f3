# Hypothesis profiles (tests/test_fuzz.py): "ci" unless --hypothesis-profile=long (or
# HYPOTHESIS_PROFILE=long) asks for the deep run.
import os

from hypothesis import settings

settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("long", max_examples=10_000, deadline=None)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE") or "ci")

import pytest

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
