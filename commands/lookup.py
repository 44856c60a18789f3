"""Which proposal or task a person means (issue 9, item 4).

People name a proposal or a task the way they see it or half remember it: ``C-2``, ``c2``,
``C 2``, ``#2``, ``(C-2):``, a bare ``2``, or by name: the candidate's name for a proposal,
the title for a task. This module turns what they typed into the row, reading ids and names
with ``refs``, and refuses, saying what to type, wherever it would otherwise have to guess:

* An id that does not exist is refused with the nearest one that does (``refs.closest``),
  named, so the person sees at once whether it is the one they meant.
* A name is compared by ``name_key`` (``refs.match_name``): exact names first, else every
  name that contains it. Several matches are a question that lists them; none, a refusal.
  Where one name was given twice (a candidate proposed again after a withdrawal, a task
  mandated twice), a command that acts takes the running one: it could not act on the
  closed one anyway. A partial name is never narrowed that way: it must fit one alone.
* A name never eats the text after it. Where free text follows (a reason, a comment, a note),
  an unquoted name is not read: if the first words are exactly a name, the refusal asks
  whether that one was meant and shows the command written with its number. Where only words
  follow (``!withdraw Repair Together proposal``, ``!handover Book the room @bob``), the
  longest run of first words that is exactly one name is read; a quoted name is read
  anywhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .context import Context
from .errors import CommandError
from .lifecycle import ACTIVE
from .parsing import name_key, split_quoted, split_word
from .refs import PROPOSAL, TASK, closest, match_name, parse_ref, take_ref
from .task_lifecycle import ACTIVE_TASK

MAX_NAME_WORDS = 12     # no candidate name or task title a person retypes is longer
MAX_CHOICES = 8         # a question lists at most this many matches
MAX_ECHO = 80           # of a person's text repeated in a refusal

# What may follow the proposal or task in a command (``take``'s ``tail``).
WORDS = "words"         # a choice, a person, or nothing: an exact name may stand unquoted
TEXT = "text"           # a reason, a comment, a note: a name must be quoted


@dataclass(frozen=True)
class Kind:
    """One kind of numbered thing a person names: how it is found and how refusals say it."""

    prefix: str                 # "C" or "T"
    running: frozenset[str]     # the states the commands act in
    fetch: str                  # the repository method giving one row by number
    list_labels: str            # the repository method giving (number, name, state)
    bad: str                    # refusal: the text is no id of this kind
    unknown: str                # refusal: no such id, and nothing else exists
    unknown_near: str           # refusal: no such id; the nearest one that exists
    no_name: str                # refusal: no name fits

    def ref(self, number: int) -> str:
        return f"{self.prefix}-{number}"

    def row(self, ctx: Context, number: int) -> Any:
        return getattr(ctx.repo, self.fetch)(ctx.group.slug, number)

    def labels(self, ctx: Context) -> list[tuple[int, str, str]]:
        return getattr(ctx.repo, self.list_labels)(ctx.group.slug)


PROPOSALS = Kind(PROPOSAL, frozenset(s.value for s in ACTIVE), "proposal", "proposal_labels",
                 "err.bad_proposal_ref", "err.unknown_proposal", "err.unknown_proposal_near",
                 "err.no_proposal_named")
TASKS = Kind(TASK, frozenset(s.value for s in ACTIVE_TASK), "task", "task_labels",
             "err.bad_task_ref", "err.unknown_task", "err.unknown_task_near",
             "err.no_task_named")
KINDS = {"proposal": PROPOSALS, "task": TASKS}


def take(ctx: Context, kind: Kind, rest: str, *, tail: str, word: str) -> tuple[Any, str]:
    """The proposal or task named at the start of ``rest`` and the text after it.

    ``tail`` says what may follow (``WORDS``, ``TEXT``); ``word`` is the command's word,
    for the example a refusal shows."""
    taken = take_ref(rest, kind.prefix)
    if taken is not None:
        number, after = taken
        return existing(ctx, kind, number), after
    quoted, after = split_quoted(rest)
    if quoted is not None:
        number = _one_named(ctx, kind, quoted, acting=True, word=word, after=after)
        return kind.row(ctx, number), after
    found = _leading_name(ctx, kind, rest, word)
    if found is not None:
        number, name, after = found
        if tail == WORDS:
            return kind.row(ctx, number), after
        raise CommandError("err.name_before_text", ref=kind.ref(number), name=name,
                           example=_example(ctx, word, kind.ref(number), after))
    raise CommandError(kind.bad, text=split_word(rest)[0][:MAX_ECHO])


def existing(ctx: Context, kind: Kind, number: int) -> Any:
    """The row numbered ``number``, or the refusal naming the nearest one that exists."""
    row = kind.row(ctx, number)
    if row is not None:
        return row
    labels = kind.labels(ctx)
    near = closest(number, [n for n, _, _ in labels])
    if near is None:
        raise CommandError(kind.unknown, ref=kind.ref(number))
    raise CommandError(kind.unknown_near, ref=kind.ref(number), near=kind.ref(near),
                       name=dict((n, name) for n, name, _ in labels)[near])


def either(ctx: Context, text: str, *, word: str) -> str:
    """What ``!status`` is asked about, as ``C-n`` or ``T-n``: a proposal's or a task's id in
    any of its forms, or its name (a proposal's first, then a task's). ``#2`` and a bare
    ``2`` mean whichever exists, and are a question when both do."""
    ref = parse_ref(text)
    if ref is not None:
        if ref.kind is not None:
            kind = PROPOSALS if ref.kind == PROPOSAL else TASKS
            existing(ctx, kind, ref.number)
            return kind.ref(ref.number)
        return _either_number(ctx, text, ref.number)
    quoted, after = split_quoted(text)
    if quoted is not None and after.strip():
        raise CommandError("err.too_many_args", extra=after.strip()[:MAX_ECHO],
                           syntax=ctx.usage)
    name = quoted if quoted is not None else text.strip()
    for kind in (PROPOSALS, TASKS):
        numbers = _named(ctx, kind, name, acting=False)
        if numbers:
            if len(numbers) > 1:
                raise _which_one(ctx, kind, name, numbers, word, "")
            return kind.ref(numbers[0])
    for prefix in (PROPOSAL, TASK):
        taken = take_ref(text, prefix)
        if taken is not None and taken[1].strip():  # "C-2 please"
            raise CommandError("err.too_many_args", extra=taken[1].strip()[:MAX_ECHO],
                               syntax=ctx.usage)
    raise CommandError("err.bad_ref", text=text.strip()[:MAX_ECHO])


# --- names ------------------------------------------------------------------------------------

def _named(ctx: Context, kind: Kind, text: str, *, acting: bool) -> list[int]:
    """The numbers ``text`` names (``match_name``), narrowed to the running ones when the
    command acts and the name is given exactly more than once."""
    labels = kind.labels(ctx)
    found = match_name(text, {number: name for number, name, _ in labels})
    if acting and len(found) > 1:
        state = {number: st for number, _, st in labels}
        names = {number: name for number, name, _ in labels}
        exact = all(name_key(names[n]) == name_key(text) for n in found)
        running = [n for n in found if state[n] in kind.running]
        if exact and running:
            found = running
    return found


def _one_named(ctx: Context, kind: Kind, text: str, *, acting: bool, word: str,
               after: str) -> int:
    numbers = _named(ctx, kind, text, acting=acting)
    if len(numbers) == 1:
        return numbers[0]
    if numbers:
        raise _which_one(ctx, kind, text, numbers, word, after)
    raise CommandError(kind.no_name, text=text[:MAX_ECHO])


def _leading_name(ctx: Context, kind: Kind, rest: str, word: str) -> tuple[int, str, str] | None:
    """The longest run of first words of ``rest`` that is exactly one name (name_key), its
    name and what follows; a question when that name is several running ones."""
    words = list(re.finditer(r"\S+", rest[:2000]))[:MAX_NAME_WORDS]
    if not words:
        return None
    by_key: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for label in kind.labels(ctx):
        by_key[name_key(label[1])].append(label)
    for count in range(len(words), 0, -1):
        end = words[count - 1].end()
        matches = by_key.get(name_key(rest[:end]))
        if not matches:
            continue
        after = rest[end:].lstrip(" \t")
        chosen = [m for m in matches if m[2] in kind.running] or matches
        if len(chosen) > 1:
            raise _which_one(ctx, kind, rest[:end].strip(), [m[0] for m in chosen], word, after)
        return chosen[0][0], chosen[0][1], after
    return None


def _which_one(ctx: Context, kind: Kind, text: str, numbers: list[int], word: str,
               after: str) -> CommandError:
    names = {number: name for number, name, _ in kind.labels(ctx)}
    shown = [f"{kind.ref(n)} {names[n]}" for n in numbers[:MAX_CHOICES]]
    if len(numbers) > MAX_CHOICES:
        shown.append("…")
    return CommandError("err.which_one", text=text[:MAX_ECHO], choices=", ".join(shown),
                        example=_example(ctx, word, kind.ref(numbers[0]), after))


def _either_number(ctx: Context, text: str, number: int) -> str:
    proposal = ctx.repo.proposal(ctx.group.slug, number) is not None
    task = ctx.repo.task(ctx.group.slug, number) is not None
    if proposal and task:
        raise CommandError("err.ambiguous_ref", text=text.strip()[:MAX_ECHO],
                           a=PROPOSALS.ref(number), b=TASKS.ref(number))
    if proposal or task:
        return (PROPOSALS if proposal else TASKS).ref(number)
    nearest = []
    for kind in (PROPOSALS, TASKS):
        labels = kind.labels(ctx)
        near = closest(number, [n for n, _, _ in labels])
        if near is not None:
            name = dict((n, name) for n, name, _ in labels)[near]
            nearest.append(f"{kind.ref(near)} ({name})")
    if not nearest:
        raise CommandError("err.unknown_ref", number=number)
    raise CommandError("err.unknown_ref_near", number=number, near=", ".join(nearest))


def _example(ctx: Context, word: str, ref: str, after: str) -> str:
    """The command as the person would write it with the id: ``!object C-2 not an org``
    (the rest cut at its first line and shortened: it only shows where the id goes)."""
    line = after.strip().split("\n", 1)[0]
    if len(line) > MAX_ECHO or "\n" in after.strip():
        line = line[:MAX_ECHO].rstrip() + "…"
    return " ".join(part for part in (f"{ctx.group.prefix}{word}", ref, line) if part)
