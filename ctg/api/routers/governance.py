"""The meetings of the dossier's bodies and their decisions (read, `Op.VIEW` as the governance's page)."""

from ninja import Router
from ninja.pagination import paginate

from ctg.api.api import READ_ERRORS, dossier_for
from ctg.api.pagination import Pagination
from ctg.api.routers.dossiers import DossierId
from ctg.api.schemas import MeetingOut
from ctg.governance.models import Meeting

router = Router(tags=["Gouvernance"])


@router.get(
    "dossiers/{pk}/reunions",
    response={200: list[MeetingOut], **READ_ERRORS},
    url_name="meetings",
    summary="Les réunions des instances du dossier et leurs décisions",
)
@paginate(Pagination)
def meetings(request, pk: int = DossierId):
    ctg, _role = dossier_for(request, pk)
    found = (
        Meeting.objects.filter(ctg=ctg)
        .select_related("body")
        .prefetch_related("decisions")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "id": m.pk,
            "body": m.body.name,
            "body_kind": m.body.kind,
            "title": m.title,
            "starts_at": m.starts_at,
            "date_precision": m.date_precision,
            "ends_at": m.ends_at,
            "place": m.place,
            "status": m.status,
            "agenda": m.agenda,
            "minutes": m.minutes,
            "decisions": [
                {"id": d.pk, "text": d.text, "kind": d.kind, "fiche": d.fiche_id, "applied_at": d.applied_at}
                for d in sorted(m.decisions.all(), key=lambda d: (d.position, d.pk))
            ],
        }
        for m in found
    ]
