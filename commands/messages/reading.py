"""What the bot says when it could not read something for sure (issue 9): an id that does not
exist, a name that fits several, a command word that is someone else's, a date it could read
two ways or not at all. Each says what to type instead."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "err.unknown_proposal_near": {
        "fr": "Il n'y a pas de proposition {ref} dans ce groupe. Vouliez-vous dire {near} ({name}) ? Tapez {prefix}liste toutes pour les voir.",
        "nl": "Er is geen voorstel {ref} in deze groep. Bedoelde u {near} ({name})? Typ {prefix}lijst alle om ze te zien.",
        "en": "There is no proposal {ref} in this group. Did you mean {near} ({name})? Type {prefix}list all to see them.",
    },
    "err.unknown_task_near": {
        "fr": "Il n'y a pas de tâche {ref} dans ce groupe. Vouliez-vous dire {near} ({name}) ? Tapez {prefix}tâches toutes pour les voir.",
        "nl": "Er is geen taak {ref} in deze groep. Bedoelde u {near} ({name})? Typ {prefix}taken alle om ze te zien.",
        "en": "There is no task {ref} in this group. Did you mean {near} ({name})? Type {prefix}tasks all to see them.",
    },
    "err.unknown_ref": {
        "fr": "Il n'y a ni proposition ni tâche numéro {number} dans ce groupe. Tapez {prefix}liste toutes ou {prefix}tâches toutes pour les voir.",
        "nl": "Er is geen voorstel en geen taak nummer {number} in deze groep. Typ {prefix}lijst alle of {prefix}taken alle om ze te zien.",
        "en": "There is no proposal or task number {number} in this group. Type {prefix}list all or {prefix}tasks all to see them.",
    },
    "err.unknown_ref_near": {
        "fr": "Il n'y a ni proposition ni tâche numéro {number} dans ce groupe. Les plus proches : {near}.",
        "nl": "Er is geen voorstel en geen taak nummer {number} in deze groep. De dichtstbijzijnde: {near}.",
        "en": "There is no proposal or task number {number} in this group. The nearest: {near}.",
    },
    "err.no_proposal_named": {
        "fr": "Aucune proposition ne s'appelle « {text} ». Écrivez son numéro (comme C-3) ; tapez {prefix}liste toutes pour les voir.",
        "nl": "Geen enkel voorstel heet '{text}'. Schrijf het nummer (zoals C-3); typ {prefix}lijst alle om ze te zien.",
        "en": "No proposal is called '{text}'. Write its number (like C-3); type {prefix}list all to see them.",
    },
    "err.no_task_named": {
        "fr": "Aucune tâche ne s'appelle « {text} ». Écrivez son numéro (comme T-2) ; tapez {prefix}tâches toutes pour les voir.",
        "nl": "Geen enkele taak heet '{text}'. Schrijf het nummer (zoals T-2); typ {prefix}taken alle om ze te zien.",
        "en": "No task is called '{text}'. Write its number (like T-2); type {prefix}tasks all to see them.",
    },
    "err.which_one": {
        "fr": "« {text} » peut désigner plusieurs : {choices}. Écrivez le numéro de celle que vous voulez dire, par exemple : {example}",
        "nl": "'{text}' kan meerdere aanduiden: {choices}. Schrijf het nummer van degene die u bedoelt, bijvoorbeeld: {example}",
        "en": "'{text}' could be several: {choices}. Write the number of the one you mean, for example: {example}",
    },
    "err.name_before_text": {
        "fr": "Vouliez-vous dire {ref} ({name}) ? Devant un texte, écrivez le numéro (ou le nom entre guillemets) : {example}",
        "nl": "Bedoelde u {ref} ({name})? Vóór een tekst schrijft u het nummer (of de naam tussen aanhalingstekens): {example}",
        "en": "Did you mean {ref} ({name})? Before a text, write the number (or the name in quotes): {example}",
    },
    "err.not_yours_did_you_mean": {
        "fr": "Vouliez-vous dire {prefix}{suggestion} ? ({prefix}{word} : {refusal})",
        "nl": "Bedoelde u {prefix}{suggestion}? ({prefix}{word}: {refusal})",
        "en": "Did you mean {prefix}{suggestion}? ({prefix}{word}: {refusal})",
    },
    "err.date_unclear": {
        "fr": "« {text} » ressemble à une date, mais je n'ai pas pu la lire. Vouliez-vous dire une date ? Écrivez-la comme {numeric} ou {words}.",
        "nl": "'{text}' lijkt op een datum, maar ik kon hem niet lezen. Bedoelde u een datum? Schrijf hem als {numeric} of {words}.",
        "en": "'{text}' looks like a date, but I could not read it. Did you mean a date? Write it like {numeric} or {words}.",
    },
    "err.date_two_readings": {
        "fr": "« {text} » peut vouloir dire {a} ou {b}. Lequel ? Écrivez {a_numeric} ou {b_numeric}.",
        "nl": "'{text}' kan {a} of {b} betekenen. Welke bedoelt u? Schrijf {a_numeric} of {b_numeric}.",
        "en": "'{text}' can mean {a} or {b}. Which one? Write {a_numeric} or {b_numeric}.",
    },
    "err.away_date_then_text": {
        "fr": "J'ai lu {day}, mais pas ce qui suit : « {extra} ». Écrivez seulement votre dernier jour d'absence, par exemple : {prefix}absent jusqu'au {numeric}",
        "nl": "Ik las {day}, maar niet wat volgt: '{extra}'. Schrijf alleen uw laatste afwezige dag, bijvoorbeeld: {prefix}afwezig tot {numeric}",
        "en": "I read {day}, but not what follows: '{extra}'. Write only your last day away, for example: {prefix}away until {numeric}",
    },
    "err.due_inside_title": {
        "fr": "J'ai lu une échéance ({day}) au milieu du titre. Mettez le titre entre guillemets, puis l'échéance, par exemple : {prefix}mandater {lead} \"{title}\" échéance {numeric}{rest}",
        "nl": "Ik las een deadline ({day}) midden in de titel. Zet de titel tussen aanhalingstekens, dan de deadline, bijvoorbeeld: {prefix}mandateren {lead} \"{title}\" deadline {numeric}{rest}",
        "en": "I read a due date ({day}) inside the title. Put the title in quotes, then the date, for example: {prefix}mandate {lead} \"{title}\" due {numeric}{rest}",
    },
}
