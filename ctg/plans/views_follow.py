"""Read-only views to follow the plan d'action of a dossier: the table of fiches (filters and sorting), the
timeline of the fiches by year, and the dashboard (fiches by status and field, budget by funder and year,
indicators' progress).

A fiche is active in a year between the years of its start and end dates; a missing date stands for the start
(or the end) of the CTG period; a fiche without any date has no known period and is active no year.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.conventions.models import Field
from ctg.datafiles import csv_writer
from ctg.diagnostics.charts import WebChart
from ctg.diagnostics.readings import format_number
from ctg.organisations.permissions import Op
from ctg.plans import progress, summary
from ctg.plans.models import Enjeu, FicheAction, Funder
from ctg.plans.numbering import FICHE, FicheNode, number_plan, sort_key
from ctg.plans.selectors import plan_tree, tree_nodes
from ctg.rendering import attachment

# The text alternative of an active year in the timeline, by status, with its DSFR badge colour.
TIMELINE_STATES = {
    FicheAction.Status.A_VENIR: ("prévue", "fr-badge--new"),
    FicheAction.Status.EN_COURS: ("active", "fr-badge--info"),
    FicheAction.Status.REALISEE: ("réalisée", "fr-badge--success"),
    FicheAction.Status.EN_PAUSE: ("en pause", "fr-badge--warning"),
    FicheAction.Status.ABANDONNEE: ("abandonnée", "fr-badge--error"),
}
STATUS_ORDER = {value: index for index, value in enumerate(FicheAction.Status.values)}
PRIORITY_ORDER = {value: index for index, value in enumerate(FicheAction.Priority.values)}
ZERO = Decimal(0)


def euros(value: Decimal | None) -> str:
    if value is None:
        return "—"
    decimals = 0 if value == value.to_integral_value() else 2
    return f"{format_number(float(value), decimals)}\u00a0€"


@dataclass
class Row:
    """A fiche as shown in the follow-up pages."""

    fiche: FicheAction
    number: str
    enjeu: Enjeu | None
    url: str | None
    years: list[int]
    communes: list[str]
    planned: Decimal = ZERO
    spent: Decimal = ZERO
    funders: set[str] = field(default_factory=set)
    commune_ids: set[str] = field(default_factory=set)

    @property
    def number_key(self):
        return sort_key(self.number)

    @property
    def period(self) -> str:
        start, end = self.fiche.start_date, self.fiche.end_date
        if start is None and end is None:
            return "Non renseignée"
        start_text = start.strftime("%d/%m/%Y") if start else "début de la CTG"
        end_text = end.strftime("%d/%m/%Y") if end else "fin de la CTG"
        return f"{start_text} – {end_text}"

    @property
    def planned_display(self) -> str:
        return euros(self.planned)

    @property
    def spent_display(self) -> str:
        return euros(self.spent)


def active_years(fiche: FicheAction, start_year: int, end_year: int) -> list[int]:
    """The years of the CTG period in which the fiche is active (see the module's docstring)."""
    if fiche.start_date is None and fiche.end_date is None:
        return []
    first = fiche.start_date.year if fiche.start_date else start_year
    last = fiche.end_date.year if fiche.end_date else end_year
    return [year for year in range(start_year, end_year + 1) if first <= year <= last]


def _fiche_url(ctg, fiche) -> str | None:
    # The fiche page belongs to another area and may not exist yet.
    try:
        return reverse("plans:fiche_detail", args=[ctg.pk, fiche.pk])
    except NoReverseMatch:
        return None


def plan_rows(ctg) -> tuple[list[Enjeu], list[Row]]:
    """The enjeux in plan order and every fiche of the dossier, in plan order (numbered first)."""
    enjeux = plan_tree(ctg)
    enjeu_of_operational: dict[int, tuple[int, Enjeu]] = {}
    for enjeu in enjeux:
        for strategic in enjeu.objectives.all():
            for operational in strategic.operational.all():
                enjeu_of_operational[operational.pk] = (len(enjeu_of_operational), enjeu)

    fiches = list(
        FicheAction.objects.filter(ctg=ctg)
        .select_related("pilot_organisation")
        .prefetch_related("objectives", "communes", "budget", "steps")
    )
    fiche_nodes = [FicheNode(f.pk, f.position, tuple(o.pk for o in f.objectives.all())) for f in fiches]
    numbers = number_plan(tree_nodes(enjeux), fiche_nodes)
    rows = []
    for fiche in fiches:
        ranks = [enjeu_of_operational[o.pk] for o in fiche.objectives.all() if o.pk in enjeu_of_operational]
        enjeu = min(ranks, key=lambda rank: rank[0])[1] if ranks else None
        communes = sorted(fiche.communes.all(), key=lambda commune: commune.name)
        row = Row(
            fiche=fiche,
            number=numbers.get((FICHE, fiche.pk), ""),
            enjeu=enjeu,
            url=_fiche_url(ctg, fiche),
            years=active_years(fiche, ctg.start_year, ctg.end_year),
            communes=["Toutes les communes"] if fiche.all_communes else [c.name for c in communes],
            commune_ids={str(c.pk) for c in communes},
        )
        for line in fiche.budget.all():
            row.planned += line.planned
            row.spent += line.spent
            row.funders.add(line.funder)
        rows.append(row)
    rows.sort(key=lambda row: (row.number_key, row.fiche.position, row.fiche.pk))
    return enjeux, rows


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


# Sorting of the table: ?tri=<key>&ordre=asc|desc.
SORT_COLUMNS = {
    "numero": ("N°", lambda row: row.number_key),
    "titre": ("Intitulé", lambda row: row.fiche.title.lower()),
    "enjeu": ("Enjeu", lambda row: (row.enjeu is None, row.enjeu.title.lower() if row.enjeu else "")),
    "statut": ("Statut", lambda row: STATUS_ORDER.get(row.fiche.status, 99)),
    "priorite": ("Priorité", lambda row: PRIORITY_ORDER.get(row.fiche.priority, 99)),
    "pilote": (
        "Pilote",
        lambda row: (
            row.fiche.pilot_organisation is None,
            row.fiche.pilot_organisation.name.lower() if row.fiche.pilot_organisation else "",
        ),
    ),
    "periode": (
        "Période",
        lambda row: (not row.years, row.fiche.start_date or row.fiche.end_date or date.min),
    ),
    "prevu": ("Budget prévu", lambda row: row.planned),
    "realise": ("Budget réalisé", lambda row: row.spent),
}
# Columns shown in the table, in order; None: not sortable.
TABLE_COLUMNS = [
    ("numero", "N°"),
    ("titre", "Intitulé"),
    ("enjeu", "Enjeu"),
    (None, "Champs d'intervention"),
    ("statut", "Statut"),
    ("priorite", "Priorité"),
    ("pilote", "Pilote"),
    (None, "Communes"),
    ("periode", "Période"),
    ("prevu", "Budget prévu"),
    ("realise", "Budget réalisé"),
]


def _filters(request, ctg, enjeux, rows):
    """The valid filters of the request (unknown values are ignored), with the choices of the form."""
    params = request.GET
    years = list(range(ctg.start_year, ctg.end_year + 1))
    pilots = sorted(
        {row.fiche.pilot_organisation for row in rows if row.fiche.pilot_organisation},
        key=lambda organisation: organisation.name,
    )
    communes = list(ctg.communes.order_by("name"))
    choices = {
        "champ": [(value, label) for value, label in Field.choices],
        "enjeu": [(str(e.pk), e.title) for e in enjeux],
        "statut": list(FicheAction.Status.choices),
        "priorite": list(FicheAction.Priority.choices),
        "pilote": [(str(o.pk), o.name) for o in pilots],
        "commune": [(str(c.pk), c.name) for c in communes],
        "annee": [(str(y), str(y)) for y in years],
        "financeur": list(Funder.choices),
    }
    active = {}
    for name, options in choices.items():
        value = params.get(name, "")
        if value in {option for option, _label in options}:
            active[name] = value
    return choices, active


def _matches(row: Row, active: dict) -> bool:
    fiche = row.fiche
    checks = {
        "champ": lambda value: value in fiche.fields,
        "enjeu": lambda value: row.enjeu is not None and str(row.enjeu.pk) == value,
        "statut": lambda value: fiche.status == value,
        "priorite": lambda value: fiche.priority == value,
        "pilote": lambda value: str(fiche.pilot_organisation_id) == value,
        # A fiche for « toutes les communes » concerns every commune.
        "commune": lambda value: fiche.all_communes or value in row.commune_ids,
        "annee": lambda value: int(value) in row.years,
        "financeur": lambda value: value in row.funders,
    }
    return all(checks[name](value) for name, value in active.items())


FEMININE_FILTERS = {"priorite", "pilote", "commune", "annee"}
FILTER_LABELS = {
    "champ": "Champ d'intervention",
    "enjeu": "Enjeu",
    "statut": "Statut",
    "priorite": "Priorité",
    "pilote": "Organisation pilote",
    "commune": "Commune",
    "annee": "Année (fiche active)",
    "financeur": "Financeur",
}


def _table(request, ctg):
    """The rows of the table after the request's filters and sorting, with the form's choices."""
    enjeux, rows = plan_rows(ctg)
    choices, active = _filters(request, ctg, enjeux, rows)
    rows = [row for row in rows if _matches(row, active)]
    sort = request.GET.get("tri", "")
    if sort not in SORT_COLUMNS:
        sort = "numero"
    descending = request.GET.get("ordre") == "desc"
    rows.sort(key=SORT_COLUMNS[sort][1], reverse=descending)
    return rows, choices, active, sort, descending


@ctg_view(Op.VIEW)
def fiche_table(request, ctg, role):
    rows, choices, active, sort, descending = _table(request, ctg)

    columns = []
    for key, label in TABLE_COLUMNS:
        column = {"key": key, "label": label, "aria_sort": None, "href": None, "next": None}
        if key is not None:
            current = key == sort
            next_order = "desc" if current and not descending else "asc"
            query = {**active, "tri": key, "ordre": next_order}
            column.update(
                aria_sort=("descending" if descending else "ascending") if current else None,
                href=f"?{urlencode(query)}#fiches",
                next="décroissant" if next_order == "desc" else "croissant",
            )
        columns.append(column)

    form = [
        {
            "name": name,
            "label": FILTER_LABELS[name],
            "all": "Toutes" if name in FEMININE_FILTERS else "Tous",
            "options": options,
            "value": active.get(name, ""),
        }
        for name, options in choices.items()
    ]
    return render(
        request,
        "plans/follow_fiches.html",
        dossier_context(
            ctg,
            role,
            "plan",
            "Fiches action",
            rows=rows,
            columns=columns,
            form=form,
            filtered=bool(active),
            csv_url=f"{reverse('plans:fiches_csv', args=[ctg.pk])}?{request.GET.urlencode()}".rstrip("?"),
            sort=sort,
            descending=descending,
        ),
    )


def _csv_amount(value: Decimal) -> Decimal:
    """Two decimals, written with a decimal comma by the CSV writer."""
    return Decimal(value).quantize(Decimal("0.01"))


@ctg_view(Op.VIEW)
def fiche_table_csv(request, ctg, role):
    """The table of fiches as CSV (semicolons, UTF-8 with BOM), with the same filters and sorting."""
    rows, *_rest = _table(request, ctg)
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # no cell run as a formula (ctg.datafiles)
    writer.writerow(
        [
            "N°",
            "Intitulé",
            "Enjeu",
            "Champs d'intervention",
            "Statut",
            "Priorité",
            "Organisation pilote",
            "Personne pilote",
            "Communes",
            "Début",
            "Fin",
            "Budget prévu (€)",
            "Budget réalisé (€)",
        ]
    )
    for row in rows:
        fiche = row.fiche
        writer.writerow(
            [
                row.number,
                fiche.title,
                row.enjeu.title if row.enjeu else "",
                ", ".join(fiche.get_fields_display()),
                fiche.get_status_display(),
                fiche.get_priority_display(),
                fiche.pilot_organisation.name if fiche.pilot_organisation else "",
                fiche.pilot_person,
                ", ".join(row.communes),
                fiche.start_date.strftime("%d/%m/%Y") if fiche.start_date else "",
                fiche.end_date.strftime("%d/%m/%Y") if fiche.end_date else "",
                _csv_amount(row.planned),  # numbers: a negative one is not prefixed
                _csv_amount(row.spent),
            ]
        )
    content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return attachment(content, "text/csv; charset=utf-8", f"fiches-action-ctg-{ctg.pk}.csv")


@ctg_view(Op.VIEW)
def timeline(request, ctg, role):
    enjeux, rows = plan_rows(ctg)
    years = list(range(ctg.start_year, ctg.end_year + 1))
    groups: list[dict] = []
    by_enjeu: dict[int | None, list[Row]] = defaultdict(list)
    for row in rows:
        by_enjeu[row.enjeu.pk if row.enjeu else None].append(row)
    for enjeu in enjeux:
        if by_enjeu.get(enjeu.pk):
            groups.append({"title": enjeu.title, "enjeu": enjeu, "rows": by_enjeu[enjeu.pk]})
    if by_enjeu.get(None):
        groups.append({"title": "Fiches rattachées à aucun enjeu", "enjeu": None, "rows": by_enjeu[None]})

    for group in groups:
        for row in group["rows"]:
            steps = defaultdict(list)
            for step in row.fiche.steps.all():
                steps[step.year].append(step.description)
            text, badge = TIMELINE_STATES.get(row.fiche.status, ("active", "fr-badge--info"))
            row.cells = [
                {
                    "year": year,
                    "active": year in row.years,
                    "text": text,
                    "badge": badge,
                    "steps": steps.get(year, []),
                }
                for year in years
            ]
    legend = [
        (label, text, badge)
        for (status, label) in FicheAction.Status.choices
        for text, badge in [TIMELINE_STATES[status]]
    ]
    return render(
        request,
        "plans/follow_gantt.html",
        dossier_context(
            ctg, role, "plan", "Calendrier des fiches", years=years, groups=groups, legend=legend
        ),
    )


def _budget_table(budget: summary.BudgetSummary, title: str, first_header: str) -> dict:
    rows = [
        {
            "label": row.label,
            "key": row.key,
            "planned": row.planned,
            "spent": row.spent,
            "planned_display": euros(row.planned),
            "spent_display": euros(row.spent),
        }
        for row in budget.rows
    ]
    # Drawn in the page by @gouvfr/dsfr-chart (ctg/templates/includes/dsfr_chart.html); the table is its text.
    chart = (
        WebChart(
            labels=[str(row["label"]) for row in rows],
            series=[[float(row["planned"]) for row in rows], [float(row["spent"]) for row in rows]],
            names=["Prévu", "Réalisé"],
            unit="€",
        )
        if rows
        else None
    )
    return {
        "title": title,
        "first_header": first_header,
        "rows": rows,
        "total_planned": budget.planned,
        "total_spent": budget.spent,
        "total_planned_display": euros(budget.planned),
        "total_spent_display": euros(budget.spent),
        "chart": chart,
    }


def _count_chart(counts: list[tuple[str, int]]) -> WebChart | None:
    """Fiches counted by status or field, drawn in the page by @gouvfr/dsfr-chart; the table is its text."""
    if not any(count for _label, count in counts):
        return None
    return WebChart(
        labels=[str(label) for label, _count in counts],
        series=[[float(count) for _label, count in counts]],
        names=["Fiches action"],
        unit="fiche(s)",
        horizontal=True,
    )


@ctg_view(Op.VIEW)
def dashboard(request, ctg, role):
    _enjeux, rows = plan_rows(ctg)
    year = timezone.localdate().year
    requested = _int(request.GET.get("annee"))
    if requested is not None and 1900 <= requested <= 2200:
        year = requested
    stats = summary.dashboard(
        ctg, [row.fiche for row in rows], {row.fiche.pk: row.number for row in rows}, year
    )
    return render(
        request,
        "plans/follow_dashboard.html",
        dossier_context(
            ctg,
            role,
            "plan",
            "Tableau de bord du plan d'action",
            fiche_count=stats.fiche_count,
            by_status=stats.by_status,
            by_status_chart=_count_chart(stats.by_status),
            by_field=stats.by_field,
            by_field_chart=_count_chart(stats.by_field),
            by_funder=_budget_table(stats.by_funder, "Budget prévu et réalisé par financeur", "Financeur"),
            by_year=_budget_table(stats.by_year, "Budget prévu et réalisé par année", "Année"),
            year=year,
            indicator_total=stats.indicator_total,
            indicator_counts=[
                (progress.STATUS_LABELS[status], count) for status, count in stats.indicator_counts.items()
            ],
            counts=stats.indicator_counts,
            late=stats.late,
        ),
    )
