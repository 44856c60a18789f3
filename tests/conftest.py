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
