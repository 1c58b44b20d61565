"""The dossiers a person may open, their parties and milestones, and the offer of services of their
territory: the reads of the dossier's pages, under the same operation (`Op.VIEW`)."""

from ninja import Path, Router
from ninja.pagination import paginate

from ctg.api.api import READ_ERRORS, dossier_for
from ctg.api.pagination import Pagination
from ctg.api.schemas import MAX_ID, DossierDetail, DossierOut, MilestoneOut, PartiesOut, StructureOut
from ctg.conventions.models import Ctg, Membership
from ctg.conventions.selectors import ctg_visible_to
from ctg.offer.selectors import structures_of_ctg
from ctg.organisations.permissions import Role

router = Router(tags=["Dossiers CTG"])
DossierId = Path(..., ge=1, le=MAX_ID, description="Identifiant du dossier")
ROLE_LABELS = dict(Role.choices)


def organisation(org) -> dict | None:
    if org is None:
        return None
    return {"id": org.pk, "name": org.name, "kind": org.kind}


def dossier(ctg: Ctg) -> dict:
    return {
        "id": ctg.pk,
        "title": ctg.title,
        "caf": ctg.caf.name,
        "epci": ctg.epci.name if ctg.epci_id else None,
        "start_year": ctg.start_year,
        "end_year": ctg.end_year,
        "phase": ctg.phase,
        "phase_label": ctg.get_phase_display(),
        "fields": list(ctg.fields or []),
        "is_fictitious": ctg.is_fictitious,
    }


@router.get(
    "dossiers",
    response={200: list[DossierOut], 401: READ_ERRORS[401], 422: READ_ERRORS[422]},
    url_name="dossiers",
    summary="Les dossiers que vous pouvez ouvrir",
)
@paginate(Pagination)
def dossiers(request):
    visible = ctg_visible_to(request.auth).select_related("caf", "epci").order_by("pk")
    return [dossier(ctg) for ctg in visible]


@router.get(
    "dossiers/{pk}", response={200: DossierDetail, **READ_ERRORS}, url_name="dossier", summary="Un dossier"
)
def dossier_detail(request, pk: int = DossierId):
    ctg, role = dossier_for(request, pk)
    return {
        **dossier(ctg),
        "communes": list(ctg.communes.order_by("code").values_list("code", flat=True)),
        "is_signed": ctg.is_signed,
        "role": role,
    }


@router.get(
    "dossiers/{pk}/parties",
    response={200: PartiesOut, **READ_ERRORS},
    url_name="parties",
    summary="Signataires, partenaires et membres du dossier",
)
def parties(request, pk: int = DossierId):
    ctg, _role = dossier_for(request, pk)
    memberships = (
        Membership.objects.filter(ctg=ctg)
        .select_related("user", "user__organisation")
        .prefetch_related("communes")
        .order_by("pk")
    )
    return {
        "signatories": [
            {
                "id": s.pk,
                "organisation": organisation(s.organisation),
                "signer_name": s.signer_name,
                "signer_capacity": s.signer_capacity,
                "signed_on": s.signed_on,
            }
            for s in ctg.signatories.select_related("organisation").order_by("position", "pk")
        ],
        "partners": [
            {"id": p.pk, "organisation": organisation(p.organisation), "role": p.role}
            for p in ctg.partnerships.select_related("organisation").order_by("pk")
        ],
        "members": [
            {
                "id": m.pk,
                "name": str(m.user),
                "organisation": m.user.organisation.name if m.user.organisation_id else "",
                "role": m.role,
                "role_label": ROLE_LABELS.get(m.role, m.role),
                "communes": sorted(c.code for c in m.communes.all()),
            }
            for m in memberships
        ],
    }


@router.get(
    "dossiers/{pk}/jalons",
    response={200: list[MilestoneOut], **READ_ERRORS},
    url_name="milestones",
    summary="Les jalons du dossier",
)
@paginate(Pagination)
def milestones(request, pk: int = DossierId):
    ctg, _role = dossier_for(request, pk)
    return ctg.milestones.order_by("date", "pk")


@router.get(
    "dossiers/{pk}/offre/structures",
    response={200: list[StructureOut], **READ_ERRORS},
    url_name="structures",
    summary="L'offre de services du territoire du dossier (structures)",
)
@paginate(Pagination)
def structures(request, pk: int = DossierId):
    ctg, _role = dossier_for(request, pk)
    _territory, found = structures_of_ctg(ctg)
    # A queryset: only the page asked is read.
    return found.select_related("commune").order_by("commune__name", "type", "name", "pk")
