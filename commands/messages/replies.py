"""Replies to the caller (``ok.*``)."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "ok.proposed": {
        "fr": "C'est noté : {ref} ({candidate}) est ouvert jusqu'au {deadline}. Je l'annonce au groupe.",
        "nl": "Genoteerd: {ref} ({candidate}) staat open tot {deadline}. Ik kondig het aan in de groep.",
        "en": "Noted: {ref} ({candidate}) is open until {deadline}. I am announcing it to the group.",
    },
    "ok.objection": {
        "fr": "Votre objection à {ref} est enregistrée. Vous pouvez la retirer avec {prefix}retirer {ref}.",
        "nl": "Uw bezwaar tegen {ref} is opgeslagen. U kunt het intrekken met {prefix}intrekken {ref}.",
        "en": "Your objection to {ref} is recorded. You can withdraw it with {prefix}withdraw {ref}.",
    },
    "ok.objection_updated": {
        "fr": "Vous aviez déjà une objection sur {ref} : sa raison est mise à jour.",
        "nl": "U had al een bezwaar tegen {ref}: de reden is bijgewerkt.",
        "en": "You already had an objection to {ref}: its reason is updated.",
    },
    "ok.objection_withdrawn": {
        "fr": "Votre objection à {ref} est retirée.",
        "nl": "Uw bezwaar tegen {ref} is ingetrokken.",
        "en": "Your objection to {ref} is withdrawn.",
    },
    "ok.proposal_withdrawn": {
        "fr": "{ref} est retiré.",
        "nl": "{ref} is ingetrokken.",
        "en": "{ref} is withdrawn.",
    },
    "ok.support": {
        "fr": "Votre soutien à {ref} est enregistré ({supports}).",
        "nl": "Uw steun voor {ref} is opgeslagen ({supports}).",
        "en": "Your support for {ref} is recorded ({supports}).",
    },
    "ok.support_updated": {
        "fr": "Vous souteniez déjà {ref} : votre commentaire est mis à jour.",
        "nl": "U steunde {ref} al: uw opmerking is bijgewerkt.",
        "en": "You already supported {ref}: your comment is updated.",
    },
    "ok.resolved": {
        "fr": "Décision enregistrée pour {ref}.",
        "nl": "Beslissing opgeslagen voor {ref}.",
        "en": "Decision recorded for {ref}.",
    },
    "ok.done": {
        "fr": "C'est fait.",
        "nl": "Gedaan.",
        "en": "Done.",
    },
    "ok.config_set": {
        "fr": "{key} vaut maintenant {value}.{scope}",
        "nl": "{key} is nu {value}.{scope}",
        "en": "{key} is now {value}.{scope}",
    },
    "ok.resolved_name_taken": {
        "fr": "{ref} ne peut pas être accepté : {member} est déjà membre ({status}). La proposition est close sans nouveau membre.",
        "nl": "{ref} kan niet worden aanvaard: {member} is al lid ({status}). Het voorstel is gesloten zonder nieuw lid.",
        "en": "{ref} cannot be accepted: {member} is already a member ({status}). The proposal is closed without a new member.",
    },
    "ok.lang_person": {
        "fr": "Je vous réponds désormais en français, dans tous vos groupes.",
        "nl": "Ik antwoord u voortaan in het Nederlands, in al uw groepen.",
        "en": "I will answer you in English from now on, in all your groups.",
    },
    "ok.lang": {
        "fr": "Je parle désormais français dans ce groupe.",
        "nl": "Ik spreek voortaan Nederlands in deze groep.",
        "en": "I now speak English in this group.",
    },
}
