"""Announcements in the group room (``ann.*``)."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "ann.proposed": {
        "fr": "Nouvelle proposition {ref} : {candidate}\nProposé par {proposer} ({member}).\nPourquoi : {rationale}{extras}\nSans objection d'ici le {deadline}, {candidate} sera membre.\nPour objecter : {prefix}objection {ref} raison… — pour soutenir : {prefix}soutenir {ref}",
        "nl": "Nieuw voorstel {ref}: {candidate}\nVoorgedragen door {proposer} ({member}).\nWaarom: {rationale}{extras}\nZonder bezwaar tegen {deadline} wordt {candidate} lid.\nBezwaar maken: {prefix}bezwaar {ref} reden… — steunen: {prefix}steunen {ref}",
        "en": "New proposal {ref}: {candidate}\nProposed by {proposer} ({member}).\nWhy: {rationale}{extras}\nWithout objection by {deadline}, {candidate} becomes a member.\nTo object: {prefix}object {ref} reason… — to support: {prefix}support {ref}",
    },
    "ann.contested": {
        "fr": "{ref} ({candidate}) est contesté : {objector} ({member}) objecte — {reason}\nÀ trancher par (personne ne décide de sa propre cause) : {core}",
        "nl": "{ref} ({candidate}) wordt betwist: {objector} ({member}) maakt bezwaar — {reason}\nTe beslissen door (niemand beslist over zijn eigen zaak): {core}",
        "en": "{ref} ({candidate}) is contested: {objector} ({member}) objects — {reason}\nTo be resolved by (nobody decides their own case): {core}",
    },
    "ann.contested_plain": {
        "fr": "{ref} ({candidate}) est contesté : {objector} ({member}) objecte — {reason}",
        "nl": "{ref} ({candidate}) wordt betwist: {objector} ({member}) maakt bezwaar — {reason}",
        "en": "{ref} ({candidate}) is contested: {objector} ({member}) objects — {reason}",
    },
    "ann.no_decider": {
        "fr": "Personne ne peut trancher {ref} ({candidate}) : aucun membre du groupe cœur ni admin n'est extérieur aux organisations qui l'ont proposé ou y ont objecté. Il manque une personne du groupe cœur d'une autre organisation. Admins, donnez ce rôle (donner un rôle n'est pas trancher) : {admins}",
        "nl": "Niemand kan over {ref} ({candidate}) beslissen: geen lid van de kerngroep en geen admin staat buiten de organisaties die het voorstelden of bezwaar maakten. Er ontbreekt een kerngroeplid van een andere organisatie. Admins, ken die rol toe (een rol toekennen is niet beslissen): {admins}",
        "en": "Nobody may resolve {ref} ({candidate}): no core member or admin is outside the organisations that proposed it or objected. A core member from another organisation is missing. Admins, please grant that role (granting is not deciding): {admins}",
    },
    "ann.lapsed_name_taken": {
        "fr": "{ref} ({candidate}) ne peut pas être admis : {member} (« {slug} ») est déjà membre ({status}). La proposition est close.",
        "nl": "{ref} ({candidate}) kan niet worden toegelaten: {member} ('{slug}') is al lid ({status}). Het voorstel is gesloten.",
        "en": "{ref} ({candidate}) cannot be admitted: {member} ('{slug}') is already a member ({status}). The proposal is closed.",
    },
    "ann.twin_members": {
        "fr": "Attention admins : ces membres portent désormais le même nom une fois normalisé : {members}. Ils sont gardés tels quels ; vérifiez s'il s'agit de la même organisation. {admins}",
        "nl": "Let op, admins: deze leden hebben na normalisatie nu dezelfde naam: {members}. Ze blijven zoals ze zijn; ga na of het om dezelfde organisatie gaat. {admins}",
        "en": "Admins, note: these members now share one name once normalised: {members}. They are kept as they are; check whether they are the same organisation. {admins}",
    },
    "ann.item_failed": {
        "fr": "Je n'arrive pas à traiter {item} ; je réessaie régulièrement et le reste continue. Admins, le journal du bot dit pourquoi : {admins}",
        "nl": "Ik kan {item} niet verwerken; ik probeer het regelmatig opnieuw en de rest gaat door. Admins, het logboek van de bot zegt waarom: {admins}",
        "en": "I cannot process {item}; I keep retrying and everything else goes on. Admins, the bot's log says why: {admins}",
    },
    "ann.founder_twin": {
        "fr": "Le fichier de configuration nomme un membre fondateur {name} ({slug}), mais {member} ({member_slug}) porte déjà ce nom : il n'a pas été ajouté (un nom, un membre). Admins, corrigez le fichier : {admins}",
        "nl": "Het configuratiebestand noemt een stichtend lid {name} ({slug}), maar {member} ({member_slug}) draagt die naam al: het is niet toegevoegd (één naam, één lid). Admins, pas het bestand aan: {admins}",
        "en": "The config file names a founding member {name} ({slug}), but {member} ({member_slug}) already bears that name: it was not added (one name, one member). Admins, please fix the file: {admins}",
    },
    "ann.host_granted_admin": {
        "fr": "L'hébergeur du bot a rendu le rôle admin à {person} : le groupe n'avait plus aucun admin en règle.",
        "nl": "De beheerder van de bot heeft {person} opnieuw de rol admin gegeven: de groep had geen admin in orde meer.",
        "en": "The bot's host gave the admin role back to {person}: the group had no admin in good standing left.",
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
        "fr": "{ref} ({candidate}) n'est pas validé : il fallait {needed}, il y en a eu {count}. La proposition peut être refaite.",
        "nl": "{ref} ({candidate}) is niet gevalideerd: er waren {needed} nodig, er kwamen er {count}. Het voorstel kan opnieuw gedaan worden.",
        "en": "{ref} ({candidate}) is not validated: it needed {needed} and got {count}. It can be proposed again.",
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
        "fr": "{by} a changé le réglage {key} : {value}.{scope}",
        "nl": "{by} heeft de instelling {key} gewijzigd: {value}.{scope}",
        "en": "{by} changed the setting {key}: {value}.{scope}",
    },
    "config.new_proposals_only": {
        "fr": " Cela vaut pour les nouvelles propositions ; celles en cours gardent les règles de leur ouverture.",
        "nl": " Dit geldt voor nieuwe voorstellen; lopende voorstellen houden de regels van hun opening.",
        "en": " This applies to new proposals; those already open keep the rules they opened with.",
    },
    "hint.duration": {
        "fr": "une durée de {low} à {high}, par exemple 36h, 5d, 2w",
        "nl": "een duur van {low} tot {high}, bijvoorbeeld 36h, 5d, 2w",
        "en": "a duration from {low} to {high}, such as 36h, 5d, 2w",
    },
    "hint.count": {
        "fr": "un nombre entier de {low} à {high}",
        "nl": "een geheel getal van {low} tot {high}",
        "en": "a whole number from {low} to {high}",
    },
    "hint.quiet": {
        "fr": "HH:MM-HH:MM (par exemple 21:00-08:00), ou off{low}{high}",
        "nl": "HH:MM-HH:MM (bijvoorbeeld 21:00-08:00), of off{low}{high}",
        "en": "HH:MM-HH:MM (for example 21:00-08:00), or off{low}{high}",
    },
    "hint.zone": {
        "fr": "un fuseau horaire comme Europe/Brussels{low}{high}",
        "nl": "een tijdzone zoals Europe/Brussels{low}{high}",
        "en": "a time zone such as Europe/Brussels{low}{high}",
    },
    "hint.languages": {
        "fr": "une ou plusieurs langues parmi {low}, dans l'ordre (par exemple fr, nl){high}",
        "nl": "een of meer talen uit {low}, in volgorde (bijvoorbeeld nl, fr){high}",
        "en": "one or more of {low}, in order (for example en, fr){high}",
    },
    "hint.choice": {
        "fr": "l'un de : {low}{high}",
        "nl": "een van: {low}{high}",
        "en": "one of: {low}{high}",
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
}
