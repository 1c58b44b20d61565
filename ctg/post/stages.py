"""Where the yearly funding convention of the coordinator post stands: pure functions, no database.

The steps of a year Y, in the order people usually take them (a step may be corrected or cancelled by the
CAF, so the stage is always computed from what is recorded, never stored):

1. the request (the coordination, before Y starts) — « À demander » → « Demandée »;
2. the CAF's decision (amount agreed) — « Accordée »;
3. the convention generated from the CAF's model — « Convention à signer »;
4. the signature — « Convention signée »;
5. the advance (acompte), paid once signed — « Acompte versé »;
6. the activity report of Y accepted by the CAF — « Rapport d'activité accepté »;
7. the balance (solde), paid once the report is accepted — « Soldée ».

A line recorded before the convention was followed (amounts only) is placed by the same rules: its payments
say how far it went.

Indicative dates (`due`) of the next step: the request by 31/12 of Y-1, the decision by 31/01 of Y, the
convention generated 15 days after the decision, signed 30 days after its generation, the advance paid 30
days after the signature, the report sent by 31/03 of Y+1 and accepted 30 days after, the balance paid 30
days after the report's acceptance. They feed the reminders (`ctg.notifications.reminders`) and the CAF's
dashboard.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

A_DEMANDER = "a_demander"
DEMANDEE = "demandee"
ACCORDEE = "accordee"
A_SIGNER = "a_signer"
SIGNEE = "signee"
ACOMPTE_VERSE = "acompte_verse"
RAPPORT_ACCEPTE = "rapport_accepte"
SOLDEE = "soldee"

LABELS = {
    A_DEMANDER: "À demander",
    DEMANDEE: "Demandée",
    ACCORDEE: "Accordée",
    A_SIGNER: "Convention à signer",
    SIGNEE: "Convention signée",
    ACOMPTE_VERSE: "Acompte versé",
    RAPPORT_ACCEPTE: "Rapport d'activité accepté",
    SOLDEE: "Soldée",
}
ORDER = list(LABELS)

# Who acts for the next step (the roles of the dossier that the reminders notify).
CAF = "caf"
COORDINATION = "coordination"
BOTH = "caf_coordination"
NOBODY = ""

ACTOR_LABELS = {
    CAF: "la CAF (pilote CAF)",
    COORDINATION: "la coordination",
    BOTH: "la CAF et l'employeur du poste",
    NOBODY: "",
}

DECISION_DAYS = 15
SIGNATURE_DAYS = 30
ADVANCE_DAYS = 30
ACCEPTANCE_DAYS = 30
BALANCE_DAYS = 30

# The steps shown as a list on the post page: (code of the stage reached once done, label of the step).
STEPS = (
    (DEMANDEE, "Demande"),
    (ACCORDEE, "Accord de la CAF"),
    (A_SIGNER, "Convention générée"),
    (SIGNEE, "Signature"),
    (ACOMPTE_VERSE, "Acompte versé"),
    (RAPPORT_ACCEPTE, "Rapport d'activité accepté"),
    (SOLDEE, "Solde versé"),
)


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    next_step: str
    actor: str
    due: datetime.date | None

    @property
    def actor_label(self) -> str:
        return ACTOR_LABELS[self.actor]

    @property
    def position(self) -> int:
        """1 to 8, for the DSFR stepper."""
        return ORDER.index(self.code) + 1


def _plus(day, days: int) -> datetime.date | None:
    if day is None:
        return None
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()  # the day in France
    return day + datetime.timedelta(days=days)


def stage_of(year: int, funding=None, report_status: str = "", report_sent_on=None, report_accepted_on=None):
    """The stage of year `year` for a funding line (a `PostFunding` or any object with its attributes; None:
    nothing recorded) and the year's activity report (`report_status`: "", "a_preparer", "envoye",
    "accepte"; the dates of its sending and acceptance)."""
    if funding is None:
        return Stage(
            A_DEMANDER,
            LABELS[A_DEMANDER],
            f"Faire la demande de financement {year} à la CAF.",
            COORDINATION,
            datetime.date(year - 1, 12, 31),
        )
    if funding.amount_agreed is None:
        return Stage(
            DEMANDEE,
            LABELS[DEMANDEE],
            "Enregistrer la décision de la CAF (montant accordé).",
            CAF,
            max(datetime.date(year, 1, 31), _plus(funding.requested_on, DECISION_DAYS) or datetime.date.min),
        )
    if funding.balance_paid > 0:
        if funding.remaining > 0:
            return Stage(SOLDEE, LABELS[SOLDEE], "Le solde est versé en partie.", NOBODY, None)
        return Stage(SOLDEE, LABELS[SOLDEE], "Rien à faire : le financement est soldé.", NOBODY, None)
    if funding.advance_paid > 0 or (funding.signed_on and report_status == "accepte"):
        if report_status == "accepte":
            return Stage(
                RAPPORT_ACCEPTE,
                LABELS[RAPPORT_ACCEPTE],
                "Verser le solde.",
                CAF,
                _plus(report_accepted_on, BALANCE_DAYS),
            )
        if report_status == "envoye":
            return Stage(
                ACOMPTE_VERSE,
                LABELS[ACOMPTE_VERSE],
                f"Accepter le rapport d'activité {year}.",
                CAF,
                _plus(report_sent_on, ACCEPTANCE_DAYS),
            )
        return Stage(
            ACOMPTE_VERSE,
            LABELS[ACOMPTE_VERSE],
            f"Envoyer le rapport d'activité {year} à la CAF.",
            COORDINATION,
            datetime.date(year + 1, 3, 31),
        )
    if funding.signed_on is not None:
        return Stage(SIGNEE, LABELS[SIGNEE], "Verser l'acompte.", CAF, _plus(funding.signed_on, ADVANCE_DAYS))
    if funding.convention_version > 0:
        return Stage(
            A_SIGNER,
            LABELS[A_SIGNER],
            "Signer la convention et enregistrer la signature.",
            BOTH,
            _plus(funding.convention_generated_at, SIGNATURE_DAYS),
        )
    return Stage(
        ACCORDEE,
        LABELS[ACCORDEE],
        "Générer la convention de financement.",
        CAF,
        _plus(funding.decided_on, DECISION_DAYS) or datetime.date(year, 2, 15),
    )


def steps_done(funding, report_status: str = "") -> dict[str, bool]:
    """For the step list: which steps are recorded (each step on its own; a correction may leave a gap)."""
    if funding is None:
        return {code: False for code, _ in STEPS}
    return {
        DEMANDEE: funding.requested_on is not None,
        ACCORDEE: funding.amount_agreed is not None,
        A_SIGNER: funding.convention_version > 0,
        SIGNEE: funding.signed_on is not None,
        ACOMPTE_VERSE: funding.advance_paid > 0,
        RAPPORT_ACCEPTE: report_status == "accepte",
        SOLDEE: funding.balance_paid > 0,
    }
