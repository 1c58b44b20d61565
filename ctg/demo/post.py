"""The demo coordinator post (fictitious amounts): the coordination user holds it at the EPCI, full time,
since January of the first year; the CAF co-funds it at about half of a ~45 000 € cost: year 1 paid in
full, year 2 advance only; the activity report of year 1 is accepted, the one of year 2 is to prepare."""

import datetime
from decimal import Decimal

from ctg.conventions.models import Ctg
from ctg.organisations.models import Organisation
from ctg.post import services
from ctg.post.models import CoordinatorPost

COORDINATOR_EMAIL = "coordination@demo.invalid"
PILOT_EMAIL = "pilote.caf@demo.invalid"
MISSIONS = (
    "Animer la démarche de la CTG et préparer les comités de pilotage et techniques.\n"
    "Suivre le plan d'action, ses indicateurs et son budget ; rédiger les bilans annuels.\n"
    "Coordonner les partenaires (communes, CAF, Département, MSA, associations) et les groupes de travail.\n"
    "Informer les élus et les habitants ; repérer les besoins émergents du territoire."
)
AGREED = Decimal("22500.00")  # 50 % of a post costing about 45 000 € a year (fictitious)
REPORT_COMMENTS = (
    "Première année de mise en œuvre : installation des instances, lancement des fiches petite enfance et "
    "jeunesse, premier bilan annuel. (Rapport fictif de démonstration.)"
)
REPORT_PRIORITIES = (
    "Ouvrir l'accueil des 11-14 ans, étendre le relais petite enfance itinérant, préparer l'évaluation à "
    "mi-parcours. (Priorités fictives de démonstration.)"
)


def load_demo_post(ctg: Ctg, users: dict, organisations: dict[str, Organisation]) -> bool:
    """Creates the post once (nothing when it exists); returns whether it was created now."""
    if CoordinatorPost.objects.filter(ctg=ctg).exists():
        return False
    coordinator = users[COORDINATOR_EMAIL]
    pilot = users.get(PILOT_EMAIL, coordinator)
    first, second = ctg.start_year, ctg.start_year + 1
    post = services.post_set(
        ctg=ctg,
        actor=coordinator,
        person_name=coordinator.get_full_name() or coordinator.email,
        user=coordinator,
        employer=organisations["epci"],
        fte=Decimal("1"),
        start_date=datetime.date(first, 1, 2),
        missions=MISSIONS,
    )
    services.funding_set(
        post=post,
        actor=pilot,
        year=first,
        amount_agreed=AGREED,
        advance_paid=AGREED / 2,
        balance_paid=AGREED / 2,
        decided_on=datetime.date(first, 1, 20),
    )
    if second <= ctg.end_year:
        services.funding_set(
            post=post,
            actor=pilot,
            year=second,
            amount_agreed=AGREED,
            advance_paid=AGREED / 2,
            balance_paid=Decimal("0"),
            decided_on=datetime.date(second, 1, 19),
        )
    report = services.report_get_or_create(post=post, actor=coordinator, year=first)
    services.report_update(
        report=report, actor=coordinator, priorities=REPORT_PRIORITIES, comments=REPORT_COMMENTS
    )
    services.report_send(report=report, actor=coordinator)
    services.report_accept(report=report, actor=pilot)
    if second <= ctg.end_year:
        services.report_get_or_create(post=post, actor=coordinator, year=second)
    return True
