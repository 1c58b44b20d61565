"""The comparison page of a CTG and the one it renews (/plan/ctg/<pk>/comparaison/, namespace
`evaluation`)."""

from django.shortcuts import render

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.conventions.models import Ctg
from ctg.conventions.selectors import ctg_visible_to
from ctg.evaluation import comparison
from ctg.organisations.permissions import Op


@ctg_view(Op.VIEW)
def comparison_page(request, ctg, role):
    ctg = Ctg.objects.select_related("previous", "epci").get(pk=ctg.pk)
    previous_visible = (
        ctg.previous_id is not None and ctg_visible_to(request.user).filter(pk=ctg.previous_id).exists()
    )
    data = comparison.compare(ctg, previous_visible=previous_visible)
    renewal = Ctg.objects.filter(previous=ctg).first()
    title = data.get("title") or "Comparaison avec la CTG précédente"
    context = dossier_context(
        ctg,
        role,
        "plan",
        title,
        c=data,
        renewal=renewal if renewal and ctg_visible_to(request.user).filter(pk=renewal.pk).exists() else None,
    )
    return render(request, "evaluation/comparison.html", context)
