"""Forgiving reading of what names a proposal, a task or a command (issue 9).

People type ids the way they see them or half remember them: ``C-2``, ``c2``, ``C 2``,
``#2``, ``(C-2)``, ``C-2:`` at the end of a sentence. This module reads all of those and
nothing that could be something else, and when a word or a number is not known it finds the
one it was probably meant to be, for a "did you mean…?" question. It never decides: a
suggestion is for the caller to ask about, never to act on.

Pure functions, no I/O, no import of the storage or the executors.

Decisions:

* The prefixes are the bot's: ``C`` for a proposal (cooptation) and ``T`` for a task, both
  case-insensitive. ``#2`` and a bare ``2`` carry no kind: ``read_ref`` returns the number
  for either prefix and ``parse_ref`` says it had none, so the caller decides whether such a
  form is allowed where it stands (SPEC section 10: "``#3`` where unambiguous").
* Between the prefix and the number: nothing, a space, or one hyphen or dash (``‐ ‑ ‒ – —
  −``, which phones and word processors put for ``-``), with spaces around it.
  ``C-02`` is 2: a leading zero changes nothing a reader could mean.
* Brackets, quotes and sentence punctuation stuck to the id are ignored: ``(C-2)``,
  ``«C-2»``, ``C-2:``, ``C-2.``, ``C2,``, ``C-2?!``. Invisible format characters (zero-width
  space, joiners, bidi marks) and full-width forms (``Ｃ２``) read as what they show.
* Anything more is not an id: ``C-2a``, ``C-2-3``, ``C-2/3``, ``C-2.5``, ``CC-2``, ``C--2``,
  and ``T-2`` where a proposal is asked for.
* A bare number is read only with one to three digits. ``2024`` or ``1200`` standing alone is
  more likely a year, an amount or a postcode than the thousandth proposal; with its prefix
  (``C-2024``, ``#2024``) it is read, up to nine digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .parsing import fold, name_key

PROPOSAL = "C"
TASK = "T"
KINDS = (PROPOSAL, TASK)

MAX_BARE_DIGITS = 3
MAX_DIGITS = 9

# What may wrap an id: opening brackets and quotes before, closing ones and sentence
# punctuation after. Stripped as runs, unbalanced too ("C-2)" is still C-2).
_OPENING = "([{<«‹“‘„\"'"
_CLOSING = ")]}>»›”’\"'.,;:!?…"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
_REF = re.compile(
    rf"(?:(?P<kind>[a-z])\s*(?:[{_DASHES}]\s*)?|(?P<hash>#)\s*)?(?P<digits>[0-9]+)",
    re.IGNORECASE,
)
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


@dataclass(frozen=True)
class Ref:
    """An id as read: its kind (``"C"``, ``"T"``, or ``None`` for ``#2`` and ``2``), its
    number, and whether it was a bare number (no prefix, no ``#``)."""

    kind: str | None
    number: int
    bare: bool

    def __str__(self) -> str:
        return f"{self.kind}-{self.number}" if self.kind else f"#{self.number}"


def _visible(text: str) -> str:
    """NFKC (full-width ``Ｃ２`` is ``C2``) without the invisible format characters."""
    composed = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in composed
                   if unicodedata.category(ch) != "Cf" and ch not in _BLANK_LETTERS)


def parse_ref(text: str) -> Ref | None:
    """Read one id of any kind, the whole of ``text`` (surrounding punctuation aside).

    ``"(C-2)"`` -> ``Ref("C", 2, False)``; ``"#2"`` -> ``Ref(None, 2, False)``;
    ``"2"`` -> ``Ref(None, 2, True)``; ``"X-2"``, ``"C-2a"``, ``"2024"`` -> ``None``."""
    if len(text) > 80:  # no id is this long; keeps the work bounded on pasted paragraphs
        return None
    core = _visible(text).strip().lstrip(_OPENING).rstrip(_CLOSING).strip()
    match = _REF.fullmatch(core)
    if not match:
        return None
    digits = match.group("digits")
    kind = match.group("kind")
    if kind is not None:
        kind = kind.upper()
        if kind not in KINDS:
            return None
    bare = kind is None and match.group("hash") is None
    significant = digits.lstrip("0") or "0"
    if len(significant) > (MAX_BARE_DIGITS if bare else MAX_DIGITS):
        return None
    return Ref(kind, int(significant), bare)


def read_ref(text: str, prefix: str, *, bare: bool = True) -> int | None:
    """The number of a ``prefix`` id (``"C"`` proposal, ``"T"`` task) written in ``text``, or
    ``None``. ``#2`` counts for either prefix; a bare ``2`` too unless ``bare=False``.
    Whether that number exists is the caller's business (see ``closest``)."""
    ref = parse_ref(text)
    if ref is None:
        return None
    if ref.kind is not None and ref.kind != prefix.upper():
        return None
    if ref.bare and not bare:
        return None
    return ref.number


def take_ref(text: str, prefix: str, *, bare: bool = True) -> tuple[int, str] | None:
    """An id at the start of ``text`` and the rest: ``"C 2 because…"`` -> ``(2, "because…")``.

    Reads the first word, or the first two or three when the first alone is no id (``C 2``,
    ``# 2``, ``C - 2``); the rest is cut like ``parsing.split_word`` cuts it."""
    words = list(re.finditer(r"\S+", text[:200]))
    for count in (2, 3, 1):
        if len(words) < count:
            continue
        if count > 1 and parse_ref(words[0].group()) is not None:
            continue  # "C-2 3": the id is the first word alone, 3 belongs to the rest
        end = words[count - 1].end()
        number = read_ref(text[:end], prefix, bare=bare)
        if number is not None:
            return number, text[end:].lstrip(" \t")
    return None


def closest(number: int, existing: list[int]) -> int | None:
    """The existing number nearest to ``number`` (for "C-7 does not exist; did you mean
    C-6?"); on a tie the higher, i.e. the more recent, one. ``None`` when there is none."""
    if not existing:
        return None
    return min(existing, key=lambda candidate: (abs(candidate - number), -candidate))


MIN_PARTIAL_KEY = 3


def match_name(text: str, candidates: dict[int, str]) -> list[int]:
    """The numbers of the candidates whose name ``text`` names, compared by ``name_key``.

    Exact key matches if there are any; else every name that contains the text, at its start
    or further in (``ferme`` is both ``Ferme Nos Pilifs`` and ``La Ferme du Chant``: preferring
    the one it starts would be a guess). A partial match needs at least three letters or
    digits (``"a"`` names nothing). Several matches are all returned, in increasing order: the
    caller asks which."""
    key = name_key(text)
    if not key:
        return []
    keys = {number: name_key(name) for number, name in candidates.items()}
    exact = sorted(n for n, k in keys.items() if k == key)
    if exact or len(key) < MIN_PARTIAL_KEY:
        return exact
    return sorted(n for n, k in keys.items() if key in k)


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insertions, deletions, substitutions, swaps of two
    neighbours), stopping early past ``limit``: ``membre``/``membres`` is 1, ``lsit``/``list``
    is 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _allowed_distance(length: int) -> int:
    """How many slips a word of this length may carry and still be recognised: none in a
    word of one or two letters (every short word is one slip from another), one up to five
    letters, two from six."""
    if length <= 2:
        return 0
    return 1 if length <= 5 else 2


def did_you_mean(word: str, words: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The one word of ``words`` that ``word`` is a slip of (``membre`` -> ``membres``,
    ``taches`` -> ``tâches``, ``lsit`` -> ``list``), or ``None``.

    Compared without case or accents. Conservative: a word that is a known one up to case and
    accents gives that word; otherwise a suggestion needs an edit distance within the
    allowance of the typed word's length (see ``_allowed_distance``), and only one candidate
    may be that close: two equally close words are a question the bot cannot answer for the
    user."""
    typed = fold(word.strip())
    if not typed or len(typed) > 40:
        return None
    by_key: dict[str, str] = {}
    for candidate in words:
        by_key.setdefault(fold(candidate), candidate)
    if typed in by_key:
        return by_key[typed]
    limit = _allowed_distance(len(typed))
    if limit == 0:
        return None
    scored = sorted((_edit_distance(typed, key, limit), key) for key in by_key)
    best = [key for distance, key in scored if distance == scored[0][0]] if scored else []
    if not best or scored[0][0] > limit or len(best) > 1:
        return None
    return by_key[best[0]]
