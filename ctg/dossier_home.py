"""The home page of a dossier (« Synthèse »): it gathers what every floor knows of the dossier (territory,
parties and members from `conventions`, the agenda of meetings and decisions from `governance`), so it lives
above the apps, with the site's modules, rather than in `conventions`, which may not read `governance`.

Its URL stays `conventions:detail` (`ctg/urls.py` adds it to the dossier's URLs)."""

from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from ctg.conventions import services
from ctg.conventions.frame import ctg_view, dossier_context
from ctg.conventions.models import PHASE_STEPS, Ctg, Phase
from ctg.governance.selectors import dossier_agenda
from ctg.organisations.permissions import Op, role_allows
from ctg.public.selectors import publication_of

__all__ = ["ctg_detail"]


@ctg_view(Op.VIEW)
def ctg_detail(request, ctg, role):
    communes = ctg.communes.select_related("departement").order_by("name")
    population = communes.aggregate(total=Sum("population"))["total"] or 0
    today = timezone.localdate()
    order = services.PHASE_ORDER
    next_transitions = [
        {
            "to": to,
            "label": Phase(to).label,
            "forward": order.index(to) > order.index(ctg.phase),
            "blockers": services.transition_blockers(ctg, to),
        }
        for to in services.PHASE_MOVES[ctg.phase]
    ]
    return render(
        request,
        "conventions/detail.html",
        dossier_context(
            ctg,
            role,
            "home",
            ctg.title,
            communes=communes,
            population=population,
            departements=sorted({c.departement for c in communes}, key=lambda d: d.code),
            signatories=ctg.signatories.select_related("organisation"),
            partners=ctg.partnerships.select_related("organisation").order_by("organisation__name"),
            members=ctg.memberships.select_related("user", "user__organisation"),
            agenda=dossier_agenda(ctg, today),
            today=today,
            phase_steps=len(PHASE_STEPS),
            next_phase=next((t for t in next_transitions if t["forward"]), None),
            next_transitions=next_transitions,
            signature_blockers=services.signature_blockers(ctg),
            renewal=Ctg.objects.filter(previous=ctg).first(),
            can_renew=role_allows(role, Op.RENEW) and ctg.phase in services.RENEWABLE_PHASES,
            publication=publication_of(ctg),
        ),
    )
