"""Refusals: what the caller reads when a command is refused (``err.*``), and the hints
that name a value's range (``hint.*``)."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "err.unknown_command": {
        "fr": "Je ne connais pas la commande « {word} ». Vouliez-vous dire {prefix}{suggestion} ? Tapez {prefix}aide pour la liste.",
        "nl": "Ik ken het commando '{word}' niet. Bedoelde u {prefix}{suggestion}? Typ {prefix}hulp voor de lijst.",
        "en": "I don't know the command '{word}'. Did you mean {prefix}{suggestion}? Type {prefix}help for the list.",
    },
    "err.unknown_command_plain": {
        "fr": "Je ne connais pas la commande « {word} ». Tapez {prefix}aide pour la liste.",
        "nl": "Ik ken het commando '{word}' niet. Typ {prefix}hulp voor de lijst.",
        "en": "I don't know the command '{word}'. Type {prefix}help for the list.",
    },
    "err.missing_args": {
        "fr": "Il manque quelque chose. Syntaxe : {syntax}",
        "nl": "Er ontbreekt iets. Syntaxis: {syntax}",
        "en": "Something is missing. Syntax: {syntax}",
    },
    "err.too_many_args": {
        "fr": "Je n'ai pas compris « {extra} ». Syntaxe : {syntax}",
        "nl": "Ik begrijp '{extra}' niet. Syntaxis: {syntax}",
        "en": "I did not understand '{extra}'. Syntax: {syntax}",
    },
    "err.bad_proposal_ref": {
        "fr": "« {text} » n'est pas un numéro de proposition. Écrivez son numéro, comme C-3, ou le nom de l'organisation entre guillemets.",
        "nl": "'{text}' is geen voorstelnummer. Schrijf het nummer, zoals C-3, of de naam van de organisatie tussen aanhalingstekens.",
        "en": "'{text}' is not a proposal number. Write its number, like C-3, or the organisation's name in quotes.",
    },
    "err.bad_task_ref": {
        "fr": "« {text} » n'est pas un numéro de tâche. Écrivez son numéro, comme T-2, ou son titre entre guillemets.",
        "nl": "'{text}' is geen taaknummer. Schrijf het nummer, zoals T-2, of de titel tussen aanhalingstekens.",
        "en": "'{text}' is not a task number. Write its number, like T-2, or its title in quotes.",
    },
    "err.bad_ref": {
        "fr": "« {text} » n'est ni une proposition (C-3) ni une tâche (T-2), ni le nom de l'une d'elles. Tapez {prefix}liste toutes ou {prefix}tâches toutes pour les voir.",
        "nl": "'{text}' is geen voorstel (C-3) en geen taak (T-2), en ook niet de naam ervan. Typ {prefix}lijst alle of {prefix}taken alle om ze te zien.",
        "en": "'{text}' is neither a proposal (C-3) nor a task (T-2), nor the name of one. Type {prefix}list all or {prefix}tasks all to see them.",
    },
    "err.ambiguous_ref": {
        "fr": "« {text} » peut désigner {a} ou {b} : précisez lequel.",
        "nl": "'{text}' kan {a} of {b} zijn: zeg welke.",
        "en": "'{text}' could be {a} or {b}: say which.",
    },
    "err.unknown_proposal": {
        "fr": "Il n'y a pas de proposition {ref} dans ce groupe. Tapez {prefix}liste pour les voir.",
        "nl": "Er is geen voorstel {ref} in deze groep. Typ {prefix}lijst om ze te zien.",
        "en": "There is no proposal {ref} in this group. Type {prefix}list to see them.",
    },
    "err.unknown_task": {
        "fr": "Il n'y a pas de tâche {ref} dans ce groupe. Tapez {prefix}tâches pour les voir.",
        "nl": "Er is geen taak {ref} in deze groep. Typ {prefix}taken om ze te zien.",
        "en": "There is no task {ref} in this group. Type {prefix}tasks to see them.",
    },
    "err.not_representative": {
        "fr": "Seules les personnes qui représentent une organisation membre active peuvent faire cela. Demandez à un·e admin ({admins}) de vous lier à votre organisation ({prefix}lier).",
        "nl": "Alleen vertegenwoordigers van een actief lid kunnen dat doen. Vraag een admin ({admins}) om u aan uw organisatie te koppelen ({prefix}koppelen).",
        "en": "Only people who represent an active member organisation can do that. Ask an admin ({admins}) to link you to your organisation ({prefix}link).",
    },
    "err.lang_choice": {
        "fr": "Choisissez fr, nl ou en : {syntax}",
        "nl": "Kies fr, nl of en: {syntax}",
        "en": "Choose fr, nl or en: {syntax}",
    },
    "err.lang_group_admin": {
        "fr": "Seuls les admins choisissent la langue du groupe (demandez à : {admins}). Pour vous-même : !langue fr, nl ou en.",
        "nl": "Alleen de admins kiezen de taal van de groep (vraag het aan: {admins}). Voor uzelf: !taal nl, fr of en.",
        "en": "Only the admins choose the group's language (ask: {admins}). For yourself: !lang en, fr or nl.",
    },
    "err.needs_role": {
        "fr": "Cette commande est réservée au rôle « {role} » ({people}) : demandez-leur. Ce que vous pouvez faire : {prefix}aide",
        "nl": "Dit commando is voorbehouden aan de rol '{role}' ({people}): vraag het hun. Wat u kunt doen: {prefix}hulp",
        "en": "This command is reserved for the '{role}' role ({people}): ask them. What you can do: {prefix}help",
    },
    "err.too_long": {
        "fr": "Ce message est trop long ({size} caractères, maximum {max}). Rien n'a été enregistré.",
        "nl": "Dit bericht is te lang ({size} tekens, maximum {max}). Er is niets opgeslagen.",
        "en": "This message is too long ({size} characters, at most {max}). Nothing was recorded.",
    },
    "err.control_chars": {
        "fr": "Ce message contient des caractères de contrôle invisibles. Retapez-le sans eux ; rien n'a été enregistré.",
        "nl": "Dit bericht bevat onzichtbare stuurtekens. Typ het opnieuw zonder; er is niets opgeslagen.",
        "en": "This message contains invisible control characters. Type it again without them; nothing was recorded.",
    },
    "err.rate_limited": {
        "fr": "Doucement : trop de commandes en peu de temps. Je vous écoute à nouveau à partir de {at} ; ce que vous tapez d'ici là est ignoré (sauf les objections et les retraits).",
        "nl": "Rustig aan: te veel commando's in korte tijd. Vanaf {at} luister ik weer; wat u tot dan typt, negeer ik (behalve bezwaren en intrekkingen).",
        "en": "Slow down: too many commands in a short time. I listen to you again from {at}; what you type until then is ignored (except objections and withdrawals).",
    },
    "err.empty_name": {
        "fr": "Il manque le nom de l'organisation proposée. Exemple : {prefix}coopter \"Nom\" raison…",
        "nl": "De naam van de voorgedragen organisatie ontbreekt. Voorbeeld: {prefix}voordragen \"Naam\" reden…",
        "en": "The name of the proposed organisation is missing. Example: {prefix}propose \"Name\" rationale…",
    },
    "err.empty_rationale": {
        "fr": "Dites pourquoi vous proposez {candidate} (la raison est obligatoire). Mettez le nom entre guillemets, puis la raison : {prefix}coopter \"Nom de l'organisation\" nous travaillons déjà ensemble",
        "nl": "Zeg waarom u {candidate} voordraagt (de reden is verplicht). Zet de naam tussen aanhalingstekens, dan de reden: {prefix}voordragen \"Naam van de organisatie\" we werken al samen",
        "en": "Say why you propose {candidate} (the rationale is required). Put the name in quotes, then the reason: {prefix}propose \"Organisation name\" we already work together",
    },
    "err.already_member": {
        "fr": "{candidate} est déjà membre actif (« {member} »).",
        "nl": "{candidate} is al actief lid ('{member}').",
        "en": "{candidate} is already an active member ('{member}').",
    },
    "err.member_suspended": {
        "fr": "{candidate} est un membre suspendu (« {member} ») : un·e admin peut le réintégrer avec {prefix}membre réintégrer {member}.",
        "nl": "{candidate} is een geschorst lid ('{member}'): een admin kan het herstellen met {prefix}lid herstellen {member}.",
        "en": "{candidate} is a suspended member ('{member}'): an admin can reinstate it with {prefix}member reinstate {member}.",
    },
    "err.duplicate_proposal": {
        "fr": "{candidate} est déjà proposé·e : voyez {ref} ({state}).",
        "nl": "{candidate} is al voorgedragen: zie {ref} ({state}).",
        "en": "{candidate} is already proposed: see {ref} ({state}).",
    },
    "err.charter_missing": {
        "fr": "Ce groupe a une charte : dites comment {candidate} respecte chaque principe. Il manque : {missing}. Ajoutez une ligne « charte N: … » par principe.",
        "nl": "Deze groep heeft een charter: zeg hoe {candidate} elk principe naleeft. Ontbreekt: {missing}. Voeg per principe een regel 'charter N: …' toe.",
        "en": "This group has a charter: say how {candidate} meets each principle. Missing: {missing}. Add one line 'charter N: …' per principle.",
    },
    "err.own_proposal": {
        "fr": "Votre organisation a fait cette proposition : vous ne pouvez pas y objecter ni la soutenir. Vous pouvez la retirer ({prefix}retirer {ref}).",
        "nl": "Uw organisatie deed dit voorstel: u kunt er geen bezwaar tegen maken of het steunen. U kunt het intrekken ({prefix}intrekken {ref}).",
        "en": "Your organisation made this proposal: you cannot object to it or support it. You can withdraw it ({prefix}withdraw {ref}).",
    },
    "err.not_in_electorate": {
        "fr": "Votre organisation est devenue membre après l'ouverture de {ref} : elle ne participe pas à cette décision.",
        "nl": "Uw organisatie werd lid na de opening van {ref}: ze neemt niet deel aan deze beslissing.",
        "en": "Your organisation joined after {ref} was opened: it does not take part in this decision.",
    },
    "err.proposal_closed": {
        "fr": "{ref} est déjà clos ({state}) : rien n'a changé.",
        "nl": "{ref} is al afgesloten ({state}): er is niets veranderd.",
        "en": "{ref} is already closed ({state}): nothing changed.",
    },
    "err.objection_late": {
        "fr": "Le délai de {ref} s'est terminé le {deadline} : cette objection arrive trop tard et ne compte pas. Parlez-en au groupe cœur.",
        "nl": "De termijn van {ref} liep af op {deadline}: dit bezwaar komt te laat en telt niet. Bespreek het met de kerngroep.",
        "en": "The window of {ref} ended on {deadline}: this objection comes too late and does not count. Talk to the core group.",
    },
    "err.reason_required": {
        "fr": "Une raison est obligatoire. Syntaxe : {syntax}",
        "nl": "Een reden is verplicht. Syntaxis: {syntax}",
        "en": "A reason is required. Syntax: {syntax}",
    },
    "err.nothing_to_withdraw": {
        "fr": "Vous n'avez rien à retirer sur {ref} : ni objection active, ni soutien, ni proposition de votre organisation.",
        "nl": "U hebt niets in te trekken op {ref}: geen actief bezwaar, geen steun en geen voorstel van uw organisatie.",
        "en": "You have nothing to withdraw on {ref}: no active objection, no support, and it is not your organisation's proposal.",
    },
    "err.not_contested": {
        "fr": "{ref} n'est pas contesté ({state}) : il n'y a rien à trancher.",
        "nl": "{ref} wordt niet betwist ({state}): er valt niets te beslissen.",
        "en": "{ref} is not contested ({state}): there is nothing to resolve.",
    },
    "err.bad_choice": {
        "fr": "« {text} » n'est pas compris ici. Choix possibles : {choices}.",
        "nl": "'{text}' wordt hier niet begrepen. Mogelijke keuzes: {choices}.",
        "en": "'{text}' is not understood here. Possible choices: {choices}.",
    },
    "err.unknown_setting": {
        "fr": "Réglage inconnu « {key} ». Réglages : {keys}.",
        "nl": "Onbekende instelling '{key}'. Instellingen: {keys}.",
        "en": "Unknown setting '{key}'. Settings: {keys}.",
    },
    "err.bad_value": {
        "fr": "Valeur refusée pour {key} : « {value} ». Attendu : {hint}.",
        "nl": "Waarde geweigerd voor {key}: '{value}'. Verwacht: {hint}.",
        "en": "Value refused for {key}: '{value}'. Expected: {hint}.",
    },
    "err.unknown_person": {
        "fr": "Je ne reconnais pas « {text} » comme personne. Écrivez un identifiant Matrix complet (@nom:serveur.org) ou forum:pseudo.",
        "nl": "Ik herken '{text}' niet als persoon. Schrijf een volledige Matrix-ID (@naam:server.org) of forum:gebruikersnaam.",
        "en": "I don't recognise '{text}' as a person. Write a full Matrix ID (@name:server.org) or forum:username.",
    },
    "err.unknown_member": {
        "fr": "Il n'y a pas de membre « {slug} ». Tapez {prefix}membres pour la liste.",
        "nl": "Er is geen lid '{slug}'. Typ {prefix}leden voor de lijst.",
        "en": "There is no member '{slug}'. Type {prefix}members for the list.",
    },
    "err.which_group": {
        "fr": "Vous êtes dans plusieurs groupes ({groups}). Commencez par le groupe, par exemple : {prefix}{example} statut C-1",
        "nl": "U zit in meerdere groepen ({groups}). Begin met de groep, bijvoorbeeld: {prefix}{example} status C-1",
        "en": "You belong to several groups ({groups}). Start with the group, for example: {prefix}{example} status C-1",
    },
    "err.no_group": {
        "fr": "Je ne vous connais dans aucun groupe. Demandez à un·e admin de votre réseau de vous lier à votre organisation.",
        "nl": "Ik ken u in geen enkele groep. Vraag een admin van uw netwerk om u aan uw organisatie te koppelen.",
        "en": "I don't know you in any group. Ask an admin of your network to link you to your organisation.",
    },
    "err.bad_duration": {
        "fr": "« {text} » n'est pas une durée. Exemples : 90s, 45m, 36h, 5d, 2w.",
        "nl": "'{text}' is geen duur. Voorbeelden: 90s, 45m, 36h, 5d, 2w.",
        "en": "'{text}' is not a duration. Examples: 90s, 45m, 36h, 5d, 2w.",
    },
    "err.bad_date": {
        "fr": "« {text} » n'est pas une date. Exemple : 2026-12-20.",
        "nl": "'{text}' is geen datum. Voorbeeld: 2026-12-20.",
        "en": "'{text}' is not a date. Example: 2026-12-20.",
    },
    "err.role_unchanged": {
        "fr": "Rien à changer : {person} {state} déjà le rôle {role}.",
        "nl": "Niets te veranderen: {person} {state} de rol {role} al.",
        "en": "Nothing to change: {person} {state} the {role} role already.",
    },
    "err.member_unchanged": {
        "fr": "Rien à changer : {member} est déjà « {status} ».",
        "nl": "Niets te veranderen: {member} is al '{status}'.",
        "en": "Nothing to change: {member} is already '{status}'.",
    },
    "err.not_linked": {
        "fr": "{person} n'est lié·e à aucune organisation.",
        "nl": "{person} is aan geen enkele organisatie gekoppeld.",
        "en": "{person} is not linked to any organisation.",
    },
    "err.internal": {
        "fr": "Quelque chose s'est mal passé de mon côté ; rien n'a été modifié. Les admins peuvent consulter le journal.",
        "nl": "Er ging iets mis aan mijn kant; er is niets gewijzigd. De admins kunnen het logboek bekijken.",
        "en": "Something went wrong on my side; nothing was changed. The admins can look at the log.",
    },
    "dm.bot_out_of_room": {
        "fr": "Je ne suis plus dans le salon de {group} (retiré·e ou banni·e) : je n'y lis plus rien, donc je ne décide aucune échéance, dans aucun groupe, tant que je n'y suis pas revenu·e. Invitez-moi à nouveau ({bot}) : je lirai alors tout ce qui y a été dit entre-temps, objections comprises, avant de décider.",
        "nl": "Ik ben niet meer in de ruimte van {group} (verwijderd of verbannen): ik lees er niets meer, dus ik beslis over geen enkele termijn, in geen enkele groep, tot ik terug ben. Nodig mij opnieuw uit ({bot}): dan lees ik alles wat er intussen gezegd is, bezwaren inbegrepen, voor ik beslis.",
        "en": "I am no longer in the room of {group} (removed or banned): I read nothing there any more, so I decide no deadline, in any group, until I am back. Invite me again ({bot}): I will then read everything said there meanwhile, objections included, before deciding.",
    },
    "err.encrypted_unreadable": {
        "fr": "Je ne peux pas lire ce salon : il est chiffré et je tourne sans le support du chiffrement (l'extra coopbot[e2e]). Les commandes tapées ici ne me parviennent pas. Un·e admin peut installer cet extra, ou utilisez un salon non chiffré.",
        "nl": "Ik kan deze ruimte niet lezen: ze is versleuteld en ik draai zonder ondersteuning voor versleuteling (de extra coopbot[e2e]). Commando's die hier getypt worden, bereiken mij niet. Een admin kan die extra installeren, of gebruik een onversleutelde ruimte.",
        "en": "I cannot read this room: it is encrypted and I run without encryption support (the coopbot[e2e] extra). Commands typed here do not reach me. An admin can install that extra, or use an unencrypted room.",
    },
    "err.member_inactive": {
        "fr": "Votre organisation ({member}) est « {status} » : ses représentant·es ne peuvent plus agir tant qu'un·e admin ne la réintègre pas.",
        "nl": "Uw organisatie ({member}) is '{status}': haar vertegenwoordigers kunnen niet handelen tot een admin ze herstelt.",
        "en": "Your organisation ({member}) is '{status}': its representatives cannot act until an admin reinstates it.",
    },
    "err.person_inactive": {
        "fr": "{person} représente {member}, qui est « {status} » : réintégrez d'abord l'organisation.",
        "nl": "{person} vertegenwoordigt {member}, dat '{status}' is: herstel eerst de organisatie.",
        "en": "{person} represents {member}, which is '{status}': reinstate the organisation first.",
    },
    "err.no_objection": {
        "fr": "Vous n'avez pas d'objection active sur {ref}.",
        "nl": "U hebt geen actief bezwaar tegen {ref}.",
        "en": "You have no active objection to {ref}.",
    },
    "err.conflict_of_interest": {
        "fr": "Vous ne pouvez pas trancher {ref} : personne ne décide de sa propre cause (votre organisation l'a proposé ou y a objecté, ou vous n'avez pas le rôle qui décide). C'est à {people} de décider.",
        "nl": "U kunt niet beslissen over {ref}: niemand beslist over zijn eigen zaak (uw organisatie deed het voorstel of maakte bezwaar, of u hebt niet de rol die beslist). {people} moet beslissen.",
        "en": "You cannot resolve {ref}: nobody decides their own case (your organisation proposed it or objected to it, or you do not hold the deciding role). It is for {people} to decide.",
    },
    "err.no_decider": {
        "fr": "Personne ne peut trancher {ref} pour l'instant : aucun membre du groupe cœur ni admin n'est extérieur aux organisations concernées. Un·e admin doit d'abord donner le rôle core à une personne d'une autre organisation ({prefix}rôle donner core @personne).",
        "nl": "Niemand kan nu over {ref} beslissen: geen lid van de kerngroep en geen admin staat buiten de betrokken organisaties. Een admin moet eerst de rol core geven aan iemand van een andere organisatie ({prefix}rol toekennen core @persoon).",
        "en": "Nobody may resolve {ref} for now: no core member or admin is outside the organisations involved. An admin must first grant the core role to someone of another organisation ({prefix}role grant core @person).",
    },
    "err.handover_not_decider": {
        "fr": "{ref} ne peut passer qu'à une personne qui peut trancher {proposal} (personne ne décide de sa propre cause) ; {person} ne le peut pas. Possibles : {people}.",
        "nl": "{ref} kan alleen naar iemand die over {proposal} mag beslissen (niemand beslist over zijn eigen zaak); {person} mag dat niet. Mogelijk: {people}.",
        "en": "{ref} can only go to someone who may resolve {proposal} (nobody decides their own case); {person} may not. Possible: {people}.",
    },
    "err.no_admin_left": {
        "fr": "Refusé : le groupe n'aurait plus aucun admin en règle. Nommez d'abord un autre admin ({prefix}rôle donner admin @personne).",
        "nl": "Geweigerd: de groep zou geen admin in orde meer hebben. Benoem eerst een andere admin ({prefix}rol toekennen admin @persoon).",
        "en": "Refused: the group would be left without an admin in good standing. Appoint another admin first ({prefix}role grant admin @person).",
    },
    "err.name_no_letters": {
        "fr": "« {candidate} » n'est pas un nom : il faut au moins une lettre ou un chiffre. Exemple : {prefix}coopter \"Repair Together\" ils réparent avec nous",
        "nl": "'{candidate}' is geen naam: er is minstens één letter of cijfer nodig. Voorbeeld: {prefix}voordragen \"Repair Together\" ze herstellen samen met ons",
        "en": "'{candidate}' is not a name: it needs at least one letter or digit. Example: {prefix}propose \"Repair Together\" they repair things with us",
    },
    "err.date_too_far": {
        "fr": "Le {day} est trop loin : au plus le {max}.",
        "nl": "{day} is te ver: ten laatste {max}.",
        "en": "{day} is too far ahead: {max} at the latest.",
    },
}
