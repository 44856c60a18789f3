"""What ``!status``, ``!list``, ``!members`` and ``!config show`` print."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "status.proposal": {
        "fr": "{ref} — {candidate} : {state}\nProposé par {proposer} ({member}) le {created}\nPourquoi : {rationale}{extras}\nObjections : {objections}\nSoutiens : {supports}{decision}\n{next}",
        "nl": "{ref} — {candidate}: {state}\nVoorgedragen door {proposer} ({member}) op {created}\nWaarom: {rationale}{extras}\nBezwaren: {objections}\nSteun: {supports}{decision}\n{next}",
        "en": "{ref} — {candidate}: {state}\nProposed by {proposer} ({member}) on {created}\nWhy: {rationale}{extras}\nObjections: {objections}\nSupports: {supports}{decision}\n{next}",
    },
    "next.open": {
        "fr": "Ensuite : sans objection, décidé le {deadline} ({relative}). Pour objecter : {prefix}objection {ref} raison… — pour soutenir : {prefix}soutenir {ref}",
        "nl": "Daarna: zonder bezwaar beslist op {deadline} ({relative}). Bezwaar maken: {prefix}bezwaar {ref} reden… — steunen: {prefix}steunen {ref}",
        "en": "Next: with no objection, decided on {deadline} ({relative}). To object: {prefix}object {ref} reason… — to support: {prefix}support {ref}",
    },
    "next.open_waiting": {
        "fr": "Ensuite : l'échéance ({deadline}) est passée ; je décide dès que j'ai tout lu jusque-là.",
        "nl": "Daarna: de termijn ({deadline}) is voorbij; ik beslis zodra ik alles tot dan gelezen heb.",
        "en": "Next: the deadline ({deadline}) has passed; I decide as soon as I have read everything up to it.",
    },
    "next.contested": {
        "fr": "Ensuite : peut trancher maintenant ({role}) : {people} — {prefix}trancher {ref} accepter|refuser raison…",
        "nl": "Daarna: kan nu beslissen ({role}): {people} — {prefix}beslissen {ref} aanvaarden|weigeren reden…",
        "en": "Next: may decide now ({role}): {people} — {prefix}resolve {ref} accept|reject reason…",
    },
    "next.contested_nobody": {
        "fr": "Ensuite : personne ne peut trancher ; les admins ({admins}) doivent donner le rôle groupe cœur à quelqu'un d'une autre organisation.",
        "nl": "Daarna: niemand kan beslissen; de admins ({admins}) moeten iemand van een andere organisatie de rol kerngroep geven.",
        "en": "Next: nobody may decide; the admins ({admins}) must give the core group role to someone of another organisation.",
    },
    "next.member": {
        "fr": "Membre depuis le {since}. Inscription : {registration}.",
        "nl": "Lid sinds {since}. Inschrijving: {registration}.",
        "en": "Member since {since}. Registration: {registration}.",
    },
    "next.registration": {
        "fr": "{task} par {lead}, {state}",
        "nl": "{task} door {lead}, {state}",
        "en": "{task} by {lead}, {state}",
    },
    "next.no_registration": {
        "fr": "aucune tâche (ni inscriptions, ni groupe cœur, ni admin)",
        "nl": "geen taak (geen inschrijvingen, kerngroep of admin)",
        "en": "no task (no registrar, core group or admin)",
    },
    "next.closed": {
        "fr": "C'est terminé ; une nouvelle proposition peut être faite avec {prefix}proposer.",
        "nl": "Dit is afgesloten; een nieuw voorstel kan met {prefix}voordragen.",
        "en": "This is closed; a new proposal can be made with {prefix}propose.",
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
