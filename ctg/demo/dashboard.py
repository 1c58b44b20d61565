"""The demo of the CAF's départemental dashboard (issue 14): a person of the Département who reads it, and a
few fictitious dossiers on other EPCI of the demo's département, so that its map and table show every state
(signée, arrivant à échéance, échue with its renewal en préparation, en préparation). Every dossier is
flagged fictitious (`is_fictitious`) and says so in its title; every write goes through the services.
Loaded once: an EPCI that already has a fictitious dossier is left as it is; an EPCI missing from the
référentiel, or whose communes a real dossier covers over those years, is skipped."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from ctg.conventions import services
from ctg.conventions.models import Ctg, Field
from ctg.demo.data import DEMO_PASSWORD
from ctg.territories.models import Epci

READER = (
    "lecture.departement@demo.invalid",
    "Nadia",
    "Roux",
    "Chargée de mission enfance-famille du Département (fictive) : lit le tableau de bord de la CAF",
)
FIELDS = [Field.PETITE_ENFANCE, Field.JEUNESSE, Field.PARENTALITE]
# (EPCI SIREN, first year and last year relative to this year, signed on (years from this year, month,
# day) or None, and a renewal (first and last years) en préparation).
DOSSIERS = [
    ("200034049", -3, 0, (-3, 3, 15), None),  # CC Centre Tarn: arrives at its end this year
    ("248100430", -1, 3, (-1, 6, 1), None),  # CA de Castres Mazamet: signed
    ("248100497", -7, -4, (-7, 5, 1), (0, 3)),  # CC Val 81: ended, its renewal in preparation
    ("200040905", 0, 3, None, None),  # CC Carmausin-Ségala: in preparation
]


def load_demo_dashboard(*, caf, departement_organisation, actor) -> list[Ctg]:
    """The reader of the Département and the fictitious dossiers of the dashboard; returns the dossiers
    created now."""
    _reader(departement_organisation)
    year = timezone.localdate().year
    created = []
    for siren, first, last, signed, renewal in DOSSIERS:
        epci = Epci.objects.filter(siren=siren).first()
        if epci is None or Ctg.objects.filter(epci=epci, is_fictitious=True).exists():
            continue
        try:
            ctg = _dossier(caf, epci, year + first, year + last, actor)
        except ValidationError:  # a real dossier already covers the EPCI over these years: left as it is
            continue
        if signed is not None:
            years, month, day = signed
            signatory = services.signatory_add(
                ctg=ctg,
                actor=actor,
                organisation=caf,
                signer_name="Anne Lefèvre (fictive)",
                signer_capacity="Directrice",
            )
            services.signature_record(
                signatory=signatory, actor=actor, signed_on=datetime.date(year + years, month, day)
            )
        created.append(ctg)
        if renewal is not None:
            try:
                created.append(_dossier(caf, epci, year + renewal[0], year + renewal[1], actor, previous=ctg))
            except ValidationError:
                continue
    return created


def _dossier(caf, epci, start_year: int, end_year: int, actor, previous=None) -> Ctg:
    return services.ctg_create(
        actor=actor,
        title=f"CTG {epci.name} {start_year}-{end_year} (fictive)",
        caf=caf,
        start_year=start_year,
        end_year=end_year,
        fields=FIELDS,
        epci=epci,
        previous=previous,
        is_fictitious=True,
        creator_joins=False,
    )


def _reader(organisation):
    email, first_name, last_name, job_title = READER
    user, created = get_user_model().objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "job_title": job_title,
            "organisation": organisation,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
