"""Reading what people type: words, quoted names, ids, persons.

Comparison keys are accent-, case- and space-insensitive, so ``Tâches`` finds ``taches`` and
``La Ferme`` is the same candidate as ``laferme``. Organisation names have one stricter key,
``name_key``, used for every comparison of members and candidates (SPEC section 3).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .errors import CommandError

_QUOTES = {'"': '"', "«": "»", "“": "”", "'": "'", "„": "“", "‘": "’", "‹": "›"}
_PROPOSAL_REF = re.compile(r"^(?:c-?|#)(\d{1,9})$", re.IGNORECASE)
_TASK_REF = re.compile(r"^(?:t-?|#)(\d{1,9})$", re.IGNORECASE)
_ANY_REF = re.compile(r"^(?:([ct])-?|#)(\d{1,9})$", re.IGNORECASE)
_MATRIX_ID = re.compile(r"^@[a-z0-9._=\-/+]+:[a-z0-9.\-]+(?::\d+)?$", re.IGNORECASE)
# C0 and C1 controls except tab and newline, the bidi overrides that disguise text, and lone
# surrogates (bytes that were not UTF-8, read with ``surrogateescape``, or a JSON escape):
# no character at all, which SQLite cannot store and no reply could quote.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


# Characters Unicode calls letters that show as blank space (the Hangul fillers): removed
# like the format characters, or "Repair\u3164Together" would be a second candidate.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def fold(text: str) -> str:
    """Lowercase without accents: the key for command words and choices. A word (a command,
    a choice, a label) is folded again and again: remembered, as long as it is short."""
    return _fold_word(text) if len(text) <= 40 else _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


_fold_word = lru_cache(maxsize=4096)(_fold)


def choice_key(text: str) -> str:
    """How a word picked among a few is compared (``!list ouvertes``, ``!role grant groupe
    cœur``, ``who_may_mandate kerngroep``): ``fold``, ``œ`` as ``oe``, one kind of apostrophe,
    single spaces, no sentence punctuation after it."""
    folded = fold(text).replace("œ", "oe").replace("æ", "ae").replace("’", "'").replace("‘", "'")
    return " ".join(folded.split()).rstrip(".,;:!?")


def name_key(name: str) -> str:
    """The one comparison key of an organisation name (SPEC section 3): NFKC, case folding,
    accents removed, and everything but letters and digits removed: spaces, punctuation,
    symbols and the invisible format characters (zero-width space and joiners, word joiner,
    soft hyphen, BOM, bidi marks). ``"Repair\u200bTogether"``, ``"repair together."`` and
    ``"Répair-Together"`` are one name. Empty when the name has no letter or digit."""
    composed = unicodedata.normalize("NFKC", name).casefold()
    decomposed = unicodedata.normalize("NFKD", composed)
    return "".join(ch for ch in decomposed
                   if unicodedata.category(ch)[0] in "LN" and ch not in _BLANK_LETTERS)


def clean_name(name: str) -> str:
    """A name as shown and stored: invisible format characters removed (they would make two
    names look alike), runs of spaces made one."""
    visible = "".join(ch for ch in name
                      if unicodedata.category(ch) != "Cf" and ch not in _BLANK_LETTERS)
    return re.sub(r"\s+", " ", visible).strip()


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text.replace("\r\n", "\n")))


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    return slug[:40].strip("-") or "member"


def split_word(text: str) -> tuple[str, str]:
    """The first whitespace-separated word and the rest (rest keeps its inner newlines)."""
    text = text.lstrip()
    match = re.match(r"(\S+)(.*)", text, re.DOTALL)
    if not match:
        return "", ""
    return match.group(1), match.group(2).lstrip(" \t")


def split_quoted(text: str) -> tuple[str | None, str]:
    """A leading quoted string (``"…"``, ``«…»``, ``“…”``) and the rest, or (None, text)."""
    text = text.lstrip()
    if text and text[0] in _QUOTES:
        closing = _QUOTES[text[0]]
        end = text.find(closing, 1)
        if end > 0:
            return text[1:end].strip(), text[end + 1:].lstrip(" \t")
    return None, text


def proposal_number(token: str) -> int:
    match = _PROPOSAL_REF.match(token.strip())
    if not match:
        raise CommandError("err.bad_proposal_ref", text=token)
    return int(match.group(1))


def task_number(token: str) -> int:
    match = _TASK_REF.match(token.strip())
    if not match:
        raise CommandError("err.bad_task_ref", text=token)
    return int(match.group(1))


def any_ref(token: str) -> tuple[str | None, int]:
    """``C-3`` -> ("C", 3); ``T-2`` -> ("T", 2); ``#3`` -> (None, 3): the caller decides."""
    match = _ANY_REF.match(token.strip())
    if not match:
        raise CommandError("err.bad_ref", text=token)
    kind = match.group(1).upper() if match.group(1) else None
    return kind, int(match.group(2))


def is_matrix_id(token: str) -> bool:
    return bool(_MATRIX_ID.match(token))
