"""The Discourse forum (bot/forum.py, commands/forum_text.py)."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "forum.title": {
        "fr": "[{group}] Cooptation {ref} : {candidate}",
        "nl": "[{group}] Coöptatie {ref}: {candidate}",
        "en": "[{group}] Cooptation {ref}: {candidate}",
    },
    "forum.intro": {
        "fr": "**{proposer}** ({member}) propose d'accueillir **{candidate}** ({ref}).\n\nPourquoi : {rationale}{extras}",
        "nl": "**{proposer}** ({member}) stelt voor om **{candidate}** op te nemen ({ref}).\n\nWaarom: {rationale}{extras}",
        "en": "**{proposer}** ({member}) proposes to welcome **{candidate}** ({ref}).\n\nWhy: {rationale}{extras}",
    },
    "forum.howto": {
        "fr": "Sans objection d'ici le {deadline}, la proposition est validée. Pour réagir, répondez dans ce sujet ; le premier mot de votre réponse compte :\n- `{object}` suivi de votre raison : vous vous opposez ;\n- `{support}` : vous soutenez ;\n- `{withdraw}` : vous retirez votre objection (ou votre proposition).\nToute autre réponse est une discussion. Seule la première version d'une réponse compte : la modifier ou la supprimer ne change rien. Votre compte du forum doit être lié à votre organisation membre.",
        "nl": "Zonder bezwaar vóór {deadline} wordt het voorstel aanvaard. Reageer door in dit onderwerp te antwoorden; het eerste woord van uw antwoord telt:\n- `{object}` gevolgd door uw reden: u maakt bezwaar;\n- `{support}`: u steunt;\n- `{withdraw}`: u trekt uw bezwaar (of uw voorstel) in.\nElk ander antwoord is discussie. Alleen de eerste versie van een antwoord telt: bewerken of verwijderen verandert niets. Uw forumaccount moet aan uw lidorganisatie gekoppeld zijn.",
        "en": "Without objection by {deadline}, the proposal is validated. To react, reply in this topic; the first word of your reply counts:\n- `{object}` followed by your reason: you object;\n- `{support}`: you support;\n- `{withdraw}`: you withdraw your objection (or your proposal).\nAny other reply is discussion. Only the first version of a reply counts: editing or deleting it changes nothing. Your forum account must be linked to your member organisation.",
    },
    "forum.room": {
        "fr": "Salon Matrix du groupe : {url}",
        "nl": "Matrix-kamer van de groep: {url}",
        "en": "The group's Matrix room: {url}",
    },
    "forum.status": {
        "fr": "**État : {state}**\nÉchéance : {deadline}\nObjections : {objections}\nSoutiens : {supports}",
        "nl": "**Status: {state}**\nDeadline: {deadline}\nBezwaren: {objections}\nSteun: {supports}",
        "en": "**State: {state}**\nDeadline: {deadline}\nObjections: {objections}\nSupports: {supports}",
    },
    "forum.status_heading": {
        "fr": "Statut (tenu à jour par le bot)",
        "nl": "Status (bijgehouden door de bot)",
        "en": "Status (kept current by the bot)",
    },
    "forum.outcome": {
        "fr": "Décision pour {ref} ({candidate}) : **{state}**. {reason}Ce sujet est maintenant fermé.",
        "nl": "Beslissing over {ref} ({candidate}): **{state}**. {reason}Dit onderwerp is nu gesloten.",
        "en": "Decision on {ref} ({candidate}): **{state}**. {reason}This topic is now closed.",
    },
    "forum.unlinked": {
        "fr": "Bonjour {user}, votre compte du forum n'est lié à aucune organisation membre : votre réponse « {word} » ne change donc rien pour l'instant. Le ou la registraire ({registrars}) peut vous lier à votre organisation ; je l'ai prévenu·e. Ensuite, répondez à nouveau ici.",
        "nl": "Hallo {user}, uw forumaccount is niet aan een lidorganisatie gekoppeld: uw antwoord '{word}' verandert dus voorlopig niets. De registrar ({registrars}) kan u aan uw organisatie koppelen; ik heb hem of haar verwittigd. Antwoord daarna opnieuw hier.",
        "en": "Hello {user}, your forum account is not linked to any member organisation, so your reply '{word}' changes nothing for now. The registrar ({registrars}) can link you to your organisation; I have told them. Then reply here again.",
    },
    "dm.forum_category_missing": {
        "fr": "Je ne trouve pas la catégorie « {category} » de {group} sur le forum (renommée, supprimée, ou mal écrite dans la configuration) : je ne lis plus rien sur le forum, donc je ne décide aucune échéance, dans aucun groupe, tant qu'elle n'est pas retrouvée. L'hébergeur du bot peut mettre dans discourse_category le numéro de la catégorie, qui ne change pas quand on la renomme.",
        "nl": "Ik vind de categorie '{category}' van {group} niet op het forum (hernoemd, verwijderd, of verkeerd geschreven in de configuratie): ik lees niets meer op het forum, dus ik beslis over geen enkele termijn, in geen enkele groep, tot ze teruggevonden is. De beheerder van de bot kan in discourse_category het nummer van de categorie zetten, dat niet verandert bij een nieuwe naam.",
        "en": "I cannot find the forum category '{category}' of {group} (renamed, deleted, or mistyped in the configuration): I read nothing in the forum any more, so I decide no deadline, in any group, until it is found. The bot's host can put the category's number in discourse_category, which does not change when it is renamed.",
    },
    "forum.account_changed": {
        "fr": "Bonjour {user}, ce nom du forum est lié à une organisation membre, mais sous un autre compte (renommé depuis, ou dont le nom a été repris) : votre réponse « {word} » ne change donc rien. Le ou la registraire ({registrars}) peut lier ce compte-ci s'il représente l'organisation ; je l'ai prévenu·e.",
        "nl": "Hallo {user}, deze forumnaam is aan een lidorganisatie gekoppeld, maar onder een ander account (sindsdien hernoemd, of waarvan de naam opnieuw genomen is): uw antwoord '{word}' verandert dus niets. De registrar ({registrars}) kan dit account koppelen als het de organisatie vertegenwoordigt; ik heb hem of haar verwittigd.",
        "en": "Hello {user}, this forum name is linked to a member organisation, but under another account (renamed since, or whose name was taken again), so your reply '{word}' changes nothing. The registrar ({registrars}) can link this account if it represents the organisation; I have told them.",
    },
    "dm.forum_account_changed": {
        "fr": "Sur le forum, le nom {user} a répondu « {word} » dans le sujet de {ref} ({candidate}) depuis un autre compte que celui qui est lié à « {member} » (compte renommé, ou nom repris par quelqu'un d'autre) ; rien n'a changé. Si c'est bien un·e représentant·e de l'organisation : {prefix}lier forum:{user} {slug}",
        "nl": "Op het forum antwoordde de naam {user} '{word}' in het onderwerp van {ref} ({candidate}) vanaf een ander account dan het account dat aan '{member}' gekoppeld is (hernoemd account, of een naam die iemand anders opnieuw nam); er is niets veranderd. Als het wel een vertegenwoordiger van de organisatie is: {prefix}koppelen forum:{user} {slug}",
        "en": "On the forum, the name {user} replied '{word}' in the topic of {ref} ({candidate}) from another account than the one linked to '{member}' (an account renamed, or the name taken by someone else); nothing changed. If it is indeed a representative of the organisation: {prefix}link forum:{user} {slug}",
    },
    "dm.forum_unlinked": {
        "fr": "Sur le forum, {user} a répondu « {word} » dans le sujet de {ref} ({candidate}) mais n'est lié·e à aucune organisation membre ; rien n'a changé. S'il ou elle représente un membre : {prefix}lier forum:{user} <membre>",
        "nl": "Op het forum antwoordde {user} '{word}' in het onderwerp van {ref} ({candidate}) maar is aan geen lidorganisatie gekoppeld; er is niets veranderd. Als die persoon een lid vertegenwoordigt: {prefix}koppelen forum:{user} <lid>",
        "en": "On the forum, {user} replied '{word}' in the topic of {ref} ({candidate}) but is not linked to any member organisation; nothing changed. If they represent a member: {prefix}link forum:{user} <member>",
    },
    "ann.forum_topic": {
        "fr": "{ref} ({candidate}) se discute aussi sur le forum : {url}",
        "nl": "{ref} ({candidate}) wordt ook op het forum besproken: {url}",
        "en": "{ref} ({candidate}) is also discussed on the forum: {url}",
    },
    # --- proposals born in the forum (bot/forum_born.py, commands/forum_template.py) ---
    "forum.born_opened": {
        "fr": "J'ai ouvert {ref} à partir du premier message de ce sujet, lu comme ci-dessous ; modifier ce message ne change plus la proposition.",
        "nl": "Ik heb {ref} geopend vanuit het eerste bericht van dit onderwerp, gelezen zoals hieronder; dat bericht bewerken verandert het voorstel niet meer.",
        "en": "I opened {ref} from the first post of this topic, read as below; editing that post no longer changes the proposal.",
    },
    "forum.born_refused": {
        "fr": "Je ne peux pas encore ouvrir de proposition à partir de ce sujet :\n{problems}\n\nModifiez le premier message de ce sujet pour corriger cela : je le relirai. Ses lignes, une étiquette par ligne :\n\n{template}",
        "nl": "Ik kan nog geen voorstel openen vanuit dit onderwerp:\n{problems}\n\nBewerk het eerste bericht van dit onderwerp om dat te verhelpen: ik lees het dan opnieuw. De regels, één label per regel:\n\n{template}",
        "en": "I cannot open a proposal from this topic yet:\n{problems}\n\nEdit the first post of this topic to fix it and I will read it again. Its lines, one label per line:\n\n{template}",
    },
    "forum.born_missing": {
        "fr": "- il manque (ou est vide) : {labels}",
        "nl": "- ontbreekt of is leeg: {labels}",
        "en": "- missing or empty: {labels}",
    },
    "forum.born_bad_name": {
        "fr": "- « {candidate} » ne peut pas servir de nom : il faut au moins une lettre ou un chiffre, et au plus {max} caractères.",
        "nl": "- '{candidate}' kan geen naam zijn: er is minstens één letter of cijfer nodig, en hoogstens {max} tekens.",
        "en": "- '{candidate}' cannot be a name: it needs a letter or a digit, and at most {max} characters.",
    },
    "forum.born_too_long": {
        "fr": "- la proposition est trop longue ({size} caractères, au plus {max}) : raccourcissez la description.",
        "nl": "- het voorstel is te lang ({size} tekens, hoogstens {max}): kort de beschrijving in.",
        "en": "- the proposal is too long ({size} characters, at most {max}): shorten the description.",
    },
    "forum.born_unlinked": {
        "fr": "- votre compte du forum ({user}) n'est lié à aucune organisation membre : demandez au ou à la registraire ({registrars}) de vous lier à la vôtre.",
        "nl": "- uw forumaccount ({user}) is aan geen lidorganisatie gekoppeld: vraag de registrar ({registrars}) om u aan uw organisatie te koppelen.",
        "en": "- your forum account ({user}) is not linked to a member organisation: ask the registrar ({registrars}) to link you to yours.",
    },
    "forum.born_inactive": {
        "fr": "- votre organisation ({member}) est « {status} » : ses représentant·es ne peuvent rien proposer tant qu'un·e admin ne la réintègre pas.",
        "nl": "- uw organisatie ({member}) is '{status}': haar vertegenwoordigers kunnen niets voordragen tot een admin ze herstelt.",
        "en": "- your organisation ({member}) is '{status}': its representatives cannot propose until an admin reinstates it.",
    },
    "forum.born_template": {
        "fr": "nom: le nom de l'organisation\npourquoi: pourquoi vous la proposez\nsite: (facultatif)\ncontact: (facultatif)\ndescription: (facultatif)",
        "nl": "naam: de naam van de organisatie\nwaarom: waarom u ze voordraagt\nwebsite: (optioneel)\ncontact: (optioneel)\nbeschrijving: (optioneel)",
        "en": "name: the organisation's name\nwhy: why you propose it\nwebsite: (optional)\ncontact: (optional)\ndescription: (optional)",
    },
    "forum.born_template_charter": {
        "fr": "charte {n}: comment elle respecte « {principle} »",
        "nl": "charter {n}: hoe ze '{principle}' naleeft",
        "en": "charter {n}: how it meets '{principle}'",
    },
    "forum.label_name": {"fr": "nom:", "nl": "naam:", "en": "name:"},
    "forum.label_why": {"fr": "pourquoi:", "nl": "waarom:", "en": "why:"},
    "forum.label_charter": {"fr": "charte {n}:", "nl": "charter {n}:", "en": "charter {n}:"},
    "dm.forum_born_unlinked": {
        "fr": "Sur le forum, {user} a ouvert un sujet de proposition ({url}) mais n'est lié·e à aucune organisation membre ; aucune proposition n'a été ouverte. S'il ou elle représente un membre : {prefix}lier forum:{user} <membre>",
        "nl": "Op het forum opende {user} een onderwerp met een voorstel ({url}) maar is aan geen lidorganisatie gekoppeld; er is geen voorstel geopend. Als die persoon een lid vertegenwoordigt: {prefix}koppelen forum:{user} <lid>",
        "en": "On the forum, {user} opened a proposal topic ({url}) but is not linked to any member organisation; no proposal was opened. If they represent a member: {prefix}link forum:{user} <member>",
    },
}
