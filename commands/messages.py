"""Every sentence the bot writes, in French, Dutch and English.

Keys are grouped by use: ``err.*`` refusals, ``ok.*`` replies to the caller, ``ann.*``
announcements in the group room, ``dm.*`` direct messages, ``help.*``/``syntax.*``/``param.*``
the generated help. ``tests/test_messages.py`` checks that every key exists in the three
languages with the same placeholders.
"""

from __future__ import annotations

LANGUAGES = ("fr", "nl", "en")

CATALOG: dict[str, dict[str, str]] = {
    # --- refusals -------------------------------------------------------------------------
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
        "fr": "« {text} » n'est pas un numéro de proposition (exemple : C-3).",
        "nl": "'{text}' is geen voorstelnummer (voorbeeld: C-3).",
        "en": "'{text}' is not a proposal number (example: C-3).",
    },
    "err.bad_task_ref": {
        "fr": "« {text} » n'est pas un numéro de tâche (exemple : T-2).",
        "nl": "'{text}' is geen taaknummer (voorbeeld: T-2).",
        "en": "'{text}' is not a task number (example: T-2).",
    },
    "err.bad_ref": {
        "fr": "« {text} » n'est ni une proposition (C-3) ni une tâche (T-2).",
        "nl": "'{text}' is geen voorstel (C-3) en geen taak (T-2).",
        "en": "'{text}' is neither a proposal (C-3) nor a task (T-2).",
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
        "fr": "Seules les personnes qui représentent une organisation membre active peuvent faire cela. Demandez à un·e admin de vous lier à votre organisation ({prefix}lier).",
        "nl": "Alleen vertegenwoordigers van een actief lid kunnen dat doen. Vraag een admin om u aan uw organisatie te koppelen ({prefix}koppelen).",
        "en": "Only people who represent an active member organisation can do that. Ask an admin to link you to your organisation ({prefix}link).",
    },
    "err.needs_role": {
        "fr": "Cette commande est réservée au rôle « {role} ».",
        "nl": "Dit commando is voorbehouden aan de rol '{role}'.",
        "en": "This command is reserved for the '{role}' role.",
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
        "fr": "Doucement : trop de commandes en peu de temps. Je reprends dans une minute.",
        "nl": "Rustig aan: te veel commando's in korte tijd. Over een minuut luister ik weer.",
        "en": "Slow down: too many commands in a short time. I will listen again in a minute.",
    },
    "err.empty_name": {
        "fr": "Il manque le nom de l'organisation proposée. Exemple : {prefix}coopter \"Nom\" raison…",
        "nl": "De naam van de voorgedragen organisatie ontbreekt. Voorbeeld: {prefix}voordragen \"Naam\" reden…",
        "en": "The name of the proposed organisation is missing. Example: {prefix}propose \"Name\" rationale…",
    },
    "err.empty_rationale": {
        "fr": "Dites pourquoi vous proposez {candidate} (la raison est obligatoire). Exemple : {prefix}coopter \"{candidate}\" nous travaillons déjà ensemble",
        "nl": "Zeg waarom u {candidate} voordraagt (de reden is verplicht). Voorbeeld: {prefix}voordragen \"{candidate}\" we werken al samen",
        "en": "Say why you propose {candidate} (the rationale is required). Example: {prefix}propose \"{candidate}\" we already work together",
    },
    "err.already_member": {
        "fr": "{candidate} est déjà membre actif (« {member} »).",
        "nl": "{candidate} is al actief lid ('{member}').",
        "en": "{candidate} is already an active member ('{member}').",
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
        "fr": "Vous n'avez rien à retirer sur {ref} : ni objection active, ni proposition de votre organisation.",
        "nl": "U hebt niets in te trekken op {ref}: geen actief bezwaar en geen voorstel van uw organisatie.",
        "en": "You have nothing to withdraw on {ref}: no active objection, and it is not your organisation's proposal.",
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
    "err.last_admin": {
        "fr": "{person} est le dernier admin du groupe : nommez d'abord un autre admin.",
        "nl": "{person} is de laatste admin van de groep: benoem eerst een andere admin.",
        "en": "{person} is the group's last admin: appoint another admin first.",
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
    # --- replies to the caller -----------------------------------------------------------
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
        "fr": "Votre soutien à {ref} est enregistré ({count} soutien(s)).",
        "nl": "Uw steun voor {ref} is opgeslagen ({count} steunbetuiging(en)).",
        "en": "Your support for {ref} is recorded ({count} support(s)).",
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
        "fr": "{key} vaut maintenant {value}.",
        "nl": "{key} is nu {value}.",
        "en": "{key} is now {value}.",
    },
    "ok.lang": {
        "fr": "Je parle désormais français dans ce groupe.",
        "nl": "Ik spreek voortaan Nederlands in deze groep.",
        "en": "I now speak English in this group.",
    },
    # --- status, lists ---------------------------------------------------------------------
    "status.proposal": {
        "fr": "{ref} — {candidate} : {state}\nProposé par {proposer} ({member}) le {created}\nPourquoi : {rationale}{extras}\nÉchéance : {deadline}\nObjections : {objections}\nSoutiens : {supports}{decision}",
        "nl": "{ref} — {candidate}: {state}\nVoorgedragen door {proposer} ({member}) op {created}\nWaarom: {rationale}{extras}\nTermijn: {deadline}\nBezwaren: {objections}\nSteun: {supports}{decision}",
        "en": "{ref} — {candidate}: {state}\nProposed by {proposer} ({member}) on {created}\nWhy: {rationale}{extras}\nDeadline: {deadline}\nObjections: {objections}\nSupports: {supports}{decision}",
    },
    "status.decision": {
        "fr": "\nDécision : {state} le {at} par {by} — {reason}",
        "nl": "\nBeslissing: {state} op {at} door {by} — {reason}",
        "en": "\nDecision: {state} on {at} by {by} — {reason}",
    },
    "status.none": {"fr": "aucune", "nl": "geen", "en": "none"},
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
    # --- announcements in the group room --------------------------------------------------
    "ann.proposed": {
        "fr": "Nouvelle proposition {ref} : {candidate}\nProposé par {proposer} ({member}).\nPourquoi : {rationale}{extras}\nSans objection d'ici le {deadline}, {candidate} sera membre.\nPour objecter : {prefix}objection {ref} raison… — pour soutenir : {prefix}soutenir {ref}",
        "nl": "Nieuw voorstel {ref}: {candidate}\nVoorgedragen door {proposer} ({member}).\nWaarom: {rationale}{extras}\nZonder bezwaar tegen {deadline} wordt {candidate} lid.\nBezwaar maken: {prefix}bezwaar {ref} reden… — steunen: {prefix}steunen {ref}",
        "en": "New proposal {ref}: {candidate}\nProposed by {proposer} ({member}).\nWhy: {rationale}{extras}\nWithout objection by {deadline}, {candidate} becomes a member.\nTo object: {prefix}object {ref} reason… — to support: {prefix}support {ref}",
    },
    "ann.contested": {
        "fr": "{ref} ({candidate}) est contesté : {objector} ({member}) objecte — {reason}\nGroupe cœur, à vous de trancher : {core}",
        "nl": "{ref} ({candidate}) wordt betwist: {objector} ({member}) maakt bezwaar — {reason}\nKerngroep, aan u om te beslissen: {core}",
        "en": "{ref} ({candidate}) is contested: {objector} ({member}) objects — {reason}\nCore group, yours to resolve: {core}",
    },
    "ann.objection_added": {
        "fr": "Nouvelle objection sur {ref} ({candidate}) par {objector} ({member}) — {reason}",
        "nl": "Nieuw bezwaar tegen {ref} ({candidate}) door {objector} ({member}) — {reason}",
        "en": "Another objection to {ref} ({candidate}) by {objector} ({member}) — {reason}",
    },
    "ann.reopened": {
        "fr": "Toutes les objections à {ref} ({candidate}) sont retirées : la proposition est rouverte jusqu'au {deadline}.",
        "nl": "Alle bezwaren tegen {ref} ({candidate}) zijn ingetrokken: het voorstel staat weer open tot {deadline}.",
        "en": "All objections to {ref} ({candidate}) are withdrawn: the proposal is open again until {deadline}.",
    },
    "ann.last_call": {
        "fr": "Dernier appel pour {ref} ({candidate}) : le délai se termine le {deadline}. {people}, vous ne vous êtes pas encore exprimé·es.",
        "nl": "Laatste oproep voor {ref} ({candidate}): de termijn loopt af op {deadline}. {people}, u hebt zich nog niet uitgesproken.",
        "en": "Last call for {ref} ({candidate}): the window ends on {deadline}. {people}, you have not spoken yet.",
    },
    "ann.validated": {
        "fr": "{ref} est validé : sans objection, {candidate} devient membre (coopté par {member}). Bienvenue !",
        "nl": "{ref} is gevalideerd: zonder bezwaar wordt {candidate} lid (gecoöpteerd door {member}). Welkom!",
        "en": "{ref} is validated: with no objection, {candidate} becomes a member (coopted by {member}). Welcome!",
    },
    "ann.accepted": {
        "fr": "{ref} est accepté par le groupe cœur ({by}) : {candidate} devient membre. Raison : {reason}",
        "nl": "{ref} is aanvaard door de kerngroep ({by}): {candidate} wordt lid. Reden: {reason}",
        "en": "{ref} is accepted by the core group ({by}): {candidate} becomes a member. Reason: {reason}",
    },
    "ann.rejected": {
        "fr": "{ref} est refusé par le groupe cœur ({by}) : {candidate} ne devient pas membre. Raison : {reason}",
        "nl": "{ref} is geweigerd door de kerngroep ({by}): {candidate} wordt geen lid. Reden: {reason}",
        "en": "{ref} is rejected by the core group ({by}): {candidate} does not become a member. Reason: {reason}",
    },
    "ann.lapsed": {
        "fr": "{ref} ({candidate}) n'est pas validé : il fallait {needed} soutien(s), il y en a eu {count}. La proposition peut être refaite.",
        "nl": "{ref} ({candidate}) is niet gevalideerd: er waren {needed} steunbetuiging(en) nodig, er kwamen er {count}. Het voorstel kan opnieuw gedaan worden.",
        "en": "{ref} ({candidate}) is not validated: it needed {needed} support(s) and got {count}. It can be proposed again.",
    },
    "ann.withdrawn": {
        "fr": "{ref} ({candidate}) est retiré par {by}.",
        "nl": "{ref} ({candidate}) is ingetrokken door {by}.",
        "en": "{ref} ({candidate}) is withdrawn by {by}.",
    },
    "ann.extended": {
        "fr": "J'ai été hors ligne pendant {downtime} pendant le délai de {ref} ({candidate}) : il est prolongé jusqu'au {deadline}.",
        "nl": "Ik was {downtime} offline tijdens de termijn van {ref} ({candidate}): die wordt verlengd tot {deadline}.",
        "en": "I was offline for {downtime} during the window of {ref} ({candidate}): it is extended until {deadline}.",
    },
    "ann.config_changed": {
        "fr": "{by} a changé le réglage {key} : {value}.",
        "nl": "{by} heeft de instelling {key} gewijzigd: {value}.",
        "en": "{by} changed the setting {key}: {value}.",
    },
    "ann.role_granted": {
        "fr": "{by} a donné le rôle {role} à {person}.",
        "nl": "{by} heeft de rol {role} aan {person} gegeven.",
        "en": "{by} gave the {role} role to {person}.",
    },
    "ann.role_revoked": {
        "fr": "{by} a retiré le rôle {role} à {person}.",
        "nl": "{by} heeft de rol {role} van {person} afgenomen.",
        "en": "{by} took the {role} role from {person}.",
    },
    "ann.linked": {
        "fr": "{by} a lié {person} à {member}.",
        "nl": "{by} heeft {person} aan {member} gekoppeld.",
        "en": "{by} linked {person} to {member}.",
    },
    "ann.unlinked": {
        "fr": "{by} a délié {person} de {member}.",
        "nl": "{by} heeft {person} losgekoppeld van {member}.",
        "en": "{by} unlinked {person} from {member}.",
    },
    "ann.member_status": {
        "fr": "{by} a changé le statut de {member} : {status}.",
        "nl": "{by} heeft de status van {member} gewijzigd: {status}.",
        "en": "{by} changed the status of {member}: {status}.",
    },
    # --- words shown inside other messages ----------------------------------------------
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
    # --- help ------------------------------------------------------------------------------
    "help.header": {
        "fr": "Commandes que vous pouvez utiliser (tapez {prefix}aide COMMANDE pour le détail) :",
        "nl": "Commando's die u kunt gebruiken (typ {prefix}hulp COMMANDO voor details):",
        "en": "Commands you can use (type {prefix}help COMMAND for details):",
    },
    "help.line": {"fr": "{syntax} — {summary}", "nl": "{syntax} — {summary}", "en": "{syntax} — {summary}"},
    "help.detail": {
        "fr": "{syntax}\n{summary}\nAutres noms : {aliases}\nQui : {who}\nExemple : {example}",
        "nl": "{syntax}\n{summary}\nAndere namen: {aliases}\nWie: {who}\nVoorbeeld: {example}",
        "en": "{syntax}\n{summary}\nOther names: {aliases}\nWho: {who}\nExample: {example}",
    },
    "who.anyone": {"fr": "tout le monde", "nl": "iedereen", "en": "anyone"},
    "help.propose": {"fr": "proposer une organisation (cooptation)", "nl": "een organisatie voordragen (coöptatie)", "en": "propose an organisation (cooptation)"},
    "help.object": {"fr": "objecter à une proposition, avec une raison", "nl": "bezwaar maken tegen een voorstel, met een reden", "en": "object to a proposal, with a reason"},
    "help.withdraw": {"fr": "retirer votre objection ou votre proposition", "nl": "uw bezwaar of uw voorstel intrekken", "en": "withdraw your objection or your proposal"},
    "help.support": {"fr": "soutenir une proposition", "nl": "een voorstel steunen", "en": "support a proposal"},
    "help.status": {"fr": "voir où en est une proposition ou une tâche", "nl": "de stand van een voorstel of taak bekijken", "en": "see where a proposal or task stands"},
    "help.list": {"fr": "lister les propositions", "nl": "de voorstellen oplijsten", "en": "list the proposals"},
    "help.members": {"fr": "lister les membres", "nl": "de leden oplijsten", "en": "list the members"},
    "help.resolve": {"fr": "trancher une proposition contestée", "nl": "over een betwist voorstel beslissen", "en": "decide a contested proposal"},
    "help.config": {"fr": "voir ou changer les réglages du groupe", "nl": "de instellingen van de groep bekijken of wijzigen", "en": "show or change the group's settings"},
    "help.role": {"fr": "donner ou retirer un rôle", "nl": "een rol geven of afnemen", "en": "grant or revoke a role"},
    "help.link": {"fr": "lier une personne à une organisation membre", "nl": "een persoon aan een lidorganisatie koppelen", "en": "link a person to a member organisation"},
    "help.unlink": {"fr": "délier une personne de son organisation", "nl": "een persoon loskoppelen van zijn organisatie", "en": "unlink a person from their organisation"},
    "help.member": {"fr": "suspendre, marquer parti ou réintégrer un membre", "nl": "een lid schorsen, als vertrokken markeren of herstellen", "en": "suspend, mark as left or reinstate a member"},
    "help.lang": {"fr": "changer la langue du bot dans ce groupe", "nl": "de taal van de bot in deze groep wijzigen", "en": "change the bot's language in this group"},
    "help.help": {"fr": "cette aide", "nl": "deze hulp", "en": "this help"},
    "param.name": {"fr": "\"Nom\"", "nl": "\"Naam\"", "en": "\"Name\""},
    "param.rationale": {"fr": "raison…", "nl": "reden…", "en": "rationale…"},
    "param.reason": {"fr": "raison…", "nl": "reden…", "en": "reason…"},
    "param.comment": {"fr": "commentaire…", "nl": "opmerking…", "en": "comment…"},
    "param.proposal": {"fr": "C-n", "nl": "C-n", "en": "C-n"},
    "param.ref": {"fr": "C-n|T-n", "nl": "C-n|T-n", "en": "C-n|T-n"},
    "param.person": {"fr": "@personne", "nl": "@persoon", "en": "@person"},
    "param.member": {"fr": "membre", "nl": "lid", "en": "member"},
    "param.command": {"fr": "commande", "nl": "commando", "en": "command"},
    "param.key": {"fr": "CLÉ", "nl": "SLEUTEL", "en": "KEY"},
    "param.value": {"fr": "VALEUR", "nl": "WAARDE", "en": "VALUE"},
    "example.propose": {
        "fr": "{prefix}coopter \"La Ferme du Chant des Cailles\" maraîchage coopératif à Watermael, nous échangeons déjà des semences",
        "nl": "{prefix}voordragen \"Buurtwerking Noordwijk\" buurthuis in Schaarbeek, we werken al samen",
        "en": "{prefix}propose \"Repair Together\" repair cafés across Brussels, we already share volunteers",
    },
    "example.object": {"fr": "{prefix}objection C-3 ce n'est pas une organisation", "nl": "{prefix}bezwaar C-3 dit is geen organisatie", "en": "{prefix}object C-3 this is not an organisation"},
    "example.withdraw": {"fr": "{prefix}retirer C-3", "nl": "{prefix}intrekken C-3", "en": "{prefix}withdraw C-3"},
    "example.support": {"fr": "{prefix}soutenir C-3 on les connaît bien", "nl": "{prefix}steunen C-3 we kennen ze goed", "en": "{prefix}support C-3 we know them well"},
    "example.status": {"fr": "{prefix}statut C-3", "nl": "{prefix}status C-3", "en": "{prefix}status C-3"},
    "example.list": {"fr": "{prefix}liste tout", "nl": "{prefix}lijst alle", "en": "{prefix}list all"},
    "example.members": {"fr": "{prefix}membres", "nl": "{prefix}leden", "en": "{prefix}members"},
    "example.resolve": {"fr": "{prefix}trancher C-3 accepter l'objection a été discutée en réunion", "nl": "{prefix}beslissen C-3 aanvaarden het bezwaar is besproken", "en": "{prefix}resolve C-3 accept the objection was discussed at the meeting"},
    "example.config": {"fr": "{prefix}config set silence_window 5d", "nl": "{prefix}config set silence_window 5d", "en": "{prefix}config set silence_window 5d"},
    "example.role": {"fr": "{prefix}rôle grant core @bob:example.org", "nl": "{prefix}rol grant core @bob:example.org", "en": "{prefix}role grant core @bob:example.org"},
    "example.link": {"fr": "{prefix}lier forum:bob dewey", "nl": "{prefix}koppelen forum:bob dewey", "en": "{prefix}link forum:bob dewey"},
    "example.unlink": {"fr": "{prefix}délier forum:bob", "nl": "{prefix}ontkoppelen forum:bob", "en": "{prefix}unlink forum:bob"},
    "example.member": {"fr": "{prefix}membre suspend dewey", "nl": "{prefix}lid suspend dewey", "en": "{prefix}member suspend dewey"},
    "example.lang": {"fr": "{prefix}langue nl", "nl": "{prefix}taal fr", "en": "{prefix}lang fr"},
    "example.help": {"fr": "{prefix}aide objection", "nl": "{prefix}hulp bezwaar", "en": "{prefix}help object"},
}
