"""What ``!status``, ``!list``, ``!members`` and ``!config show`` print."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "status.proposal": {
        "fr": "{ref} — {candidate} : {state}\nProposé par {proposer} ({member}) le {created}\nPourquoi : {rationale}{extras}\nÉchéance : {deadline}\nObjections : {objections}\nSoutiens : {supports}{decision}",
        "nl": "{ref} — {candidate}: {state}\nVoorgedragen door {proposer} ({member}) op {created}\nWaarom: {rationale}{extras}\nTermijn: {deadline}\nBezwaren: {objections}\nSteun: {supports}{decision}",
        "en": "{ref} — {candidate}: {state}\nProposed by {proposer} ({member}) on {created}\nWhy: {rationale}{extras}\nDeadline: {deadline}\nObjections: {objections}\nSupports: {supports}{decision}",
    },
    "status.decision": {
        "fr": "\nDécision : {state} le {at} par {by}{reason}",
        "nl": "\nBeslissing: {state} op {at} door {by}{reason}",
        "en": "\nDecision: {state} on {at} by {by}{reason}",
    },
    "status.none": {"fr": "aucune", "nl": "geen", "en": "none"},
    "status.no_support": {"fr": "aucun", "nl": "geen", "en": "none"},
    "status.withdrawn": {"fr": " (retirée le {at})", "nl": " (ingetrokken op {at})", "en": " (withdrawn on {at})"},
    "extra.needs_support": {
        "fr": "\nSoutiens nécessaires pour valider : {needed} (actuellement {count}).",
        "nl": "\nSteunbetuigingen nodig om te valideren: {needed} (nu {count}).",
        "en": "\nSupports needed to validate: {needed} (now {count}).",
    },
    "which.open": {"fr": "ouvertes", "nl": "open", "en": "open"},
    "which.contested": {"fr": "contestées", "nl": "betwist", "en": "contested"},
    "which.validated": {"fr": "validées", "nl": "gevalideerd", "en": "validated"},
    "which.all": {"fr": "toutes", "nl": "alle", "en": "all"},
    "which.accepted": {"fr": "acceptées", "nl": "aanvaard", "en": "accepted"},
    "which.rejected": {"fr": "refusées", "nl": "geweigerd", "en": "rejected"},
    "which.withdrawn": {"fr": "retirées", "nl": "ingetrokken", "en": "withdrawn"},
    "status.bot": {"fr": "le bot", "nl": "de bot", "en": "the bot"},
    "list.header": {
        "fr": "Propositions ({which}) :",
        "nl": "Voorstellen ({which}):",
        "en": "Proposals ({which}):",
    },
    "list.line": {
        "fr": "{ref} {candidate} — {state}, échéance {deadline}",
        "nl": "{ref} {candidate} — {state}, termijn {deadline}",
        "en": "{ref} {candidate} — {state}, deadline {deadline}",
    },
    "list.empty": {
        "fr": "Aucune proposition ({which}). Pour en faire une : {prefix}coopter \"Nom\" raison…",
        "nl": "Geen voorstellen ({which}). Om er een te doen: {prefix}voordragen \"Naam\" reden…",
        "en": "No proposals ({which}). To make one: {prefix}propose \"Name\" rationale…",
    },
    "members.header": {
        "fr": "Membres actifs ({count}) :",
        "nl": "Actieve leden ({count}):",
        "en": "Active members ({count}):",
    },
    "members.line": {
        "fr": "{slug} — {name} ({people})",
        "nl": "{slug} — {name} ({people})",
        "en": "{slug} — {name} ({people})",
    },
    "members.others": {
        "fr": "Non actifs : {others}",
        "nl": "Niet actief: {others}",
        "en": "Not active: {others}",
    },
    "config.header": {
        "fr": "Réglages de {group} :",
        "nl": "Instellingen van {group}:",
        "en": "Settings of {group}:",
    },
    "config.line": {
        "fr": "{key} = {value}{changed}",
        "nl": "{key} = {value}{changed}",
        "en": "{key} = {value}{changed}",
    },
    "config.changed": {
        "fr": " (modifié par {by})",
        "nl": " (gewijzigd door {by})",
        "en": " (changed by {by})",
    },
    "config.roles": {
        "fr": "Admins : {admins}\nGroupe cœur : {core}\nInscriptions : {registrar}",
        "nl": "Admins: {admins}\nKerngroep: {core}\nInschrijvingen: {registrar}",
        "en": "Admins: {admins}\nCore group: {core}\nRegistrar: {registrar}",
    },
}
