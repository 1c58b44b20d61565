"""Pages of the CAF's funding (issue 14): its yearly parameter table (read, edit a value with a comment, the
history of each value beside the public value and its source, the gaps), and the simulator.

Who: `PlatformOp.EDIT_FUNDING_PARAMETERS` — the CAF's staff for the CAF of their département, the platform's
data managers for every CAF. Anyone else is refused (403); another CAF's staff do not find this CAF's pages
(404). Every write goes through `services.parameter_set`, which checks the same rule."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ctg.conventions.frame import save_form
from ctg.funding import services
from ctg.funding.forms import ParameterForm, SimulatorForm, YearForm
from ctg.funding.parameters import MISSING_ORIGIN, PARAMETERS, YEAR_MAX, YEAR_MIN, public_value
from ctg.funding.rules import KIND_LABELS
from ctg.funding.simulate import simulate
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import PlatformOp, platform_allows

FORBIDDEN = (
    "Les paramètres de financement sont réservés aux équipes des CAF et aux gestionnaires des données."
)


def _allowed(request) -> None:
    if not platform_allows(request.user, PlatformOp.EDIT_FUNDING_PARAMETERS):
        raise PermissionDenied(FORBIDDEN)


def _caf(request, caf_pk) -> Organisation:
    _allowed(request)
    caf = get_object_or_404(Organisation, pk=caf_pk, kind=Organisation.Kind.CAF)
    if not services.may_edit(request.user, caf):
        raise Http404
    return caf


def _year(request) -> int:
    form = YearForm(request.GET)
    if "annee" in request.GET and form.is_valid():
        return form.cleaned_data["annee"]
    return min(max(datetime.date.today().year, YEAR_MIN), YEAR_MAX)


def _breadcrumb(caf, current: str) -> dict:
    return {
        "links": [{"url": reverse("funding:parameters", args=[caf.pk]), "title": f"Financements, {caf}"}],
        "current": current,
    }


@login_required
@require_http_methods(["GET"])
def index(request):
    """The person's CAF's table; for a data manager, the list of CAFs."""
    _allowed(request)
    user = request.user
    if user.organisation_id and user.organisation.kind == Organisation.Kind.CAF:
        return redirect("funding:parameters", caf_pk=user.organisation_id)
    cafs = [
        c
        for c in Organisation.objects.filter(kind=Organisation.Kind.CAF).select_related("departement")
        if services.may_edit(user, c)
    ]
    return render(request, "funding/index.html", {"cafs": cafs, "title": "Financements des CAF"})


def _labelled(versions) -> list:
    versions = list(versions)
    for version in versions:
        version.label = PARAMETERS[version.key].label if version.key in PARAMETERS else version.key
    return versions


def _rows(caf, year):
    effective = services.parameters_for(caf, year)
    versions = services.current_versions(caf, year)
    rows = []
    for key, parameter in PARAMETERS.items():
        public = public_value(key, year)
        rows.append(
            {
                "parameter": parameter,
                "effective": effective[key],
                "public": public,
                "version": versions.get(key),
                "gap": effective[key].origin == MISSING_ORIGIN,
            }
        )
    return rows


@login_required
@require_http_methods(["GET"])
def parameters(request, caf_pk):
    caf = _caf(request, caf_pk)
    year = _year(request)
    rows = _rows(caf, year)
    context = {
        "caf": caf,
        "year": year,
        "years": range(YEAR_MIN, YEAR_MAX + 1),
        "rows": rows,
        "gaps": [r for r in rows if r["gap"]],
        "history": _labelled(services.history(caf, year)[:50]),
        "title": f"Paramètres de financement {year}, {caf}",
        "breadcrumb_data": {"current": f"Paramètres de financement, {caf}"},
    }
    return render(request, "funding/parameters.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def parameter(request, caf_pk, year, key):
    caf = _caf(request, caf_pk)
    if key not in PARAMETERS or not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404
    effective = services.parameters_for(caf, year)[key]
    version = services.current_versions(caf, year).get(key)
    initial = {"value": "" if version is None or version.value is None else str(effective.value)}
    form = ParameterForm(request.POST if request.method == "POST" else None, initial=initial)
    saved = save_form(
        request,
        form,
        "Valeur enregistrée ; l'historique la garde.",
        services.parameter_set,
        caf=caf,
        year=year,
        key=key,
    )
    if saved:
        return redirect(f"{reverse('funding:parameters', args=[caf.pk])}?annee={year}#{key}")
    context = {
        "caf": caf,
        "year": year,
        "parameter": PARAMETERS[key],
        "effective": effective,
        "public": public_value(key, year),
        "form": form,
        "history": _labelled(services.history(caf, year, key)),
        "title": f"{PARAMETERS[key].label}, {year}",
        "breadcrumb_data": _breadcrumb(caf, f"{PARAMETERS[key].label}, {year}"),
    }
    return render(request, "funding/parameter.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET"])
def simulator(request, caf_pk):
    """The simulator: filled in by GET (nothing is written), so a result can be linked to."""
    caf = _caf(request, caf_pk)
    submitted = "annee" in request.GET
    form = SimulatorForm(request.GET if submitted else None)
    results = None
    status = 200
    if submitted:
        if form.is_valid():
            try:
                lines = form.lines()
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                results = simulate(lines, caf=caf)
                for result in results:
                    result["label"] = KIND_LABELS[result["kind"]]
        else:
            status = 400
    context = {
        "caf": caf,
        "form": form,
        "results": results,
        "title": f"Simulateur des financements, {caf}",
        "breadcrumb_data": _breadcrumb(caf, "Simulateur"),
    }
    return render(request, "funding/simulator.html", context, status=status)
