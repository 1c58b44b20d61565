"""Scenarios of the offer of services in the dossier's « Diagnostic » tab (issue 12, item 5): the list of the
dossier's scenarios compared side by side, a page per scenario with the coverage and the white zones before
and after, the forms to create and change them and « Transformer en fiche action ». Every member reads
(`Op.VIEW`); the dossier's editors write (`Op.EDIT`), and those who edit the plan turn a scenario into a fiche
(`Op.EDIT_PLAN`). Every write goes through `ctg.offer.scenarios`. A scenario (or a line) of another dossier is
not found (404). Issue 14: each scenario's page shows its simulated funding (`ctg.offer.scenario_funding`),
the editors set a line's funding inputs (`line_funding`), every member compares 2 to 4 scenarios with their
money (`scenario_compare_page`, exports `scenario_compare_export`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from ctg.conventions.frame import apply_errors, ctg_view, dossier_context, save_form
from ctg.diagnostics.portrait import of_territory, territory_of_ctg
from ctg.offer import scenario_funding, scenarios, scenarios_compare, selectors, typology
from ctg.offer.forms_scenarios import (
    ClosureForm,
    FundingForm,
    LineForm,
    ScenarioCreateForm,
    ScenarioForm,
)
from ctg.offer.models import Scenario, ScenarioLine, Structure
from ctg.offer.views_needs import _distance
from ctg.organisations.permissions import Op
from ctg.rendering import attachment, ctg_file_name

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
        funding=scenario_funding.scenario_funding(scenario, lines=lines) if lines else None,
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


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def line_funding(request, ctg, role, scenario_pk, line_pk):
    """The inputs of the CAF's funding rules for a structure the scenario creates (an EAJE or an accueil de
    loisirs); another type has none (404)."""
    scenario = _scenario(ctg, scenario_pk)
    line = _line(scenario, line_pk)
    fields = scenario_funding.input_fields(line)
    if not fields:
        raise Http404("Aucune règle de financement de la CAF ne s'applique à cette structure.")
    initial = {name: getattr(line, name) for name in fields}
    if initial.get("handicap_share") is not None:
        initial["handicap_share"] = f"{initial['handicap_share'].normalize():f}".replace(".", ",")
    for name in ("participation_horaire", "cost_per_place"):
        if initial.get(name) is not None:
            initial[name] = f"{initial[name]:f}".replace(".", ",")
    form = FundingForm(request.POST or None, fields=fields, initial=initial)
    saved = save_form(
        request,
        form,
        "Paramètres du financement enregistrés.",
        scenario_funding.line_funding_set,
        line=line,
    )
    if saved:
        return redirect(reverse("offer:scenario", args=[ctg.pk, scenario.pk]) + "#financement")
    return _form_page(
        request,
        ctg,
        role,
        form,
        title=f"Financement de « {line} » dans le scénario « {scenario.name} »",
        back_url=reverse("offer:scenario", args=[ctg.pk, scenario.pk]) + "#financement",
        submit="Enregistrer les paramètres",
        status=400 if request.method == "POST" else 200,
        scenario=scenario,
    )


def _chosen(ctg, request) -> tuple[list[Scenario], str]:
    """The scenarios asked for (`?comparer=<id>`, 2 to `scenarios_compare.COMPARE_MAX`), all of the dossier:
    an id of another dossier (or of none) is not found (404)."""
    wanted = request.GET.getlist("comparer")
    pks = []
    for value in wanted:
        if not value.isdigit():
            raise Http404("Aucun scénario de ce numéro dans ce dossier.")
        if int(value) not in pks:
            pks.append(int(value))
    found = {s.pk: s for s in Scenario.objects.filter(ctg=ctg, pk__in=pks).select_related("ctg__caf")}
    if len(found) != len(pks):
        raise Http404("Aucun scénario de ce numéro dans ce dossier.")
    chosen = [found[pk] for pk in pks]
    error = ""
    if not chosen:
        error = "none"
    elif len(chosen) < scenarios_compare.COMPARE_MIN:
        error = f"Cochez au moins {scenarios_compare.COMPARE_MIN} scénarios à comparer."
    elif len(chosen) > scenarios_compare.COMPARE_MAX:
        error = f"Comparez au plus {scenarios_compare.COMPARE_MAX} scénarios à la fois."
    return chosen, error


@ctg_view(Op.VIEW)
def scenario_compare_page(request, ctg, role):
    """2 to 4 scenarios of the dossier side by side: places, coverage before and after, the CAF's funding
    per year and over the period, the collectivité's remaining cost."""
    chosen, error = _chosen(ctg, request)
    saved = list(Scenario.objects.filter(ctg=ctg))
    table = None if error else scenarios_compare.compare_table(chosen, distance_km=_distance(request.GET))
    # Nothing chosen yet: the page to choose (200); a wrong count: the same page with its error (400).
    status = 400 if error and error != "none" else 200
    error = "" if error == "none" else error
    context = _context(
        ctg,
        role,
        "Comparer des scénarios",
        saved=saved,
        chosen={s.pk for s in chosen},
        error=error,
        table=table,
        query=request.GET.urlencode(),
        compare_min=scenarios_compare.COMPARE_MIN,
        compare_max=scenarios_compare.COMPARE_MAX,
    )
    return render(request, "offer/scenario_compare.html", context, status=status)


@ctg_view(Op.VIEW)
def scenario_compare_export(request, ctg, role, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format d'export inconnu.")
    chosen, error = _chosen(ctg, request)
    if error:
        if error != "none":
            messages.error(request, error)
        return redirect("offer:scenario_compare", ctg.pk)
    table = scenarios_compare.compare_table(chosen, distance_km=_distance(request.GET))
    name = ctg_file_name(ctg, "comparaison-scenarios")
    if fmt == "csv":
        return attachment(scenarios_compare.table_csv(table), "text/csv; charset=utf-8", f"{name}.csv")
    return attachment(
        scenarios_compare.table_xlsx(table),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{name}.xlsx",
    )
