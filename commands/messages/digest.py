"""The weekly digest (``digest.*``) and the cooptation tree (``tree.*``)."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    # --- the weekly digest ------------------------------------------------------------------
    "digest.body": {"fr": "{header}{sections}", "nl": "{header}{sections}", "en": "{header}{sections}"},
    "digest.header": {
        "fr": "Résumé de la semaine du {monday} — {group}{late}",
        "nl": "Weekoverzicht, week van {monday} — {group}{late}",
        "en": "Weekly digest, week of {monday} — {group}{late}",
    },
    "digest.late": {
        "fr": " (envoyé en retard : j'étais absent le {at})",
        "nl": " (laat verstuurd: ik was afwezig op {at})",
        "en": " (sent late: I was away on {at})",
    },
    "digest.closing": {
        "fr": "Décidées avant le prochain résumé, sauf objection ({count}) :",
        "nl": "Beslist vóór het volgende overzicht, tenzij iemand bezwaar maakt ({count}):",
        "en": "Decided before the next digest unless someone objects ({count}):",
    },
    "digest.closing_line": {
        "fr": "{ref} {candidate} — le {deadline}",
        "nl": "{ref} {candidate} — op {deadline}",
        "en": "{ref} {candidate} — on {deadline}",
    },
    "digest.more_closing": {
        "fr": "… et {count} de plus : {prefix}liste ouvertes",
        "nl": "… en nog {count}: {prefix}lijst open",
        "en": "… and {count} more: {prefix}list open",
    },
    "digest.contested": {
        "fr": "Contestées, à trancher ({count}) :",
        "nl": "Betwist, te beslissen ({count}):",
        "en": "Contested, to be decided ({count}):",
    },
    "digest.contested_line": {
        "fr": "{ref} {candidate} — objections : {objections} ; peut trancher ({role}) : {people}",
        "nl": "{ref} {candidate} — bezwaren: {objections}; kan beslissen ({role}): {people}",
        "en": "{ref} {candidate} — objections: {objections}; may decide ({role}): {people}",
    },
    "digest.contested_nobody": {
        "fr": "{ref} {candidate} — objections : {objections} ; personne ne peut trancher : admins ({admins}), donnez le rôle groupe cœur à quelqu'un d'une autre organisation",
        "nl": "{ref} {candidate} — bezwaren: {objections}; niemand kan beslissen: admins ({admins}), geef iemand van een andere organisatie de rol kerngroep",
        "en": "{ref} {candidate} — objections: {objections}; nobody may decide: admins ({admins}), give the core group role to someone of another organisation",
    },
    "digest.more_contested": {
        "fr": "… et {count} de plus : {prefix}liste contestées",
        "nl": "… en nog {count}: {prefix}lijst betwist",
        "en": "… and {count} more: {prefix}list contested",
    },
    "digest.stalled": {
        "fr": "Tâches à l'arrêt ({count}) :",
        "nl": "Vastgelopen taken ({count}):",
        "en": "Stalled tasks ({count}):",
    },
    "digest.stalled_line": {
        "fr": "{ref} {title} — responsable {lead}, dernières nouvelles le {since}",
        "nl": "{ref} {title} — trekker {lead}, laatste nieuws op {since}",
        "en": "{ref} {title} — lead {lead}, last news on {since}",
    },
    "digest.more_stalled": {
        "fr": "… et {count} de plus : {prefix}tâches à l'arrêt",
        "nl": "… en nog {count}: {prefix}taken vastgelopen",
        "en": "… and {count} more: {prefix}tasks stalled",
    },
    "digest.admitted": {
        "fr": "Admis depuis le dernier résumé ({count}) :",
        "nl": "Toegelaten sinds het vorige overzicht ({count}):",
        "en": "Admitted since the last digest ({count}):",
    },
    "digest.admitted_line": {
        "fr": "{name} — coopté par {by} ({ref}) le {at}",
        "nl": "{name} — gecoöpteerd door {by} ({ref}) op {at}",
        "en": "{name} — coopted by {by} ({ref}) on {at}",
    },
    "digest.readmitted_line": {
        "fr": "{name} — de retour, coopté par {by} ({ref}) le {at}",
        "nl": "{name} — terug, gecoöpteerd door {by} ({ref}) op {at}",
        "en": "{name} — back, coopted by {by} ({ref}) on {at}",
    },
    "digest.more_admitted": {
        "fr": "… et {count} de plus : {prefix}membres",
        "nl": "… en nog {count}: {prefix}leden",
        "en": "… and {count} more: {prefix}members",
    },
    "digest.forum_title": {
        "fr": "Résumé de la semaine du {monday} — {group}",
        "nl": "Weekoverzicht, week van {monday} — {group}",
        "en": "Weekly digest, week of {monday} — {group}",
    },
    "hint.digest": {
        "fr": "un jour et une heure, comme lundi 9h (enregistré « mon 09:00 »), ou off",
        "nl": "een dag en een uur, zoals maandag 9u (opgeslagen als 'mon 09:00'), of uit",
        "en": "a day and an hour, such as monday 9:00 (stored as 'mon 09:00'), or off",
    },
    "config.digest_next": {
        "fr": " Prochain résumé : {at}.",
        "nl": " Volgend overzicht: {at}.",
        "en": " Next digest: {at}.",
    },
    "config.digest_off": {
        "fr": " Plus de résumé hebdomadaire.",
        "nl": " Geen weekoverzicht meer.",
        "en": " No weekly digest from now on.",
    },
    # --- the cooptation tree ----------------------------------------------------------------
    "tree.caption": {
        "fr": "{group} : qui a coopté qui — {count} membres, dont {founders} fondateurs ({day}).",
        "nl": "{group}: wie wie heeft gecoöpteerd — {count} leden, waarvan {founders} stichtend ({day}).",
        "en": "{group}: who coopted whom — {count} members, {founders} of them founders ({day}).",
    },
    "tree.title": {
        "fr": "Arbre de cooptation — {group}",
        "nl": "Coöptatieboom — {group}",
        "en": "Cooptation tree — {group}",
    },
    "tree.subtitle": {
        "fr": "{count} membres, dont {founders} fondateurs · {day}",
        "nl": "{count} leden, waarvan {founders} stichtend · {day}",
        "en": "{count} members, {founders} of them founders · {day}",
    },
    "tree.founder": {"fr": "fondateur", "nl": "stichtend lid", "en": "founder"},
    "tree.readmitted": {
        "fr": "de retour le {day}, coopté par {by}",
        "nl": "terug op {day}, gecoöpteerd door {by}",
        "en": "back on {day}, coopted by {by}",
    },
    "tree.continued": {"fr": "(suite)", "nl": "(vervolg)", "en": "(continued)"},
    "tree.empty": {
        "fr": "{group} n'a encore aucun membre : pas d'arbre à dessiner.",
        "nl": "{group} heeft nog geen leden: er is geen boom te tekenen.",
        "en": "{group} has no members yet: there is no tree to draw.",
    },
    "err.tree_too_big": {
        "fr": "L'arbre compte {count} membres : trop pour une image (au plus {max}). L'hébergeur du bot peut l'exporter en texte : coopbot export --what tree --format dot",
        "nl": "De boom telt {count} leden: te veel voor één afbeelding (hoogstens {max}). De beheerder van de bot kan hem als tekst exporteren: coopbot export --what tree --format dot",
        "en": "The tree has {count} members: too many for one picture (at most {max}). The bot's host can export it as text: coopbot export --what tree --format dot",
    },
    "err.tree_too_large": {
        "fr": "L'arbre de {count} membres est trop profond : son image serait trop grande ({width} × {height} pixels, au plus {max} millions). L'hébergeur du bot peut l'exporter en texte : coopbot export --what tree --format dot",
        "nl": "De boom van {count} leden is te diep: de afbeelding zou te groot worden ({width} × {height} pixels, hoogstens {max} miljoen). De beheerder van de bot kan hem als tekst exporteren: coopbot export --what tree --format dot",
        "en": "The tree of {count} members is too deep: its picture would be too large ({width} × {height} pixels, at most {max} million). The bot's host can export it as text: coopbot export --what tree --format dot",
    },
    "help.tree": {
        "fr": "l'arbre de cooptation, en image (qui a coopté qui, et quand)",
        "nl": "de coöptatieboom, als afbeelding (wie wie heeft gecoöpteerd, en wanneer)",
        "en": "the cooptation tree, as a picture (who coopted whom, and when)",
    },
    "example.tree": {"fr": "{prefix}arbre", "nl": "{prefix}stamboom", "en": "{prefix}tree"},
}
