"""The territory of a dossier: resolving it (an EPCI, an EPCI minus communes, a list of communes), the
overlap rule on the commune set, the organisations of the territory."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ctg.conventions.models import (
    Ctg,
    territory_label,
)
from ctg.organisations.models import Organisation
from ctg.territories import french
from ctg.territories.models import Commune, Epci

# How many shared communes an overlap message names before « et N autres ».
OVERLAP_NAMES_SHOWN = 3


@dataclass(frozen=True)
class Territory:
    """The territory of a dossier, checked: a whole EPCI, an EPCI minus some of its communes (`excluded`), or
    a list of communes (`epci` None). `communes` are the communes the convention covers."""

    epci: Epci | None
    communes: tuple[Commune, ...]
    excluded: tuple[Commune, ...] = ()

    @property
    def name(self) -> str:
        return territory_label(
            epci=self.epci, communes=[c.name for c in self.communes], excluded=[c.name for c in self.excluded]
        )


def territory_key(*, epci: Epci | None, communes: Iterable[Commune], excluded: Iterable[Commune] = ()) -> str:
    """A stable key of the territory: « epci:<SIREN> », « epci:<SIREN>:hors:<hash> », « communes:<hash> »."""
    excluded = list(excluded)
    if epci is not None and not excluded:
        return f"epci:{epci.siren}"
    if epci is not None:
        codes = ",".join(sorted(c.code for c in excluded))
        return f"epci:{epci.siren}:hors:" + hashlib.sha1(codes.encode()).hexdigest()
    codes = ",".join(sorted(c.code for c in communes))
    return "communes:" + hashlib.sha1(codes.encode()).hexdigest()


def _names(communes: Iterable[Commune]) -> str:
    """« Aureil, Boisseuil, Bonnac-la-Côte et 16 autres »: a few names, then how many more."""
    names = sorted((c.name for c in communes), key=str.casefold)
    if len(names) <= OVERLAP_NAMES_SHOWN + 1:
        return french.join_fr(names)
    rest = len(names) - OVERLAP_NAMES_SHOWN
    return ", ".join(names[:OVERLAP_NAMES_SHOWN]) + f" et {rest} autres"


def _check_no_overlap(
    *, communes: Iterable[Commune], start_year: int, end_year: int, exclude_pk: int | None = None
) -> None:
    """Two dossiers never cover the same commune in the same year: any other dossier sharing a commune over
    an overlapping period is named, with the shared communes."""
    codes = {c.pk for c in communes}
    clashes = (
        Ctg.objects.filter(communes__in=codes, start_year__lte=end_year, end_year__gte=start_year)
        .distinct()
        .order_by("start_year", "title", "pk")
    )
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    clashes = list(clashes[:2])
    if not clashes:
        return
    other = clashes[0]
    shared = list(other.communes.filter(pk__in=codes))
    count = len(shared)
    communes_text = french.commune_label(shared[0]) if count == 1 else f"{count} communes ({_names(shared)})"
    also = " Au moins un autre dossier recoupe aussi ce territoire." if len(clashes) > 1 else ""
    raise ValidationError(
        f"Une CTG existe déjà sur ce territoire pour une période qui chevauche {start_year}-{end_year} : "
        f"« {other.title} » ({other.period_label}) couvre déjà {communes_text}. Une commune ne relève que "
        f"d'une CTG à la fois : corrigez le territoire ou la période.{also}"
    )


def _resolve_territory(
    *,
    epci: Epci | None,
    communes: Iterable[Commune] | None,
    excluded_communes: Iterable[Commune] | None = None,
) -> Territory:
    """Checks a territory as given (by the form, the demo, a renewal): an EPCI, with or without some of its
    communes left out, or a list of communes — never an EPCI and a list at once."""
    communes = list(dict.fromkeys(communes or []))
    excluded = list(dict.fromkeys(excluded_communes or []))
    if epci is not None and communes:
        raise ValidationError(
            {
                "communes": (
                    "Choisissez un EPCI ou une liste de communes, pas les deux : pour un EPCI sans certaines "
                    "de ses communes, indiquez les communes à exclure."
                )
            }
        )
    if epci is None:
        if excluded:
            raise ValidationError(
                {"excluded_communes": "Des communes ne s'excluent que d'un EPCI : choisissez l'EPCI."}
            )
        if not communes:
            raise ValidationError({"communes": "Choisissez un EPCI ou au moins une commune."})
        inactive = [c for c in communes if not c.is_active]
        if inactive:
            raise ValidationError(
                {"communes": f"Commune qui n'existe plus dans le référentiel : {_names(inactive)}."}
            )
        return Territory(epci=None, communes=tuple(communes))
    members = list(epci.communes.filter(is_active=True).order_by("name"))
    if not members:
        raise ValidationError({"epci": f"L'EPCI {epci.name} n'a aucune commune dans le référentiel."})
    member_pks = {c.pk for c in members}
    outside = [c for c in excluded if c.pk not in member_pks]
    if outside:
        raise ValidationError(
            {
                "excluded_communes": (
                    f"Ces communes ne sont pas membres {french.epci_of(epci.name, epci.nature)} : "
                    f"{_names(outside)}."
                )
            }
        )
    excluded_pks = {c.pk for c in excluded}
    kept = [c for c in members if c.pk not in excluded_pks]
    if not kept:
        raise ValidationError(
            {"excluded_communes": "Toutes les communes de l'EPCI sont exclues : il ne reste aucune commune."}
        )
    return Territory(epci=epci, communes=tuple(kept), excluded=tuple(excluded))


def _apply_territory(ctg: Ctg, territory: Territory) -> None:
    ctg.communes.set(territory.communes)
    ctg.excluded_communes.set(territory.excluded)
    territory_organisations_ensure(epci=territory.epci, communes=territory.communes)


def territory_organisations_ensure(*, epci: Epci | None, communes: Iterable[Commune]) -> list[Organisation]:
    """The organisations that usually sign a CTG besides the CAF: the EPCI (or the communes) and the
    Conseil(s) départemental(aux). Created when missing, so that they can be chosen as signatories."""
    organisations = []
    if epci is not None:
        org, _ = Organisation.objects.get_or_create(
            kind=Organisation.Kind.EPCI, epci=epci, defaults={"name": epci.name}
        )
        organisations.append(org)
    else:
        for commune in communes:
            org, _ = Organisation.objects.get_or_create(
                kind=Organisation.Kind.COMMUNE,
                commune=commune,
                defaults={
                    "name": french.commune_organisation_name(commune),
                    "departement_id": commune.departement_id,
                },
            )
            organisations.append(org)
    departement_ids = sorted({c.departement_id for c in communes})
    for departement_id in departement_ids:
        org = Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTEMENT, departement_id=departement_id
        ).first()
        if org is None:
            from ctg.territories.models import Departement

            departement = Departement.objects.get(pk=departement_id)
            org = Organisation.objects.create(
                kind=Organisation.Kind.DEPARTEMENT,
                departement=departement,
                name=french.departement_council_name(departement),
            )
        organisations.append(org)
    return organisations
