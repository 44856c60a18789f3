"""Proposals born in the forum: reading the template in a topic's first post (pure, no I/O).

A forum user opens a topic in the group's cooptation category whose first post carries the
proposal's labelled lines, in any of the three languages::

    name: Repair Together          (nom: / naam:)
    why: they run repair cafés     (pourquoi: / waarom:)
    website: https://…             (optional: site: / website:)
    contact: …                     (optional)
    description: …                 (optional: beschrijving:)
    charter 1: …                   (one per principle when the group has a charter)

The template is recognised by its **name label** at the start of a line, the one label a
discussion never carries: Discourse's own "About the category" topic and discussions are
left alone. What comes before the first label (a greeting, a heading) is not part of any
field; a line without a label continues the field above it, as in the chat form, except
after the one-line fields (name, website, contact), where it is left out (a signature is no
website). Markdown around a label (``**Name:**``, ``- why:``) is tolerated. The fields are
read by the chat form's own parser (``cooptation.parse_proposal``), and the very lines it read are handed
to the engine as that form (``propose_text``): a proposal from the forum means, and is
checked, exactly like ``!propose`` with those lines.

``problems`` lists what the bot can say before asking the engine: fields missing or empty,
a name it cannot use, a text too long for a command. The engine still checks everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .cooptation import CHARTER_LABELS, FIELD_LABELS, MAX_NAME, parse_proposal
from .parsing import fold, name_key
from .render import Phrase, Pieces

NAME_LABELS = frozenset(label for label, field in FIELD_LABELS.items() if field == "name")
# Fields of one line: what follows them without a label (a signature, thanks) is not theirs.
_ONE_LINE = frozenset({"name", "website", "contact"})
# A label line, with the markdown people put around it: a list bullet or a quote, bold or
# italic around the label (before or after its colon).
_MARKED_LABEL = re.compile(
    r"^\s*(?:[-*+]\s+|>\s*)?(?:\*\*|__|\*|_)?\s*([^\W\d_]+)(?:\s+(\d+))?\s*(?:\*\*|__|\*|_)?"
    r"\s*:\s*(?:\*\*|__|\*|_)?\s?(.*)$")


@dataclass(frozen=True)
class Template:
    """A first post read as a proposal: ``text``, its labelled lines as the chat form's
    parser reads them (markdown taken off the labels, what is not part of a field left
    out), and ``fields``, what that parser reads in them."""

    text: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """One thing to fix, as a catalogue key of ``commands/messages/forum.py`` and its
    parameters (written in the reader's language when rendered)."""

    key: str
    params: dict[str, Any]


def _label_line(line: str) -> tuple[str, str] | None:
    """``(label, line without markdown)`` when ``line`` starts with a template label."""
    match = _MARKED_LABEL.match(line)
    if not match:
        return None
    label = fold(match.group(1))
    number = match.group(2)
    if label in CHARTER_LABELS and number:
        return label, f"{label} {int(number)}: {match.group(3).strip()}"
    if label in FIELD_LABELS and not number:
        return label, f"{label}: {match.group(3).strip()}"
    return None


def read_template(raw: str) -> Template | None:
    """The proposal ``raw`` carries, or None (no name label at the start of a line: not a
    proposal, left alone)."""
    lines = (raw or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    named = False
    one_line = True  # before the first label: a greeting or a heading, not a field
    for line in lines:
        found = _label_line(line)
        if found is not None:
            named = named or found[0] in NAME_LABELS
            one_line = FIELD_LABELS.get(found[0]) in _ONE_LINE
            kept.append(found[1])
        elif not one_line:
            kept.append(line)
    if not named:
        return None
    text = "\n".join(kept).strip()
    # An empty first line, as after "!propose": the name comes from its label, never from
    # the line above it.
    return Template(text, parse_proposal("\n" + text))


def propose_text(template: Template, prefix: str) -> str:
    """The chat command of the same proposal: ``!propose``, then the template's lines (the
    engine hands ``parse_proposal`` the text after the command word, a newline first)."""
    return f"{prefix}propose\n{template.text}"


def problems(template: Template, charter_size: int, max_chars: int,
             prefix: str) -> list[Problem]:
    """What the template lacks for the engine to open the proposal: the missing or empty
    fields (``name``, ``why``, ``charter N`` for each principle), a name that cannot be one,
    a text longer than a command may be."""
    missing: list[Phrase] = []
    found: list[Problem] = []
    fields = template.fields
    name = fields["name"]
    if not name:
        missing.append(Phrase.of("forum.label_name"))
    elif len(name) > MAX_NAME or not name_key(name):
        found.append(Problem("forum.born_bad_name", {"candidate": name[:MAX_NAME + 20],
                                                     "max": MAX_NAME}))
    if not fields["rationale"].strip():
        missing.append(Phrase.of("forum.label_why"))
    for number in range(1, charter_size + 1):
        if not fields["charter"].get(number, "").strip():
            missing.append(Phrase.of("forum.label_charter", n=number))
    if missing:
        # `why:`, `charter 2:` (each piece is rendered alone: no separator may end in a space)
        labels = ["`", *[part for phrase in missing for part in ("`, `", phrase)][1:], "`"]
        found.insert(0, Problem("forum.born_missing", {"labels": Pieces(tuple(labels))}))
    size = len(propose_text(template, prefix)) - len(prefix)
    if size > max_chars:
        found.append(Problem("forum.born_too_long", {"size": size, "max": max_chars}))
    return found


def template(charter: tuple[str, ...]) -> Pieces:
    """The lines to copy into a first post, in the reader's language (one per principle of
    the group's charter)."""
    lines: list[object] = [Phrase.of("forum.born_template")]
    for number, principle in enumerate(charter, 1):
        lines += ["\n", Phrase.of("forum.born_template_charter", n=number, principle=principle)]
    return Pieces(tuple(lines))
