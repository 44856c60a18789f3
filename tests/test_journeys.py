"""Journeys in the three languages, typed into the console as a new user would: a French
proposer, a Dutch objector, an English admin, in a French group. Each is answered in their
own language; the room hears the group's. Replies are compared whole; only the instants,
which follow the wall clock in the console, are masked."""

from __future__ import annotations

import re

from tests.harness import BASE_CONFIG, coopbot, console_blocks

# "dimanche 6 décembre 2026 à 19:44", "Tuesday 1 December 2026 at 19:44", "… om 19:44"
WHEN = re.compile(r"\w+ (?:1er|\d{1,2}) \w+ \d{4} (?:à|at|om) \d\d:\d\d")

SCRIPT = [
    "/as @dan:example.org",
    '!proposer "Repair Together" ils réparent des objets avec nous',
    "/as @bob",
    "!taal nl",
    "!bezwaar C-1 geen coöperatie",
    "!status C-1",
    "/as @alice",
    "!lang en",
    "!status c1",
    "!resolve C-1 accept discussed at the meeting",
    "/quit",
]

EXPECTED = [
    # Dan, French command word, French group: French.
    "[room sem]\nC'est noté : C-1 (Repair Together) est ouvert jusqu'au <when>. Je l'annonce "
    "au groupe.",
    "[room sem]\nNouvelle proposition C-1 : Repair Together\nProposé par @dan:example.org "
    "(Financité).\nPourquoi : ils réparent des objets avec nous\nSans objection d'ici le "
    "<when>, Repair Together sera membre.\nPour objecter : !objection C-1 raison… — pour "
    "soutenir : !soutenir C-1",
    # Bob chooses Dutch: his replies are Dutch, the room's announcement stays French.
    "[room sem]\nIk antwoord u voortaan in het Nederlands, in al uw groepen.",
    "[room sem]\nUw bezwaar tegen C-1 is opgeslagen. U kunt het intrekken met !intrekken C-1.",
    "[room sem]\nC-1 (Repair Together) est contesté : @bob:example.org (Réseau Transition) "
    "objecte — geen coöperatie\nÀ trancher par (personne ne décide de sa propre cause) : "
    "@alice:example.org",
    # The one who may decide hears it directly (in the group's language: she chose none yet).
    "[dm @alice:example.org]\nC-1 (Repair Together) est contesté, et vous pouvez trancher "
    "(T-1). Voyez !statut C-1, puis !trancher C-1 accepter|refuser raison… — ou "
    "!transmettre T-1 @personne (une autre personne qui peut trancher).",
    "[room sem]\nC-1 — Repair Together: betwist\nVoorgedragen door @dan:example.org "
    "(Financité) op <when>\nWaarom: ils réparent des objets avec nous\nBezwaren:\n  "
    "@bob:example.org (Réseau Transition) — geen coöperatie\nSteun: geen\nDaarna: kan nu "
    "beslissen (kerngroep): @alice:example.org — !beslissen C-1 aanvaarden|weigeren reden…",
    # Alice chooses English, and decides.
    "[room sem]\nI will answer you in English from now on, in all your groups.",
    "[room sem]\nC-1 — Repair Together: contested\nProposed by @dan:example.org (Financité) "
    "on <when>\nWhy: ils réparent des objets avec nous\nObjections:\n  @bob:example.org "
    "(Réseau Transition) — geen coöperatie\nSupports: none\nNext: may decide now (core "
    "group): @alice:example.org — !resolve C-1 accept|reject reason…",
    "[room sem]\nDecision recorded for C-1.",
    "[dm @carol:example.org]\nNouvelle tâche pour le rôle inscriptions (créée par le bot) : "
    "T-2 « Inscrire Repair Together ».\nDescription : C-1 est admis : inscrire Repair "
    "Together (membre « repair-together ») et signaler au groupe cœur toute anomalie.\n"
    "Responsable nommé·e : @carol:example.org ; chaque membre du rôle peut agir. Quand c'est "
    "fait : !fait T-2.",
    "[room sem]\nC-1 est accepté par le groupe cœur (@alice:example.org) : Repair Together "
    "devient membre. Raison : discussed at the meeting",
]


def test_a_french_proposer_a_dutch_objector_and_an_english_admin(tmp_path):
    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="fr", min_supporters=0,
                                         charter="[]"))
    run = coopbot("console", "--config", str(config), stdin="\n".join(SCRIPT) + "\n",
                  cwd=tmp_path)
    blocks = [WHEN.sub("<when>", b) for b in console_blocks(run)]
    blocks[-1] = blocks[-1].split("\nyou are now")[0]  # the console's own notes, at the end
    assert blocks == EXPECTED


def test_a_dutch_reader_of_a_french_group_reads_the_bots_tasks_in_dutch(tmp_path):
    """Tasks the bot creates are kept as a message and its parameters: each reader gets
    them in their own language, not frozen in the group's."""
    config = tmp_path / "sem.toml"
    config.write_text(BASE_CONFIG.format(database="sem.db", language="fr", min_supporters=0,
                                         charter="[]"))
    script = ["/as @dan:example.org", '!proposer "Repair Together" ils réparent',
              "/as @bob", "!bezwaar C-1 nee", "!taken", "/as @alice", "!tâches", "/quit"]
    blocks = console_blocks(coopbot("console", "--config", str(config),
                                    stdin="\n".join(script) + "\n", cwd=tmp_path))
    assert any("T-1 Beslissen over C-1 (Repair Together)" in b for b in blocks), blocks
    assert any("T-1 Décider de C-1 (Repair Together)" in b for b in blocks), blocks
