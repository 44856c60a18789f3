"""Admin commands: settings, roles, identities, member status, language (SPEC sections 2, 8).

Each change is stored (the database wins over the config file from then on), audit-logged
and announced in the group room.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from storage.repository import Repository

from .changes import (
    LanguageChosen,
    MemberStatusChanged,
    PersonLinked,
    RoleChanged,
    SettingChanged,
    StepsToRecompute,
)
from . import decisions
from . import digest as weekly_digest
from .context import Context, Effects, Group
from .errors import CommandError
from .legitimacy import in_good_standing_holders
from .lifecycle import State
from .render import Mention, Person, join, render, text
from .parsing import fold
from .settings import LANGUAGES, PROPOSAL_RULES, SETTINGS, language_code

_STATUS_FOR = {"suspend": "suspended", "leave": "left", "reinstate": "active"}


def config(ctx: Context, args: dict[str, Any]) -> None:
    """!config show | !config set KEY VALUE."""
    if args["verb"] == "show":
        if args.get("key") or args.get("value"):
            raise CommandError("err.too_many_args", extra=args.get("key") or args.get("value"),
                               syntax=f"{ctx.group.prefix}config show")
        _show(ctx)
        return
    key, value = args.get("key"), args.get("value")
    if not key or not value:
        raise CommandError("err.missing_args", syntax=f"{ctx.group.prefix}config set KEY VALUE")
    key = key.lower()
    if key not in SETTINGS:
        raise CommandError("err.unknown_setting", key=key, keys=", ".join(SETTINGS))
    setting = SETTINGS[key]
    try:
        canonical = setting.show(setting.parse(value))
    except (ValueError, TypeError):
        hint = text(ctx.lang, f"hint.{setting.kind}", low=setting.low, high=setting.high) \
            if setting.kind != "text" else setting.hint
        raise CommandError("err.bad_value", key=key, value=value[:80], hint=hint) from None
    _change(ctx, key, canonical)


def _change(ctx: Context, key: str, value: str) -> None:
    """Store a setting (it wins over the config file from now on), audit it, announce it."""
    ctx.apply(SettingChanged(actor=ctx.caller, event_id=ctx.event.event_id, group=ctx.group.slug,
                             key=key, value=value, previous=ctx.group.settings.text(key)))
    if key == "language":
        # Speak the new language at once, in the confirmation and the announcement.
        languages = SETTINGS["language"].parse(value)
        ctx.group = replace(ctx.group, settings=replace(ctx.group.settings, language=languages))
        ctx.out.group = ctx.group
        ctx.out.confirm("ok.lang")
        ctx.out.announce("ok.lang")
        return
    # A proposal is judged by the rules of the day it opened: say so, or people would think
    # the running windows changed.
    scope = ctx.phrase("config.new_proposals_only") if key in PROPOSAL_RULES else ""
    if key in ("digest", "timezone"):
        # The weekly digest's next instant follows its schedule and the group's zone.
        ctx.group = replace(ctx.group, settings=replace(
            ctx.group.settings, **{key: SETTINGS[key].parse(value)}))
        ctx.out.group = ctx.group
        next_at = weekly_digest.track(ctx.out, ctx.caller)
        if key == "digest":
            scope = ctx.phrase("config.digest_next", at=ctx.group.when(next_at)) \
                if next_at else ctx.phrase("config.digest_off")
    ctx.out.confirm("ok.config_set", key=key, value=value, scope=scope)
    ctx.out.announce("ann.config_changed", by=Person.of(ctx.caller), key=key, value=value, scope=scope)


def _show(ctx: Context) -> None:
    stored = ctx.repo.settings(ctx.group.slug)
    names = ctx.out.names()
    lines = [render(ctx.lang, "config.header", group=ctx.group.name)]
    for key in SETTINGS:
        changed = ""
        if key in stored:
            changed = text(ctx.lang, "config.changed", names=names,
                           by=Person.of(stored[key].changed_by))
        lines.append(render(ctx.lang, "config.line", key=key, value=ctx.group.settings.text(key),
                            changed=changed))
    holders = {role: Person.listed(ctx.repo.holders(ctx.group.slug, role))
               for role in ("admin", "core", "registrar")}
    lines.append(render(ctx.lang, "config.roles", names=names, admins=holders["admin"],
                        core=holders["core"],
                        registrar=holders["registrar"]))
    ctx.out.reply_message(join(lines))


def role(ctx: Context, args: dict[str, Any]) -> None:
    """!role grant|revoke core|registrar|admin @person."""
    grant, role_name, person = args["verb"] == "grant", args["role"], args["person"]
    holds = ctx.repo.has_role(ctx.group.slug, person, role_name)
    role_label = ctx.phrase(f"role.{role_name}")
    if holds == grant:
        raise CommandError("err.role_unchanged", person=Person.exact(person), role=role_label,
                           state=text(ctx.lang, "role.holds" if holds else "role.lacks"))
    member = ctx.repo.linked_member(ctx.group.slug, person)
    if grant and member and member.status != "active":
        raise CommandError("err.person_inactive", person=Person.exact(person), member=member.name,
                           status=text(ctx.lang, f"member.{member.status}"))
    ctx.apply(RoleChanged(actor=ctx.caller, event_id=ctx.event.event_id, group=ctx.group.slug,
                          person=person, role=role_name, granted=grant))
    ctx.out.confirm("ok.done")
    ctx.out.announce("ann.role_granted" if grant else "ann.role_revoked",
                     by=Person.of(ctx.caller), role=role_label, person=Person.exact(person))


def link(ctx: Context, args: dict[str, Any]) -> None:
    """!link @person|forum:username member-slug."""
    person, member = args["person"], args["member"]
    ctx.apply(PersonLinked(actor=ctx.caller, event_id=ctx.event.event_id, group=ctx.group.slug,
                           person=person, member=member.slug))
    ctx.out.confirm("ok.done")
    ctx.out.announce("ann.linked", by=Person.of(ctx.caller), person=Person.exact(person),
                     member=member.name)


def unlink(ctx: Context, args: dict[str, Any]) -> None:
    """!unlink @person|forum:username."""
    person = args["person"]
    row = ctx.repo.person(ctx.group.slug, person)
    if not row or not row.member:
        raise CommandError("err.not_linked", person=Person.exact(person))
    ctx.apply(PersonLinked(actor=ctx.caller, event_id=ctx.event.event_id, group=ctx.group.slug,
                           person=person, member=None, previous=row.member))
    member = ctx.repo.member(ctx.group.slug, row.member)
    ctx.out.confirm("ok.done")
    ctx.out.announce("ann.unlinked", by=Person.of(ctx.caller), person=Person.exact(person),
                     member=member.name if member else row.member)


def member(ctx: Context, args: dict[str, Any]) -> None:
    """!member suspend|leave|reinstate member-slug: its persons lose (or regain) their rights."""
    row, status = args["member"], _STATUS_FOR[args["verb"]]
    label = ctx.phrase(f"member.{status}")
    if row.status == status:
        raise CommandError("err.member_unchanged", member=row.name, status=label)
    ctx.apply(MemberStatusChanged(actor=ctx.caller, event_id=ctx.event.event_id,
                                  group=ctx.group.slug, member=row.slug, previous=row.status,
                                  status=status))
    ctx.out.confirm("ok.done")
    ctx.out.announce("ann.member_status", by=Person.of(ctx.caller), member=row.name,
                     status=label)


_GROUP_WORDS = {"group", "groupe", "groep"}


def lang(ctx: Context, args: dict[str, Any]) -> None:
    """!lang fr|nl|en: the caller's own language, in every group, for what the bot tells
    them (anyone). !lang group fr [nl]: the group's language(s), for its announcements and
    for whoever chose none (admins); several make a bilingual group."""
    words = [language_code(fold(w.strip(",;"))) for w in args["what"].split() if w.strip(",;")]
    if words and words[0] in _GROUP_WORDS:
        if not ctx.has_role("admin"):
            raise CommandError("err.lang_group_admin", admins=Person.listed(
                in_good_standing_holders(ctx.repo, ctx.group.slug, "admin")))
        chosen = words[1:]
        if not chosen or any(w not in LANGUAGES for w in chosen) or len(set(chosen)) != len(chosen):
            raise CommandError("err.lang_choice", syntax=ctx.usage)
        _change(ctx, "language", ", ".join(chosen))
        return
    if len(words) != 1 or words[0] not in LANGUAGES:
        raise CommandError("err.lang_choice", syntax=ctx.usage)
    ctx.apply(LanguageChosen(actor=ctx.caller, event_id=ctx.event.event_id,
                             group=ctx.group.slug, person=ctx.caller, lang=words[0]))
    ctx.lang = words[0]
    ctx.out.caller_lang = words[0]
    ctx.out.reply("ok.lang_person")


class HostRefusal(Exception):
    """Why ``coopbot grant-admin`` did nothing, worded for the host's terminal."""


def host_grant_admin(repo: Repository, group: Group, person: str, now: datetime) -> None:
    """``coopbot grant-admin``: the host's way back in, for a group left without an admin in
    good standing (refused otherwise: the group's own admins decide then). Audited and
    announced in the room, in one transaction; safe while the bot runs (SQLite serialises
    the writers, and the bot reads roles from the database at every command)."""
    with repo.transaction():
        admins = in_good_standing_holders(repo, group.slug, "admin")
        if admins:
            raise HostRefusal(f"group {group.slug} still has an admin in good standing "
                              f"({', '.join(admins)}): ask them (!role grant admin {person})")
        member = repo.linked_member(group.slug, person)
        if member is not None and member.status != "active":
            raise HostRefusal(f"{person} represents {member.name}, which is "
                              f"{member.status}: an admin must be in good standing")
        out = Effects(repo, group, now)
        out.apply(RoleChanged(actor="host", group=group.slug, person=person, role="admin",
                              granted=True, origin="host",
                              detail={"by": "coopbot grant-admin"}))
        # A new admin answers for tasks of the role.
        out.apply(StepsToRecompute(actor="host", group=group.slug))
        out.announce("ann.host_granted_admin", person=Mention.of(person))
        # …and may be the one who can decide a contested proposal now (like ``!role``).
        for proposal in repo.proposals(group.slug, (State.CONTESTED.value,)):
            decisions.follow_decision(out, proposal)
        out.flush()
