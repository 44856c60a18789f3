"""Informed silence and one-tap participation (issue 12): who a proposal reached, the window
that grows once for want of it, reactions that vote, and the settings' hints."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    # --- informed silence ---------------------------------------------------------------------
    "ann.reach_extended": {
        "fr": "{ref} ({candidate}) : à la fin du délai, la proposition n'avait atteint que {reached} des {total} organisations (il en faut {needed}). Le délai est prolongé une fois, jusqu'au {deadline}, et les représentant·es des autres sont prévenu·es par message direct. Pas encore atteintes : {unreached}.",
        "nl": "{ref} ({candidate}): slechts {reached} van de {total} organisaties hebben het voorstel gezien voor het einde van de termijn ({needed} nodig). De termijn wordt één keer verlengd, tot {deadline}, en de vertegenwoordigers van de andere krijgen een direct bericht. Nog niet bereikt: {unreached}.",
        "en": "{ref} ({candidate}): only {reached} of {total} organisations saw the proposal before its window ended ({needed} needed). The window is extended once, until {deadline}, and the representatives of the others are told by direct message. Not reached yet: {unreached}.",
    },
    "dm.reach_extended": {
        "fr": "La proposition {ref} ({candidate}) sera décidée le {deadline} : sans objection, elle est validée. Votre organisation ({member}) ne l'avait pas encore vue : le délai a été prolongé pour que vous puissiez vous prononcer. La voir : {prefix}statut {ref} — objecter : {prefix}objection {ref} raison… — soutenir : {prefix}soutenir {ref}",
        "nl": "Over het voorstel {ref} ({candidate}) wordt op {deadline} beslist: zonder bezwaar wordt het gevalideerd. Uw organisatie ({member}) had het nog niet gezien: de termijn is verlengd zodat u zich kunt uitspreken. Bekijken: {prefix}status {ref} — bezwaar maken: {prefix}bezwaar {ref} reden… — steunen: {prefix}steunen {ref}",
        "en": "The proposal {ref} ({candidate}) is decided on {deadline}: without objection, it is validated. Your organisation ({member}) had not seen it yet: the window was extended so that you can have your say. See it: {prefix}status {ref} — object: {prefix}object {ref} reason… — support: {prefix}support {ref}",
    },
    "extra.reach": {
        "fr": "\nOrganisations atteintes : {reached} sur {total} (il en faut {needed}){extended} ; pas encore : {unreached}",
        "nl": "\nBereikte organisaties: {reached} van {total} ({needed} nodig){extended}; nog niet: {unreached}",
        "en": "\nReached {reached} of {total} organisations ({needed} needed){extended}; not yet: {unreached}",
    },
    "extra.reach_extended": {
        "fr": ", délai déjà prolongé une fois",
        "nl": ", termijn al één keer verlengd",
        "en": ", window already extended once",
    },
    # --- reactions ----------------------------------------------------------------------------
    "objection.to_follow": {
        "fr": "raison à suivre",
        "nl": "reden volgt",
        "en": "reason to follow",
    },
    "dm.objection_reason_asked": {
        "fr": "Vous avez objecté à {ref} ({candidate}) avec 👎 : la proposition est contestée. Donnez votre raison, pour le groupe et pour qui tranchera : {prefix}objection {ref} votre raison… Pour retirer l'objection : enlevez votre 👎 (ou {prefix}retirer {ref}).",
        "nl": "U hebt bezwaar gemaakt tegen {ref} ({candidate}) met 👎: het voorstel is betwist. Geef uw reden, voor de groep en voor wie beslist: {prefix}bezwaar {ref} uw reden… Om het bezwaar in te trekken: haal uw 👎 weg (of {prefix}intrekken {ref}).",
        "en": "You objected to {ref} ({candidate}) with 👎: the proposal is contested. Please give your reason, for the group and for whoever decides: {prefix}object {ref} your reason… To take the objection back: remove your 👎 (or {prefix}withdraw {ref}).",
    },
    "ok.objection_reason": {
        "fr": "La raison de votre objection à {ref} est enregistrée et communiquée au groupe.",
        "nl": "De reden van uw bezwaar tegen {ref} is opgeslagen en aan de groep meegedeeld.",
        "en": "The reason for your objection to {ref} is recorded and shared with the group.",
    },
    "ann.objection_reason": {
        "fr": "{ref} ({candidate}) : {objector} ({member}) donne la raison de son objection — {reason}",
        "nl": "{ref} ({candidate}): {objector} ({member}) geeft de reden van het bezwaar — {reason}",
        "en": "{ref} ({candidate}): {objector} ({member}) gives the reason for their objection — {reason}",
    },
    "dm.reaction_not_counted": {
        "fr": "Votre {key} sur {ref} ne compte pas : {why}",
        "nl": "Uw {key} op {ref} telt niet: {why}",
        "en": "Your {key} on {ref} does not count: {why}",
    },
    "dm.reaction_removed_by_other": {
        "fr": "{by} a effacé du salon votre réaction à {ref} : votre {vote} compte toujours. Vous seul·e pouvez la retirer : {prefix}retirer {ref} {vote}",
        "nl": "{by} heeft uw reactie op {ref} uit de ruimte gewist: uw {vote} telt nog steeds. Alleen u kunt die intrekken: {prefix}intrekken {ref} {vote}",
        "en": "{by} removed your reaction to {ref} from the room: your {vote} still counts. Only you can withdraw it: {prefix}withdraw {ref} {vote}",
    },
    "vote.support": {"fr": "soutien", "nl": "steun", "en": "support"},
    "vote.object": {"fr": "objection", "nl": "bezwaar", "en": "objection"},
    "ok.support_withdrawn": {
        "fr": "Votre soutien à {ref} est retiré.",
        "nl": "Uw steun voor {ref} is ingetrokken.",
        "en": "Your support for {ref} is withdrawn.",
    },
    "err.no_support": {
        "fr": "Vous ne soutenez pas {ref} : rien à retirer.",
        "nl": "U steunt {ref} niet: niets in te trekken.",
        "en": "You do not support {ref}: nothing to withdraw.",
    },
    "err.support_withdraw_late": {
        "fr": "Le délai de {ref} s'est terminé le {deadline} : les soutiens donnés jusque-là comptent, le vôtre reste.",
        "nl": "De termijn van {ref} liep af op {deadline}: de steun die tot dan gegeven is telt, die van u blijft.",
        "en": "The window of {ref} ended on {deadline}: supports given by then count, and yours stays.",
    },
    # --- the settings' hints ------------------------------------------------------------------
    "hint.share": {
        "fr": "une part de {low} (désactivé) à {high}, par exemple 0.6 ou 60%",
        "nl": "een aandeel van {low} (uit) tot {high}, bijvoorbeeld 0.6 of 60%",
        "en": "a share from {low} (off) to {high}, such as 0.6 or 60%",
    },
    "hint.extension": {
        "fr": "une durée de {low} à {high}, ou last_call (aussi long que le dernier appel)",
        "nl": "een duur van {low} tot {high}, of last_call (even lang als de laatste oproep)",
        "en": "a duration from {low} to {high}, or last_call (as long as the last call)",
    },
}
