import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from ctg.conventions import services
from ctg.conventions.models import Agreement, Ctg, Field, Milestone, Phase
from ctg.demo.ateliers import load_demo_ateliers
from ctg.demo.convention import load_demo_convention
from ctg.demo.dashboard import READER, load_demo_dashboard
from ctg.demo.data import (
    DEMO_ADMIN,
    DEMO_CAF_DEPARTEMENT,
    DEMO_EPCI_SIREN,
    DEMO_PASSWORD,
    DEMO_REFERENT_COMMUNE,
    DEMO_USERS,
)
from ctg.demo.findings import load_demo_findings
from ctg.demo.governance import load_demo_governance
from ctg.demo.offer import load_demo_offer
from ctg.demo.plan import load_demo_plan
from ctg.demo.post import load_demo_post
from ctg.demo.post_funding import load as load_demo_post_funding
from ctg.demo.previous_ctg import load_previous_and_renew
from ctg.demo.schema_axes import load_demo_schema_axes
from ctg.demo.statistics import load_fictitious_statistics
from ctg.demo.surveys import load_demo_surveys
from ctg.documents.models import DiagnosticReport
from ctg.documents.services import diagnostic_generate, diagnostic_texts_set
from ctg.organisations.models import Organisation
from ctg.public import services as public_services
from ctg.public.selectors import publication_of
from ctg.rendering import html_to_pdf
from ctg.territories import french
from ctg.territories.models import Commune, Departement, Epci

User = get_user_model()


class DemoError(Exception):
    pass


def _user(email, first_name, last_name, job_title, organisation, **extra):
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "job_title": job_title,
            "organisation": organisation,
            **extra,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _demo_territory() -> tuple[Epci, Departement, Commune]:
    """The EPCI, département and referent commune of the demo (DemoError when the referential is missing)."""
    epci = Epci.objects.filter(siren=DEMO_EPCI_SIREN).first()
    departement = Departement.objects.filter(code=DEMO_CAF_DEPARTEMENT).first()
    commune = Commune.objects.filter(code=DEMO_REFERENT_COMMUNE).first()
    if epci is None or departement is None or commune is None:
        raise DemoError(
            "Le référentiel territorial n'est pas chargé (EPCI 248100737 introuvable) : lancez d'abord "
            "« ctg load_territories »."
        )
    return epci, departement, commune


def _demo_organisations(epci: Epci, departement: Departement, commune: Commune) -> tuple[dict, dict]:
    """The organisations of the demo: the members' ones (caf, epci, departement, commune) and the partners
    (msa, association, centre_social)."""
    caf, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.CAF,
        departement=departement,
        defaults={"name": "CAF " + french.departement_of(departement)},
    )
    orgs = {
        "caf": caf,
        "epci": services.territory_organisations_ensure(epci=epci, communes=list(epci.communes.all()))[0],
        "departement": Organisation.objects.get(kind=Organisation.Kind.DEPARTEMENT, departement=departement),
    }
    orgs["commune"], _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.COMMUNE,
        commune=commune,
        defaults={"name": french.commune_organisation_name(commune), "departement": departement},
    )
    msa, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.MSA, name="MSA Midi-Pyrénées Nord", defaults={"departement": departement}
    )
    association, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.ASSOCIATION,
        name="Association Familles en Albigeois (fictive)",
        defaults={"is_fictitious": True, "departement": departement},
    )
    centre_social, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.ASSOCIATION,
        name="Centre social des Quatre Saisons (fictif)",
        defaults={"is_fictitious": True, "departement": departement},
    )
    return orgs, {"msa": msa, "association": association, "centre_social": centre_social}


def _demo_users(orgs: dict) -> dict:
    """The demo users by email (and the demo administrator, not returned)."""
    users = {}
    for email, first, last, job, org_key, _role in DEMO_USERS:
        users[email] = _user(email, first, last, job, orgs[org_key])
    _user(*DEMO_ADMIN, "Administration de la démonstration", None, is_staff=True, is_superuser=True)
    return users


@transaction.atomic
def load_demo() -> tuple[Ctg, bool, list[str]]:
    """Creates the demo once; returns the dossier, whether it was created now, and the fictitious datasets
    loaded for its diagnostic (when the store had none)."""
    epci, departement, commune = _demo_territory()
    orgs, partners = _demo_organisations(epci, departement, commune)
    users = _demo_users(orgs)

    # The whole département, so that the portrait has its département reference and points of attention.
    statistics = load_fictitious_statistics(list(departement.communes.values_list("code", flat=True)))
    plan_organisations = {
        **orgs,
        "association": partners["association"],
        "centre_social": partners["centre_social"],
    }
    # The CAF's dashboard: the Département's reader and fictitious dossiers on other EPCI of the département.
    load_demo_dashboard(
        caf=orgs["caf"], departement_organisation=orgs["departement"], actor=users["pilote.caf@demo.invalid"]
    )
    existing = demo_dossier()
    if existing is not None:
        _complete_demo(existing, users, plan_organisations)
        return existing, False, statistics

    ctg = _create_demo_ctg(epci, commune, orgs, partners, users)
    _complete_demo(ctg, users, plan_organisations)
    return ctg, True, statistics


def demo_dossier() -> Ctg | None:
    """The current demo dossier: the newest fictitious CTG of the demo EPCI (the previous one, closed and
    renewed into it, is older)."""
    return (
        Ctg.objects.filter(epci__siren=DEMO_EPCI_SIREN, is_fictitious=True)
        .order_by("-start_year", "-pk")
        .first()
    )


def _create_demo_ctg(epci: Epci, commune: Commune, orgs: dict, partners: dict, users: dict) -> Ctg:
    """Creates the demo dossier as the renewal of a previous fictitious CTG (closed, evaluated: its unfinished
    fiche and indicator carried over), an accord-cadre: members, partners, milestones, then the accord-cadre
    signed (its document generated), the avenant adding the plan d'action signed, and the dossier put in
    place."""
    pilot = users["pilote.caf@demo.invalid"]
    coordinator = users["coordination@demo.invalid"]
    start = timezone.localdate().year - 2
    ctg = load_previous_and_renew(
        caf=orgs["caf"],
        epci=epci,
        territory_signatory=orgs["epci"],
        pilot=pilot,
        coordinator=coordinator,
        fields=[
            Field.PETITE_ENFANCE,
            Field.ENFANCE,
            Field.JEUNESSE,
            Field.PARENTALITE,
            Field.ANIMATION_VIE_SOCIALE,
        ],
        start_year=start,
    )
    # An accord-cadre: signed first, the plan d'action comes by avenant (as Limoges Métropole did).
    services.ctg_update(
        ctg=ctg,
        actor=pilot,
        title=f"CTG de l'Agglomération de l'Albigeois {start}-{start + 3} (démonstration)",
        agreement=Agreement.ACCORD_CADRE,
    )
    members = set(ctg.memberships.values_list("user__email", flat=True))
    for email, _first, _last, _job, _org, role in DEMO_USERS:
        if role is None or email in members:
            continue
        services.membership_invite(
            ctg=ctg,
            actor=pilot,
            actor_role="pilote_caf",
            email=email,
            role=role,
            communes=[commune] if role == "referent_communal" else [],
        )
    for organisation in (partners["msa"], partners["association"], partners["centre_social"]):
        services.partner_add(ctg=ctg, actor=coordinator, organisation=organisation)
    _demo_milestones(ctg, coordinator, start)
    _demo_sign_and_start(ctg, orgs, pilot, coordinator)
    return ctg


def _demo_milestones(ctg: Ctg, coordinator, start: int) -> None:
    """The milestones of the demo, done when already past."""
    milestones = [
        (
            Milestone.Kind.LANCEMENT,
            "Délibération du conseil communautaire engageant la démarche",
            (start - 1, 3, 14),
        ),
        (Milestone.Kind.RECRUTEMENT, "Recrutement du chargé de coopération", (start - 1, 5, 2)),
        (Milestone.Kind.DIAGNOSTIC, "Lancement du diagnostic partagé", (start - 1, 6, 5)),
        (Milestone.Kind.ATELIER, "Ateliers thématiques petite enfance et jeunesse", (start - 1, 9, 21)),
        (Milestone.Kind.RESTITUTION, "Restitution du diagnostic au comité de pilotage", (start - 1, 11, 16)),
        (Milestone.Kind.SIGNATURE, "Signature de l'accord-cadre", (start, 2, 8)),
        (
            Milestone.Kind.SIGNATURE,
            "Signature de l'avenant n° 1 : ajout du plan d'action",
            (start + AVENANT_SIGNED[0], *AVENANT_SIGNED[1:]),
        ),
        (Milestone.Kind.BILAN, f"Bilan annuel {start}", (start + 1, 3, 12)),
        (Milestone.Kind.BILAN, f"Bilan annuel {start + 1}", (start + 2, 3, 11)),
        (Milestone.Kind.COMITE, "Comité de pilotage de fin d'année", (start + 2, 12, 10)),
        (
            Milestone.Kind.EVALUATION,
            "Évaluation finale et préparation du renouvellement",
            (start + 3, 10, 15),
        ),
    ]
    today = timezone.localdate()
    for kind, title, (y, m, d) in milestones:
        date = datetime.date(y, m, d)
        services.milestone_create(
            ctg=ctg, actor=coordinator, kind=kind, title=title, date=date, done=date < today
        )


# The avenant that adds the plan d'action: signed in June of the first year (year offset, month, day).
AVENANT_SIGNED = (0, 6, 27)
AVENANT_TITLE = "Ajout du plan d'action"
AVENANT_NOTES = (
    "Avenant fictif (démonstration) : il ajoute à l'accord-cadre le plan d'action, ses fiches, budgets et "
    "indicateurs (montants et cibles fictifs)."
)


def _demo_sign_and_start(ctg: Ctg, orgs: dict, pilot, coordinator) -> None:
    """Moves the dossier through diagnostic to its plan d'action, has the accord-cadre signed and its document
    generated (before the plan, which the avenant's document then lists as added), records the signed avenant
    that adds the plan d'action, then puts the dossier in place."""
    services.ctg_transition(ctg=ctg, actor=coordinator, to=Phase.DIAGNOSTIC)
    services.ctg_transition(ctg=ctg, actor=coordinator, to=Phase.PLAN_ACTION)
    for organisation, name, capacity in (
        (orgs["caf"], "Anne Lefèvre (fictive)", "Directrice"),
        (orgs["epci"], "Jean Dupuis (fictif)", "Président"),
        (orgs["departement"], "Marie Garnier (fictive)", "Présidente"),
    ):
        services.signatory_add(
            ctg=ctg, actor=pilot, organisation=organisation, signer_name=name, signer_capacity=capacity
        )
    _sign_demo(ctg, pilot)
    load_demo_convention(ctg, coordinator)
    year, month, day = AVENANT_SIGNED
    services.avenant_add(
        ctg=ctg,
        actor=pilot,
        title=AVENANT_TITLE,
        signed_on=datetime.date(ctg.start_year + year, month, day),
        notes=AVENANT_NOTES,
    )
    try:
        services.ctg_transition(ctg=ctg, actor=coordinator, to=Phase.MISE_EN_OEUVRE)
    except ValidationError as error:  # pragma: no cover - the demo data satisfies the rules
        raise DemoError(" ".join(error.messages)) from error


def _complete_demo(ctg: Ctg, users: dict, organisations: dict) -> None:
    """What the demo adds to its dossier, each part only when missing (so an older demo gets the newer
    parts): the plan, the signatures, the governance, the coordinator post, then the generated documents (the
    initial one, and that of each avenant without one), the fictitious inventory of the offer, the findings,
    the questionnaire and the ateliers of the diagnostic, then its document, and the public page."""
    coordinator = users["coordination@demo.invalid"]
    load_demo_plan(ctg=ctg, coordinator=coordinator, organisations=organisations)
    _sign_demo(ctg, users["pilote.caf@demo.invalid"])
    load_demo_governance(ctg, users, organisations)
    load_demo_post(ctg, users, organisations)
    load_demo_post_funding(ctg, users)
    load_demo_convention(ctg, coordinator)
    load_demo_offer(ctg, coordinator, organisations)
    load_demo_findings(ctg, coordinator)
    load_demo_schema_axes(ctg, users["pilote.caf@demo.invalid"], coordinator)
    load_demo_surveys(ctg, coordinator)
    load_demo_ateliers(ctg, coordinator, users, organisations)
    _demo_diagnostic_document(ctg, coordinator)
    _demo_publication(ctg, users["pilote.caf@demo.invalid"])


DIAGNOSTIC_INTRODUCTION = (
    "Document de démonstration : le diagnostic partagé d'une CTG fictive sur l'Agglomération de l'Albigeois. "
    "Les statistiques, l'offre, les constats, les réponses au questionnaire et les ateliers sont fictifs."
)
DIAGNOSTIC_CONCLUSIONS = (
    "Le diagnostic (fictif) fait ressortir trois priorités, reprises par les enjeux du plan d'action : "
    "l'accueil du jeune enfant au nord de l'agglomération et en horaires atypiques, l'information et le "
    "soutien des parents, des lieux et des déplacements pour les jeunes."
)


def _demo_diagnostic_document(ctg: Ctg, coordinator) -> None:
    """The diagnostic partagé document: its texts and a first version, generated when the dossier has none
    (after the questionnaire and the ateliers, which its « Sources et méthode » lists)."""
    if ctg.diagnostic_versions.exists():
        return
    if not DiagnosticReport.objects.filter(ctg=ctg).exists():  # texts someone wrote are kept
        diagnostic_texts_set(
            ctg=ctg,
            actor=coordinator,
            introduction=DIAGNOSTIC_INTRODUCTION,
            conclusions=DIAGNOSTIC_CONCLUSIONS,
        )
    diagnostic_generate(ctg=ctg, actor=coordinator)


PUBLIC_INTRODUCTION = (
    "Page de démonstration : cette CTG et tout ce qu'elle montre sont fictifs. Elle illustre ce qu'une "
    "Convention territoriale globale peut présenter aux habitants."
)


def _demo_publication(ctg: Ctg, pilot) -> None:
    """The public page of the demo, published once (never again after someone withdrew it)."""
    if publication_of(ctg) is not None:
        return
    public_services.publication_set(ctg=ctg, actor=pilot, introduction=PUBLIC_INTRODUCTION)
    public_services.publish(ctg=ctg, actor=pilot)


# Each party signs a few days apart; the CAF signs last, on the day of the « Signature » milestone.
DEMO_SIGNATURE_DAYS = ((1, 30), (2, 3), (2, 8))


def _fictitious_signed_copy(ctg: Ctg, signatory, signed_on: datetime.date) -> ContentFile:
    """A one-page PDF standing for the signed copy, plainly marked as fictitious."""
    html = (
        "<html lang='fr'><body style='font-family: sans-serif'>"
        f"<h1>Exemplaire signé (fictif)</h1><p>{escape(ctg.title)}</p>"
        f"<p>Signé le {signed_on:%d/%m/%Y} par {escape(signatory.signer_name)}, "
        f"{escape(signatory.signer_capacity)}, pour {escape(signatory.organisation.name)}.</p>"
        "<p><strong>Document fictif de démonstration : il ne porte aucune signature réelle.</strong></p>"
        "</body></html>"
    )
    return ContentFile(html_to_pdf(html), name="exemplaire-signe-fictif.pdf")


def _sign_demo(ctg: Ctg, actor) -> None:
    """Records the signature of every party that has none yet (in order: EPCI, Département, CAF), with a
    fictitious signed copy."""
    signatories = sorted(
        ctg.signatories.select_related("organisation"), key=lambda s: s.organisation_id == ctg.caf_id
    )
    for signatory, (month, day) in zip(signatories, DEMO_SIGNATURE_DAYS, strict=False):
        if signatory.signed_on is None:
            signed_on = datetime.date(ctg.start_year, month, day)
            services.signature_record(
                signatory=signatory,
                actor=actor,
                signed_on=signed_on,
                signed_scan=_fictitious_signed_copy(ctg, signatory, signed_on),
            )


def demo_logins() -> list[tuple[str, str]]:
    rows = [(email, job) for email, _f, _l, job, _o, _r in DEMO_USERS]
    rows.append((READER[0], READER[3]))
    rows.append((DEMO_ADMIN[0], "Administrateur (accès à /admin/)"))
    return rows
