"""Words shown inside other messages: states, roles, fields."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "state.open": {"fr": "ouvert", "nl": "open", "en": "open"},
    "state.contested": {"fr": "contesté", "nl": "betwist", "en": "contested"},
    "state.validated": {"fr": "validé", "nl": "gevalideerd", "en": "validated"},
    "state.accepted": {"fr": "accepté", "nl": "aanvaard", "en": "accepted"},
    "state.rejected": {"fr": "refusé", "nl": "geweigerd", "en": "rejected"},
    "state.withdrawn": {"fr": "retiré", "nl": "ingetrokken", "en": "withdrawn"},
    "state.all": {"fr": "toutes", "nl": "alle", "en": "all"},
    "state.active": {"fr": "en cours", "nl": "lopend", "en": "in progress"},
    "member.active": {"fr": "actif", "nl": "actief", "en": "active"},
    "member.suspended": {"fr": "suspendu", "nl": "geschorst", "en": "suspended"},
    "member.left": {"fr": "parti", "nl": "vertrokken", "en": "left"},
    "role.admin": {"fr": "admin", "nl": "admin", "en": "admin"},
    "role.core": {"fr": "groupe cœur", "nl": "kerngroep", "en": "core group"},
    "role.decide": {"fr": "groupe cœur (ou admin si personne du groupe cœur n'est extérieur à la cause)", "nl": "kerngroep (of admin als geen kerngroeplid buiten de zaak staat)", "en": "core group (or admin when no core member is outside the case)"},
    "role.registrar": {"fr": "inscriptions", "nl": "inschrijvingen", "en": "registrar"},
    "role.representative": {"fr": "représentant·e d'un membre", "nl": "vertegenwoordiger van een lid", "en": "member representative"},
    "role.holds": {"fr": "a", "nl": "heeft", "en": "holds"},
    "role.lacks": {"fr": "n'a pas", "nl": "heeft niet", "en": "does not hold"},
    "extra.website": {"fr": "\nSite : {value}", "nl": "\nWebsite: {value}", "en": "\nWebsite: {value}"},
    "extra.contact": {"fr": "\nContact : {value}", "nl": "\nContact: {value}", "en": "\nContact: {value}"},
    "extra.description": {"fr": "\nDescription : {value}", "nl": "\nBeschrijving: {value}", "en": "\nDescription: {value}"},
    "extra.charter": {"fr": "\nCharte {n} ({principle}) : {value}", "nl": "\nCharter {n} ({principle}): {value}", "en": "\nCharter {n} ({principle}): {value}"},
    "extra.principles": {"fr": " (principes {value})", "nl": " (principes {value})", "en": " (principles {value})"},
    "item.objection": {"fr": "{person} ({member}) — {reason}", "nl": "{person} ({member}) — {reason}", "en": "{person} ({member}) — {reason}"},
    "item.support": {"fr": "{person} ({member})", "nl": "{person} ({member})", "en": "{person} ({member})"},
}
