"""Scenarios of the offer of services in the dossier's « Diagnostic » tab (issue 12, item 5): the list of the
dossier's scenarios compared side by side, a page per scenario with the coverage and the white zones before
and after, the forms to create and change them and « Transformer en fiche action ». Every member reads
(`Op.VIEW`); the dossier's editors write (`Op.EDIT`), and those who edit the plan turn a scenario into a fiche
(`Op.EDIT_PLAN`). Every write goes through `ctg.offer.scenarios`. A scenario (or a line) of another dossier is
not found (404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from ctg.conventions.frame import apply_errors, ctg_view, dossier_context
from ctg.diagnostics.portrait import of_territory, territory_of_ctg
from ctg.offer import scenarios, selectors, typology
from ctg.offer.forms_scenarios import ClosureForm, LineForm, ScenarioCreateForm, ScenarioForm
from ctg.offer.models import Scenario, ScenarioLine, Structure
from ctg.offer.views_needs import _distance
from ctg.organisations.permissions import Op

COMPARE_MAX = 6


def _scenario(ctg, scenario_pk) -> Scenario:
    scenario = Scenario.objects.filter(ctg=ctg, pk=scenario_pk).prefetch_related("fiches").first()
    if scenario is None:
        raise Http404("Aucun scénario de ce numéro dans ce dossier.")
    return scenario


def _line(scenario, line_pk) -> ScenarioLine:
    line = ScenarioLine.objects.filter(scenario=scenario, pk=line_pk).select_related("commune").first()
    if line is None or line.kind != ScenarioLine.Kind.CREATE:
        raise Http404("Aucune ligne de ce numéro dans ce scénario.")
    return line


def _context(ctg, role, title, **extra):
    context = dossier_context(ctg, role, "diagnostic", title, diagnostic_nav="needs", **extra)
    context["breadcrumb_data"]["links"].append(
        {"url": reverse("offer:needs", args=[ctg.pk]), "title": "Besoins et offre"}
    )
    if title != "Scénarios de l'offre de services":
        context["breadcrumb_data"]["links"].append(
            {"url": reverse("offer:scenarios", args=[ctg.pk]), "title": "Scénarios"}
        )
    return context


@ctg_view(Op.VIEW)
def scenario_list(request, ctg, role):
    saved = list(Scenario.objects.filter(ctg=ctg).prefetch_related("fiches", "lines__commune"))
    wanted = {value for value in request.GET.getlist("comparer") if value.isdigit()}
    chosen = [s for s in saved if str(s.pk) in wanted] if wanted else saved
    chosen = chosen[:COMPARE_MAX]
    distance = _distance(request.GET)
    columns = []
    for scenario in chosen:
        comparison = (
            scenarios.compare_scenario(scenario, distance_km=distance) if scenario.lines.all() else None
        )
        columns.append({"scenario": scenario, "comparison": comparison})
    context = _context(
        ctg,
        role,
        "Scénarios de l'offre de services",
        saved=saved,
        columns=columns,
        chosen={s.pk for s in chosen},
        compare_max=COMPARE_MAX,
        distance=distance,
        territory_of=of_territory(territory_of_ctg(ctg)),
    )
    return render(request, "offer/scenario_list.html", context)


def _form_page(request, ctg, role, form, *, title, back_url, submit, status=200, scenario=None):
    context = _context(
        ctg, role, title, form=form, heading=title, back_url=back_url, submit=submit, scenario=scenario
    )
    return render(request, "offer/scenario_form.html", context, status=status)


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def scenario_add(request, ctg, role):
    territory = territory_of_ctg(ctg)
    initial = {k: request.GET[k] for k in ("type", "commune") if request.GET.get(k)}
    form = ScenarioCreateForm(request.POST or None, territory=territory, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = scenarios.scenario_create(
                ctg=ctg,
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                lines=[form.line_values()],
            )
        except ValidationError as error:
            apply_errors(form, _line_errors(error))
        else:
            messages.success(request, f"Scénario « {scenario.name} » enregistré.")
            return redirect("offer:scenario", ctg.pk, scenario.pk)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title="Simuler une nouvelle structure",
        back_url=reverse("offer:scenarios", args=[ctg.pk]),
        submit="Enregistrer le scénario",
        status=400 if request.method == "POST" else 200,
    )


def _line_errors(error: ValidationError) -> ValidationError:
    """The service names the line's name `name`; the form calls it `line_name`."""
    if hasattr(error, "error_dict") and "name" in error.error_dict and "line_name" not in error.error_dict:
        errors = dict(error.error_dict)
        errors["line_name"] = errors.pop("name")
        return ValidationError(errors)
    return error


@ctg_view(Op.VIEW)
def scenario_detail(request, ctg, role, scenario_pk):
    scenario = _scenario(ctg, scenario_pk)
    lines = list(scenario.lines.select_related("commune", "structure"))
    distance = _distance(request.GET)
    comparison = scenarios.compare_scenario(scenario, distance_km=distance) if lines else None
    context = _context(
        ctg,
        role,
        f"Scénario « {scenario.name} »",
        scenario=scenario,
        lines=lines,
        comparison=comparison,
        distance=distance,
        distances=sorted({5, 10, 15, 20, 30, distance}),
        fiche=scenario.fiches.first(),
    )
    return render(request, "offer/scenario_detail.html", context)


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def scenario_edit(request, ctg, role, scenario_pk):
    scenario = _scenario(ctg, scenario_pk)
    initial = {"name": scenario.name, "description": scenario.description}
    form = ScenarioForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changes = scenarios.scenario_update(
                scenario=scenario,
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Modifications enregistrées." if changes else "Aucune modification.")
            return redirect("offer:scenario", ctg.pk, scenario.pk)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title=f"Modifier le scénario « {scenario.name} »",
        back_url=reverse("offer:scenario", args=[ctg.pk, scenario.pk]),
        submit="Enregistrer les modifications",
        status=400 if request.method == "POST" else 200,
        scenario=scenario,
    )


@ctg_view(Op.EDIT, methods=("POST",))
def scenario_delete(request, ctg, role, scenario_pk):
    scenario = _scenario(ctg, scenario_pk)
    name = scenario.name
    scenarios.scenario_delete(scenario=scenario, actor=request.user)
    messages.success(request, f"Scénario « {name} » supprimé.")
    return redirect("offer:scenarios", ctg.pk)


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def line_add(request, ctg, role, scenario_pk):
    scenario = _scenario(ctg, scenario_pk)
    form = LineForm(request.POST or None, territory=territory_of_ctg(ctg))
    if request.method == "POST" and form.is_valid():
        try:
            scenarios.line_add(scenario=scenario, actor=request.user, **form.line_values())
        except ValidationError as error:
            apply_errors(form, _line_errors(error))
        else:
            messages.success(request, "Structure ajoutée au scénario.")
            return redirect("offer:scenario", ctg.pk, scenario.pk)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title=f"Ajouter une structure au scénario « {scenario.name} »",
        back_url=reverse("offer:scenario", args=[ctg.pk, scenario.pk]),
        submit="Ajouter la structure",
        status=400 if request.method == "POST" else 200,
        scenario=scenario,
    )


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def closure_add(request, ctg, role, scenario_pk):
    scenario = _scenario(ctg, scenario_pk)
    _territory, structures = selectors.structures_of_ctg(ctg)
    structures = (
        structures.filter(status=Structure.Status.OPEN)
        .exclude(type__in=[t.code for t in typology.TYPES if t.counted])
        .order_by("commune__name", "name", "pk")
    )
    form = ClosureForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        try:
            scenarios.line_add(
                scenario=scenario,
                actor=request.user,
                kind=ScenarioLine.Kind.CLOSE,
                structure=form.cleaned_data["structure"],
                year=form.cleaned_data["year"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Fermeture ajoutée au scénario.")
            return redirect("offer:scenario", ctg.pk, scenario.pk)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title=f"Simuler la fermeture d'une structure dans le scénario « {scenario.name} »",
        back_url=reverse("offer:scenario", args=[ctg.pk, scenario.pk]),
        submit="Ajouter la fermeture",
        status=400 if request.method == "POST" else 200,
        scenario=scenario,
    )


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def line_edit(request, ctg, role, scenario_pk, line_pk):
    scenario = _scenario(ctg, scenario_pk)
    line = _line(scenario, line_pk)
    initial = {
        "type": line.type,
        "places": line.places,
        "commune": line.commune_id,
        "year": line.year,
        "line_name": line.name,
    }
    form = LineForm(request.POST or None, territory=territory_of_ctg(ctg), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scenarios.line_update(line=line, actor=request.user, **form.line_values())
        except ValidationError as error:
            apply_errors(form, _line_errors(error))
        else:
            messages.success(request, "Structure du scénario modifiée.")
            return redirect("offer:scenario", ctg.pk, scenario.pk)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title=f"Modifier une structure du scénario « {scenario.name} »",
        back_url=reverse("offer:scenario", args=[ctg.pk, scenario.pk]),
        submit="Enregistrer les modifications",
        status=400 if request.method == "POST" else 200,
        scenario=scenario,
    )


@ctg_view(Op.EDIT, methods=("POST",))
def line_delete(request, ctg, role, scenario_pk, line_pk):
    scenario = _scenario(ctg, scenario_pk)
    line = ScenarioLine.objects.filter(scenario=scenario, pk=line_pk).first()
    if line is None:
        raise Http404("Aucune ligne de ce numéro dans ce scénario.")
    scenarios.line_delete(line=line, actor=request.user)
    messages.success(request, "Structure retirée du scénario.")
    return redirect("offer:scenario", ctg.pk, scenario.pk)
