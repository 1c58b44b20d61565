"""The yearly bilan of a plan d'action: what happened to the fiches, the indicators and the budget in a year,
with the highlights typed by the coordination and the validation; rendered as PDF (WeasyPrint) and DOCX
(`ctg.rendering`). The activity report of the coordinator post (`ctg.post.report`) reuses `compute`.

`compute(ctg, year)` returns a plain structure (dicts, lists, model instances) used by the page and both
documents:

- fiches started in the year (start date in the year); done (status « Réalisée »); abandoned (status
  « Abandonnée »); late: not done nor abandoned and ending on or before 31/12 of the year, or any fiche not
  abandoned with an indicator « En retard » in the year;
- indicators: target and realised value of the year, and their status as known in the year
  (`progress.status_for_year`), each with its fiche's number in the plan (« 1.2.3 », and `fiche_label`
  « 1.2.3 — title »); `indicator_groups`: the same rows by enjeu (every enjeu of the plan, in order, its
  fiches by number; the fiche of several objectives under the enjeu that numbers it, as everywhere), then
  the fiches attached to no objective;
- budget: planned and spent of the year, by funder in the order of `Funder`, with totals;
- the highlights and the validation (status, date, by whom) of the `BilanAnnuel` when there is one.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from ctg import rendering
from ctg.conventions.models import Ctg
from ctg.evaluation.models import BilanAnnuel
from ctg.plans import numbering, progress, summary
from ctg.plans.models import FicheAction
from ctg.plans.selectors import indicator_series, plan_numbers, plan_tree
from ctg.rendering import docx_bytes, docx_document, docx_table


def _person_name(user) -> str:
    if user is None:
        return "—"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.email


def compute(ctg: Ctg, year: int) -> dict:
    fiches = list(
        ctg.fiches.select_related("pilot_organisation")
        .prefetch_related("indicators__values")
        .order_by("position", "id")
    )
    year_end = datetime.date(year, 12, 31)
    done_statuses = {FicheAction.Status.REALISEE, FicheAction.Status.ABANDONNEE}

    tree = plan_tree(ctg)
    numbers = plan_numbers(ctg, tree)
    indicators = []
    late_by_indicator = set()
    for fiche in fiches:
        for indicator in sorted(fiche.indicators.all(), key=lambda i: (i.position, i.pk)):
            series = indicator_series(indicator)
            result = progress.status_for_year(series, year)
            if result.status == progress.EN_RETARD:
                late_by_indicator.add(fiche.pk)
            number = numbers.get((numbering.FICHE, fiche.pk), "")
            indicators.append(
                {
                    "fiche": fiche,
                    "number": number,
                    "fiche_label": f"{number} — {fiche.title}" if number else fiche.title,
                    "indicator": indicator,
                    "unit": indicator.unit,
                    "target": series.targets.get(year),
                    "realised": series.realised.get(year),
                    "status": result.status,
                    "status_label": progress.STATUS_LABELS[result.status],
                    "reason": result.reason,
                }
            )

    def late(fiche) -> bool:
        if fiche.status == FicheAction.Status.ABANDONNEE:
            return False
        by_date = (
            fiche.end_date is not None and fiche.end_date <= year_end and fiche.status not in done_statuses
        )
        return by_date or fiche.pk in late_by_indicator

    status_counts = dict.fromkeys(progress.STATUSES, 0)
    for row in indicators:
        status_counts[row["status"]] += 1

    budget = summary.plan_budget(ctg, summary.FUNDER, year=year)
    budget_rows = [
        {
            "funder": row.key,
            "label": row.label,
            "planned": row.planned,
            "spent": row.spent,
            "planned_text": euros(row.planned),
            "spent_text": euros(row.spent),
        }
        for row in budget.rows
    ]
    bilan = BilanAnnuel.objects.select_related("validated_by").filter(ctg=ctg, year=year).first()
    validated = bilan is not None and bilan.status == BilanAnnuel.Status.VALIDATED
    return {
        "ctg": ctg,
        "year": year,
        "fiches_count": len(fiches),
        "started": [f for f in fiches if f.start_date and f.start_date.year == year],
        "done": [f for f in fiches if f.status == FicheAction.Status.REALISEE],
        "late": [f for f in fiches if late(f)],
        "abandoned": [f for f in fiches if f.status == FicheAction.Status.ABANDONNEE],
        "indicators": indicators,
        "indicator_groups": _by_enjeu(indicators, tree, numbers),
        "indicator_summary": [
            {"status": s, "label": progress.STATUS_LABELS[s], "count": n}
            for s, n in status_counts.items()
            if n
        ],
        "budget": {
            "rows": budget_rows,
            "planned": budget.planned,
            "spent": budget.spent,
            "planned_text": euros(budget.planned),
            "spent_text": euros(budget.spent),
        },
        "bilan": bilan,
        "highlights": bilan.highlights if bilan else "",
        "status": bilan.status if bilan else BilanAnnuel.Status.DRAFT,
        "status_label": BilanAnnuel.Status(bilan.status).label if bilan else "Non ouvert",
        "validated": validated,
        "validated_at": bilan.validated_at if validated else None,
        "validated_by": bilan.validated_by if validated else None,
        "validated_by_name": _person_name(bilan.validated_by) if validated else "",
    }


def _by_enjeu(rows: list[dict], enjeux: list, numbers: dict) -> list[dict]:
    """The indicator rows by enjeu: {"number", "label" (« Enjeu 1 — title »), "rows"} for every enjeu of the
    plan in order (its fiches by number, a fiche's indicators in their order), then, when there are some, the
    rows of the fiches that have no number (attached to no objective of the plan), number "" (they keep the
    plan's order)."""
    groups = {
        numbers[(numbering.ENJEU, enjeu.pk)]: {
            "number": numbers[(numbering.ENJEU, enjeu.pk)],
            "label": f"Enjeu {numbers[(numbering.ENJEU, enjeu.pk)]} — {enjeu.title}",
            "rows": [],
        }
        for enjeu in enjeux
    }
    unattached = {"number": "", "label": "Fiches rattachées à aucun objectif", "rows": []}
    for row in rows:
        number = row["number"]
        (groups[number.split(".")[0]] if number else unattached)["rows"].append(row)
    for group in groups.values():
        group["rows"].sort(key=lambda row: numbering.sort_key(row["number"]))
    return list(groups.values()) + ([unattached] if unattached["rows"] else [])


# --- documents -------------------------------------------------------------------------------------------


def euros(value) -> str:
    """1234.5 → « 1 234,50 € » (narrow no-break space between thousands)."""
    text = f"{Decimal(value):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def _number(value) -> str:
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


SECTIONS = (
    ("started", "Fiches démarrées dans l'année"),
    ("done", "Fiches réalisées"),
    ("late", "Fiches en retard"),
    ("abandoned", "Fiches abandonnées"),
)


def _validation_text(data: dict) -> str:
    if not data["validated"]:
        return "Bilan non validé."
    when = timezone.localtime(data["validated_at"])
    return f"Validé le {when:%d/%m/%Y} par {data['validated_by_name']}."


def render_pdf(data: dict) -> bytes:
    context = {
        **data,
        "sections": [(label, data[key]) for key, label in SECTIONS],
        "validation_text": _validation_text(data),
        "generated": timezone.localdate(),
    }
    # css_name: escaped for CSS by the css_string filter
    return rendering.pdf("evaluation/bilan_pdf.html", context, css_name=data["ctg"].title)


def render_docx(data: dict) -> bytes:
    ctg, year = data["ctg"], data["year"]
    document = docx_document(f"Bilan annuel {year} — {ctg.title}")
    document.add_heading(f"Bilan annuel {year}", level=0)
    document.add_paragraph(ctg.title)
    document.add_paragraph(f"Période de la CTG : {ctg.period_label}")
    document.add_paragraph(_validation_text(data))

    document.add_heading("Faits marquants", level=1)
    document.add_paragraph(data["highlights"] or "Aucun fait marquant saisi.")

    document.add_heading("Fiches action", level=1)
    docx_table(
        document,
        ["Situation", "Nombre"],
        [[label, str(len(data[key]))] for key, label in SECTIONS]
        + [["Fiches du plan", str(data["fiches_count"])]],
    )
    for key, label in SECTIONS:
        document.add_heading(label, level=2)
        if not data[key]:
            document.add_paragraph("Aucune.")
            continue
        docx_table(
            document,
            ["Fiche", "Statut", "Début", "Fin"],
            [
                [
                    f.title,
                    f.get_status_display(),
                    f"{f.start_date:%d/%m/%Y}" if f.start_date else "—",
                    f"{f.end_date:%d/%m/%Y}" if f.end_date else "—",
                ]
                for f in data[key]
            ],
        )

    document.add_heading("Indicateurs", level=1)
    if not data["indicators"]:
        document.add_paragraph("Aucun indicateur.")
    for group in data["indicator_groups"] if data["indicators"] else []:
        document.add_heading(group["label"], level=2)
        if not group["rows"]:
            document.add_paragraph("Aucun indicateur pour cet enjeu.")
            continue
        docx_table(
            document,
            ["Fiche", "Indicateur", f"Cible {year}", f"Réalisé {year}", "Statut"],
            [
                [
                    row["fiche_label"],
                    row["indicator"].label + (f" ({row['unit']})" if row["unit"] else ""),
                    _number(row["target"]),
                    _number(row["realised"]),
                    row["status_label"],
                ]
                for row in group["rows"]
            ],
        )

    document.add_heading("Budget", level=1)
    budget = data["budget"]
    if budget["rows"]:
        docx_table(
            document,
            ["Financeur", "Prévu", "Réalisé"],
            [[r["label"], euros(r["planned"]), euros(r["spent"])] for r in budget["rows"]]
            + [["Total", euros(budget["planned"]), euros(budget["spent"])]],
        )
    else:
        document.add_paragraph(f"Aucune ligne de budget pour {year}.")

    return docx_bytes(document)
