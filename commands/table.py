"""The command table: one entry per command, from which dispatch, rights checks and ``!help``
are all derived, so they never drift apart.

An entry holds the command's words in the three languages, its typed parameters, the right
it requires, and its executor. Executors receive a ``Context`` and the parsed arguments;
they change state through the repository and queue replies; they raise ``CommandError`` to
refuse. Help text lives in ``messages.py`` under ``help.<name>``, ``example.<name>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from . import admin, cooptation, followup, lookup, tasks, tree
from .context import Context
from .errors import CommandError
from .events import Venue
from .legitimacy import in_good_standing_holders
from .messages import CATALOG
from .parsing import choice_key, fold, is_matrix_id, name_key, split_quoted, split_word
from .refs import did_you_mean
from .render import Message, Person, join, render, text


class Right(StrEnum):
    ANYONE = "anyone"
    REPRESENTATIVE = "representative"  # represents an active member of the group
    CORE = "core"
    ADMIN = "admin"
    # Deciding a contested proposal: a core member, or an admin when no core member is
    # outside the case; the executor checks the case itself (legitimacy.deciders).
    DECIDE = "decide"
    # Task rights (SPEC section 10). The table checks what it can before the task is known:
    # MANDATE follows the group's who_may_mandate; LEAD and LEAD_OR_CORE let through whoever
    # leads some running task (or is core), and the executor then checks the named task.
    MANDATE = "mandate"
    LEAD = "lead"
    LEAD_OR_CORE = "lead_or_core"


@dataclass(frozen=True)
class Param:
    name: str                     # catalog key param.<name>, and the key in the args dict
    kind: str                     # proposal | task | ref | person | member | choice | word
                                  # | text | body
    required: bool = True
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical -> lang -> word
    # What else a choice accepts (issue 9, item 7: what the bot writes is understood back):
    # the words of these catalog keys in every language, each for the value its key ends
    # with (``state.open`` -> ``open``) unless ``renamed``; and more words per value.
    shown: tuple[str, ...] = ()
    renamed: dict[str, str] = field(default_factory=dict)   # catalog key -> value
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)  # value -> more words


@dataclass(frozen=True)
class Command:
    name: str
    words: dict[str, tuple[str, ...]]  # the words that call it, per language (fr, nl, en)
    right: Right
    params: tuple[Param, ...]
    run: Callable[[Context, dict[str, Any]], None]
    # Whether it can change who may decide any contested proposal (a role, a member's status,
    # a link): the engine then re-checks every contested proposal's follow-up. (An objection
    # moves only its own proposal's: ``object_`` re-checks that one.)
    moves_deciders: bool = False

    def word(self, lang: str) -> str:
        return self.words[lang][0]

    def all_words(self) -> set[str]:
        return {fold(w) for words in self.words.values() for w in words} | {self.name}


def _choice(**choices: tuple[str, str, str]) -> dict[str, dict[str, str]]:
    """``accept=("accepter", "aanvaarden", "accept")`` -> canonical -> lang -> word."""
    return {key: dict(zip(("fr", "nl", "en"), words)) for key, words in choices.items()}


def _keys(prefix: str, names: str) -> tuple[str, ...]:
    """``_keys("state", "open all")`` -> ``("state.open", "state.all")``."""
    return tuple(f"{prefix}.{name}" for name in names.split())


_WITHDRAW_WHAT = _choice(objection=("objection", "bezwaar", "objection"),
                         support=("soutien", "steun", "support"),
                         proposal=("proposition", "voorstel", "proposal"))
_DECISION = _choice(accept=("accepter", "aanvaarden", "accept"),
                    reject=("refuser", "weigeren", "reject"))
_LIST_WHICH = _choice(open=("ouvertes", "open", "open"),
                      contested=("contestées", "betwist", "contested"),
                      validated=("validées", "gevalideerd", "validated"),
                      all=("toutes", "alle", "all"))
_CONFIG_VERB = _choice(show=("voir", "tonen", "show"), set=("changer", "instellen", "set"))
_ROLE_VERB = _choice(grant=("donner", "toekennen", "grant"), revoke=("retirer", "afnemen", "revoke"))
_ROLE_NAME = _choice(core=("core", "core", "core"), registrar=("registrar", "registrar", "registrar"),
                     admin=("admin", "admin", "admin"))
_MEMBER_VERB = _choice(suspend=("suspendre", "schorsen", "suspend"), leave=("départ", "vertrek", "leave"),
                       reinstate=("réintégrer", "herstellen", "reinstate"))
_LANG = _choice(fr=("fr", "fr", "fr"), nl=("nl", "nl", "nl"), en=("en", "en", "en"))
_TASKS_WHICH = _choice(mine=("miennes", "mijn", "mine"),
                       stalled=("bloquées", "vastgelopen", "stalled"),
                       all=("toutes", "alle", "all"))


def _help(ctx: Context, args: dict[str, Any]) -> None:
    """!help [command]: what the caller may use, or one command's syntax and example."""
    lang, prefix = ctx.lang, ctx.group.prefix
    if args.get("command"):
        command = find(args["command"].lstrip(prefix))
        if command is None:
            raise unknown_command(args["command"], prefix)
        others = sorted({w for ws in command.words.values() for w in ws} - {command.word(lang)})
        who = text(lang, "who.anyone") if command.right is Right.ANYONE else \
            text(lang, f"role.{command.right.value}")
        ctx.out.reply("help.detail", syntax=syntax(command, lang, prefix),
                      summary=text(lang, f"help.{command.name}"),
                      aliases=", ".join(others), who=who,
                      example=text(lang, f"example.{command.name}", prefix=prefix))
        return
    # In a room, where everyone reads it, the everyday commands only; in a direct chat,
    # everything the caller may use.
    short = ctx.event.venue is not Venue.DM
    lines: list[Message] = [render(lang, "help.header_short" if short else "help.header",
                                   prefix=prefix)]
    for command in COMMANDS:
        if (not short or command.name in EVERYDAY) and allowed(ctx, command.right):
            lines.append(render(lang, "help.line", syntax=syntax(command, lang, prefix),
                                summary=text(lang, f"help.{command.name}")))
    if short:
        lines.append(render(lang, "help.footer_short", prefix=prefix))
    ctx.out.reply_message(join(lines))


# What ``!help`` shows in a room (with its header and footer, at most 8 lines).
EVERYDAY = ("propose", "object", "support", "status", "list", "tasks")


COMMANDS: tuple[Command, ...] = (
    Command("propose", {"fr": ("coopter", "proposer"), "nl": ("voordragen",), "en": ("propose",)},
            Right.REPRESENTATIVE, (Param("name", "body"), Param("rationale", "body")),
            cooptation.propose),
    Command("object", {"fr": ("objection", "objecter"), "nl": ("bezwaar",), "en": ("object",)},
            Right.REPRESENTATIVE, (Param("proposal", "proposal"), Param("reason", "text")),
            cooptation.object_),
    # ANYONE: an objection's author may always withdraw it, even if their organisation has
    # been suspended since; the executor checks who may withdraw what.
    Command("withdraw", {"fr": ("retirer",), "nl": ("intrekken",), "en": ("withdraw",)},
            Right.ANYONE,
            (Param("proposal", "proposal"), Param("what", "choice", False, _WITHDRAW_WHAT)),
            cooptation.withdraw),
    # The nouns too, as !objection and !bezwaar are: a French speaker types !soutien.
    Command("support", {"fr": ("soutenir", "soutien"), "nl": ("steunen", "steun"),
                        "en": ("support",)},
            Right.REPRESENTATIVE,
            (Param("proposal", "proposal"), Param("comment", "text", False)),
            cooptation.support),
    Command("status", {"fr": ("statut",), "nl": ("status",), "en": ("status",)},
            Right.ANYONE, (Param("ref", "ref"),), cooptation.status),
    Command("list", {"fr": ("liste",), "nl": ("lijst",), "en": ("list",)},
            Right.ANYONE,
            (Param("which", "choice", False, _LIST_WHICH,
                   shown=_keys("which", "open contested validated accepted rejected withdrawn all")
                   + _keys("state", "open contested validated accepted rejected withdrawn all "
                                    "active"),
                   also={"all": ("tout", "tous")}),),
            cooptation.list_),
    Command("members", {"fr": ("membres",), "nl": ("leden",), "en": ("members",)},
            Right.ANYONE, (), cooptation.members),
    Command("resolve", {"fr": ("trancher",), "nl": ("beslissen",), "en": ("resolve",)},
            Right.DECIDE,
            (Param("proposal", "proposal"), Param("decision", "choice", True, _DECISION),
             Param("reason", "text")),
            cooptation.resolve),
    Command("config", {"fr": ("config",), "nl": ("config",), "en": ("config",)},
            Right.ADMIN,
            (Param("verb", "choice", True, _CONFIG_VERB), Param("key", "word", False),
             Param("value", "text", False)),
            admin.config),
    Command("role", {"fr": ("rôle",), "nl": ("rol",), "en": ("role",)},
            Right.ADMIN,
            (Param("verb", "choice", True, _ROLE_VERB),
             Param("role", "choice", True, _ROLE_NAME, shown=_keys("role", "admin core registrar")),
             Param("person", "person")),
            admin.role, moves_deciders=True),
    Command("link", {"fr": ("lier",), "nl": ("koppelen",), "en": ("link",)},
            Right.ADMIN, (Param("person", "person"), Param("member", "member")), admin.link,
            moves_deciders=True),
    Command("unlink", {"fr": ("délier",), "nl": ("ontkoppelen",), "en": ("unlink",)},
            Right.ADMIN, (Param("person", "person"),), admin.unlink, moves_deciders=True),
    Command("member", {"fr": ("membre",), "nl": ("lid",), "en": ("member",)},
            Right.ADMIN,
            (Param("verb", "choice", True, _MEMBER_VERB,
                   # the status the bot shows for a member, read as the verb that sets it
                   shown=_keys("member", "suspended left active"),
                   renamed={"member.suspended": "suspend", "member.left": "leave",
                            "member.active": "reinstate"}),
             Param("member", "member")),
            admin.member, moves_deciders=True),
    Command("lang", {"fr": ("langue",), "nl": ("taal",), "en": ("lang", "language")},
            Right.ANYONE, (Param("what", "text"),), admin.lang),
    Command("mandate", {"fr": ("mandater",), "nl": ("mandateren",), "en": ("mandate",)},
            Right.MANDATE, (Param("lead", "person"), Param("title", "body")), tasks.mandate),
    Command("tasks", {"fr": ("tâches",), "nl": ("taken",), "en": ("tasks",)},
            Right.ANYONE,
            (Param("which", "choice", False, _TASKS_WHICH,
                   shown=_keys("tasks.which", "active mine stalled all feedback done dropped "
                                              "cancelled")
                   + _keys("tstate", "open feedback done dropped cancelled"),
                   # The bot says "en cours"/"lopend" both for the running tasks and for the
                   # state open: the running tasks, the list it shows by default.
                   renamed={"tstate.open": "active"}, also={"all": ("tout", "tous")}),),
            tasks.list_tasks),
    Command("update", {"fr": ("avancement",), "nl": ("voortgang",), "en": ("update",)},
            Right.LEAD_OR_CORE, (Param("task", "task"), Param("note", "body")), tasks.update),
    # "fini" and "terminé" are what people type first in French; "gedaan" in Dutch.
    Command("done", {"fr": ("fait", "fini", "terminé"), "nl": ("klaar", "gedaan"),
                     "en": ("done",)},
            Right.LEAD_OR_CORE, (Param("task", "task"), Param("note", "text", False)), tasks.done),
    Command("drop", {"fr": ("abandonner",), "nl": ("schrappen",), "en": ("drop",)},
            Right.LEAD_OR_CORE, (Param("task", "task"), Param("reason", "text")), tasks.drop),
    Command("handover", {"fr": ("transmettre",), "nl": ("overdragen",), "en": ("handover",)},
            Right.LEAD_OR_CORE, (Param("task", "task"), Param("person", "person")),
            tasks.handover),
    Command("snooze", {"fr": ("reporter",), "nl": ("uitstellen",), "en": ("snooze",)},
            Right.LEAD, (Param("task", "task"), Param("duration", "body")), tasks.snooze),
    Command("feedback", {"fr": ("avis",), "nl": ("feedback",), "en": ("feedback",)},
            Right.LEAD, (Param("task", "task"), Param("deliverable", "body")), tasks.feedback),
    Command("ack", {"fr": ("vu",), "nl": ("gezien",), "en": ("ack",)},
            Right.REPRESENTATIVE, (Param("task", "task"), Param("comment", "text", False)),
            tasks.ack),
    Command("away", {"fr": ("absent",), "nl": ("afwezig",), "en": ("away",)},
            Right.ANYONE, (Param("when", "body"),), tasks.away),
    Command("tree", {"fr": ("arbre",), "nl": ("stamboom",), "en": ("tree",)},
            Right.ANYONE, (), tree.show),
    Command("help", {"fr": ("aide",), "nl": ("hulp",), "en": ("help",)},
            Right.ANYONE, (Param("command", "word", False),), _help),
)

_BY_WORD: dict[str, Command] = {}
BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
for _command in COMMANDS:
    for _word in _command.all_words():
        assert _word not in _BY_WORD, f"the word {_word!r} calls two commands"
        _BY_WORD[_word] = _command


def find(word: str) -> Command | None:
    return _BY_WORD.get(fold(word))


def word_language(word: str) -> str | None:
    """The language a command word belongs to, when it belongs to one only (``bezwaar`` is
    Dutch; ``status`` is English and Dutch, so it says nothing). No command word is long:
    a long first word is none, and is not remembered."""
    return _word_language(word) if len(word) <= 40 else None


@lru_cache(maxsize=1024)
def _word_language(word: str) -> str | None:
    command = find(word)
    if command is None:
        return None
    folded = fold(word)
    langs = [lang for lang, words in command.words.items() if folded in map(fold, words)]
    return langs[0] if len(langs) == 1 else None


def unknown_command(word: str, prefix: str, ctx: Context | None = None) -> CommandError:
    """The refusal of a word that calls no command: with "did you mean…?" when it is a slip
    of the word of one command the caller may use (any command, without ``ctx``)."""
    usable = [c for c in COMMANDS if ctx is None or allowed(ctx, c.right)]
    suggestion = _suggest(word, usable, ctx.lang if ctx else "en")
    if suggestion:
        return CommandError("err.unknown_command", word=word, suggestion=suggestion)
    return CommandError("err.unknown_command_plain", word=word)


def _suggest(word: str, commands: list[Command], lang: str) -> str | None:
    """The command word ``word`` is a slip of (``refs.did_you_mean`` over the words of
    ``commands`` in the three languages), shown as it is written (``tâches``). Two words as
    close are no answer, unless both call one command (``statu``: ``status`` or ``statut``):
    then that command's word in ``lang``."""
    words = {w: command for command in commands for ws in command.words.values() for w in ws}
    found = did_you_mean(word, list(words))
    if found is not None:
        return found
    close = {command.name: command for w, command in words.items() if did_you_mean(word, [w])}
    return next(iter(close.values())).word(lang) if len(close) == 1 else None


def syntax(command: Command, lang: str, prefix: str) -> str:
    """How the command is typed, as refusals show it (``!object C-n reason``); the same for
    every call, written once."""
    return _syntax(command.name, lang, prefix)


@lru_cache(maxsize=None)
def _syntax(name: str, lang: str, prefix: str) -> str:
    command = BY_NAME[name]
    parts = [f"{prefix}{command.word(lang)}"]
    if command.name == "propose":
        parts.append(f"{text(lang, 'param.name')} {text(lang, 'param.rationale')}")
    else:
        for param in command.params:
            if param.kind == "choice":
                label = "|".join(words.get(lang, key) for key, words in param.choices.items())
            else:
                label = text(lang, f"param.{param.name}")
            parts.append(label if param.required else f"[{label}]")
    return " ".join(parts)


def allowed(ctx: Context, right: Right) -> bool:
    if right is Right.ANYONE:
        return True
    if right is Right.REPRESENTATIVE:
        return ctx.caller_member() is not None
    if right is Right.MANDATE:
        if ctx.group.settings.who_may_mandate == "members" and ctx.caller_member() is not None:
            return True
        return ctx.has_role("core") or ctx.has_role("admin")
    if right is Right.LEAD:
        return followup.leads_any(ctx)
    if right is Right.LEAD_OR_CORE:
        return ctx.has_role("core") or followup.leads_any(ctx)
    if right is Right.DECIDE:
        return ctx.has_role("core") or ctx.has_role("admin")
    return ctx.has_role(right.value)


def check_right(ctx: Context, command: Command, word: str | None = None) -> None:
    """Refuse a caller who may not use ``command``. When the ``word`` they typed is a slip of
    the word of a command they may use (``!membre`` for ``!membres``), the refusal asks
    whether they meant that one."""
    try:
        _check_right(ctx, command)
    except CommandError as refusal:
        others = [c for c in COMMANDS if c is not command and allowed(ctx, c.right)]
        suggestion = _suggest(word, others, ctx.lang) if word else None
        if suggestion is None:
            raise
        raise CommandError("err.not_yours_did_you_mean", word=word[:40], suggestion=suggestion,
                           refusal=text(ctx.lang, refusal.key, prefix=ctx.group.prefix,
                                        **refusal.params)) from None


def _check_right(ctx: Context, command: Command) -> None:
    if command.right in (Right.LEAD, Right.LEAD_OR_CORE) and _could_lead(ctx):
        # Whether the caller leads *this* task is for the executor to check, once it knows
        # the task: asking whether they lead any would read every running task.
        return
    if allowed(ctx, command.right):
        return
    if command.right is Right.REPRESENTATIVE:
        ctx.require_representative()
    if command.right is Right.MANDATE:
        _refuse_inactive_member(ctx)
    if command.right is Right.MANDATE:
        if ctx.group.settings.who_may_mandate == "members":
            raise CommandError("err.not_representative", admins=ctx.admins())
        raise CommandError("err.cannot_mandate")
    if command.right in (Right.LEAD, Right.LEAD_OR_CORE):
        _refuse_inactive_member(ctx)  # a suspended lead learns why, not "you lead nothing"
    if command.right is Right.LEAD:
        raise CommandError("err.leads_nothing")
    if command.right is Right.LEAD_OR_CORE:
        raise CommandError("err.leads_nothing_core")
    roles = ("core", "admin") if command.right is Right.DECIDE else (command.right.value,)
    people = [p for role in roles for p in in_good_standing_holders(ctx.repo, ctx.group.slug, role)]
    raise CommandError("err.needs_role", role=text(ctx.lang, f"role.{command.right.value}"),
                       people=Person.listed(dict.fromkeys(people)))


def _could_lead(ctx: Context) -> bool:
    """Whether the caller is someone a task can be led by (tasks.may_lead): a representative
    of an active member, or a role holder in good standing."""
    if ctx.caller_member() is not None:
        return True
    return any(ctx.has_role(role) for role in ("admin", "core", "registrar"))


def _refuse_inactive_member(ctx: Context) -> None:
    """A linked person whose organisation is suspended or left learns that, not 'get linked'."""
    member = ctx.repo.linked_member(ctx.group.slug, ctx.caller)
    if member and member.status != "active":
        raise CommandError("err.member_inactive", member=member.name,
                           status=text(ctx.lang, f"member.{member.status}"))


def parse_args(ctx: Context, command: Command, rest: str) -> dict[str, Any]:
    """Typed arguments from the text after the command word, in table order."""
    args: dict[str, Any] = {}
    missing = CommandError("err.missing_args", syntax=syntax(command, ctx.lang, ctx.group.prefix))
    word = command.word(ctx.lang)
    for index, param in enumerate(command.params):
        if param.kind == "body":
            args[param.name] = rest
            return args
        if param.kind == "text":
            value = rest.strip()
            if not value and param.required:
                raise CommandError("err.reason_required",
                                   syntax=syntax(command, ctx.lang, ctx.group.prefix))
            args[param.name] = value or None
            rest = ""
            continue
        if not rest.strip():
            if param.required:
                raise missing
            args[param.name] = None
            continue
        if param.kind in lookup.KINDS:
            args[param.name], rest = lookup.take(ctx, lookup.KINDS[param.kind], rest,
                                                 tail=_tail(command, index), word=word)
            continue
        if param.kind == "ref":
            args[param.name], rest = lookup.either(ctx, rest, word=word), ""
            continue
        if param.kind == "choice":
            args[param.name], rest = _take_choice(ctx, param, rest)
            continue
        if param.kind == "person":
            quoted, after = split_quoted(rest)
            token, rest = (quoted, after) if quoted else split_word(rest)
        elif param.kind == "member" and param is command.params[-1]:
            # Last on the line, a member may be named in full: !member suspend Réseau Transition
            quoted, after = split_quoted(rest)
            token, rest = (quoted, after) if quoted else (rest.strip(), "")
        else:
            token, rest = split_word(rest)
        if not token:
            if param.required:
                raise missing
            args[param.name] = None
            continue
        args[param.name] = _convert(ctx, param, token)
    if rest.strip():
        raise CommandError("err.too_many_args", extra=rest.strip()[:80],
                           syntax=syntax(command, ctx.lang, ctx.group.prefix))
    return args


def _tail(command: Command, index: int) -> str:
    """What may follow the proposal or task at ``index``: free text (then a name must be
    quoted, or it would eat the text), or only words."""
    after = command.params[index + 1:]
    return lookup.TEXT if any(p.kind in ("text", "body") for p in after) else lookup.WORDS


# --- choices ---------------------------------------------------------------------------------

_CHOICE_WORDS: dict[int, dict[str, str]] = {}


def choice_words(param: Param) -> dict[str, str]:
    """Every word a choice accepts (its words in the three languages, what the bot writes
    for each value, the value itself), compared as ``parsing.choice_key``, and the value each gives.
    A word that would give two values is a bug of the table (checked at import)."""
    known = _CHOICE_WORDS.get(id(param))
    if known is not None:
        return known
    pairs: list[tuple[str, str]] = []
    for value, words in param.choices.items():
        pairs += [(value, value)] + [(w, value) for w in words.values()]
    for key in param.shown:
        value = param.renamed.get(key, key.rsplit(".", 1)[1])
        pairs += [(w, value) for w in CATALOG[key].values()]
    for value, words in param.also.items():
        pairs += [(w, value) for w in words]
    known = {}
    for word, value in pairs:
        previous = known.setdefault(choice_key(word), value)
        assert previous == value, f"{param.name}: {word!r} means {previous} and {value}"
    _CHOICE_WORDS[id(param)] = known
    return known


def _take_choice(ctx: Context, param: Param, rest: str) -> tuple[str, str]:
    """The value of the choice at the start of ``rest`` (its words may be several: ``groupe
    cœur``, ``à l'arrêt``; the longest that fits is taken) and the text after it."""
    known = choice_words(param)
    longest = max(len(word.split()) for word in known)
    spans = list(re.finditer(r"\S+", rest[:400]))[:longest]
    for count in range(len(spans), 0, -1):
        end = spans[count - 1].end()
        value = known.get(choice_key(rest[:end]))
        if value is not None:
            return value, rest[end:].lstrip(" \t")
    shown = ", ".join(words.get(ctx.lang, key) for key, words in param.choices.items())
    raise CommandError("err.bad_choice", text=split_word(rest)[0][:80], choices=shown)


for _command in COMMANDS:
    for _param in _command.params:
        if _param.kind == "choice":
            choice_words(_param)


def _convert(ctx: Context, param: Param, token: str) -> Any:
    if param.kind == "person":
        return resolve_person(ctx, token)
    if param.kind == "member":
        row = ctx.repo.member(ctx.group.slug, token.lower()) \
            or ctx.repo.member_by_name_key(ctx.group.slug, name_key(token))
        if row is None:
            raise CommandError("err.unknown_member", slug=token)
        return row
    return token


def resolve_person(ctx: Context, token: str) -> str:
    """A Matrix ID, ``forum:username``, or a bare ``@name`` that is the local part of exactly
    one person the group knows.

    A mention pill counts because the Matrix adapter puts the user ID it links to into the
    command's own text. Nothing else names a person: never the message's ``m.mentions``
    (Element lists the author of the message replied to there) and never a display name
    (anyone can take any display name). Commands repeat the resolved ID in their answer.
    """
    token = token.strip()
    if token.lower().startswith("forum:") and len(token) > 6:
        return "forum:" + token[6:].lower()
    if is_matrix_id(token):
        return token
    if token.startswith("@") and ":" not in token:
        local = token[1:].lower()
        known = {row.person for row in ctx.repo.persons(ctx.group.slug)}
        for role in ("admin", "core", "registrar"):
            known.update(ctx.repo.holders(ctx.group.slug, role))
        matches = sorted(p for p in known if p.lower().startswith(f"@{local}:"))
        if len(matches) == 1:
            return matches[0]
    raise CommandError("err.unknown_person", text=token[:80])
