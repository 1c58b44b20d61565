"""What the public page of a CTG shows, computed from the dossier at each visit — the one source of the
public page, its embeddable version and the preview of the settings page (the preview is exactly what the
public sees).

MUST show: the period, the territory (French, with its article), the CAF, the fields, the signatories (the
organisations and their signature dates), the enjeux › objectives › fiches action (number, title, status),
and as chosen (`Publication`): each fiche's progress (its indicators' status this year), its pilot
organisation, its budget totals (planned and realised), the diagnostic's key figures with the département and
France (a partial, secret or absent figure says so), the questionnaires open to the public.

MUST NOT show: a person's name or email (signers, fiche pilots, members, authors), internal notes, comments,
attachments, the history, the fiche's budget by funder or by year, anything of the governance or the post.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from ctg.conventions.models import Ctg, date_label
from ctg.diagnostics import presentation
from ctg.diagnostics.portrait import build_portrait, territory_of_ctg
from ctg.diagnostics.readings import format_number
from ctg.plans import numbering, progress, selectors, summary
from ctg.plans.models import BudgetLine, FicheAction, PlanIndicator
from ctg.public.models import Publication
from ctg.public.selectors import open_questionnaires

logger = logging.getLogger(__name__)

# The diagnostic's key figures of the public page, in this order (ids of `ctg.diagnostics.catalogue`).
KEY_FIGURES = (
    "population",
    "familles_avec_enfants",
    "part_familles_monoparentales",
    "enfants_moins_3_ans",
    "allocataires",
    "taux_pauvrete",
    "taux_couverture_accueil_jeune_enfant",
)
# The comparisons shown beside each figure (levels of `presentation.LEVELS`).
REFERENCE_LEVELS = (("departement", "Département"), ("france", "France"))
STATUS_BADGES = {
    FicheAction.Status.A_VENIR: "fr-badge--new",
    FicheAction.Status.EN_COURS: "fr-badge--info",
    FicheAction.Status.REALISEE: "fr-badge--success",
    FicheAction.Status.EN_PAUSE: "fr-badge--warning",
    FicheAction.Status.ABANDONNEE: "fr-badge--error",
}
PROGRESS_BADGES = {
    progress.ATTEINT: "fr-badge--success",
    progress.EN_BONNE_VOIE: "fr-badge--info",
    progress.EN_RETARD: "fr-badge--warning",
    progress.NON_ATTEINT: "fr-badge--error",
}


def euros(amount: Decimal) -> str:
    return f"{format_number(float(amount), 0)}\u00a0€"


def current_year(ctg: Ctg) -> int:
    """The year whose progress is shown: this year, within the CTG's period."""
    return min(max(timezone.localdate().year, ctg.start_year), ctg.end_year)


# --- the plan ------------------------------------------------------------------------------------------


def _fiche_progress(ctg: Ctg, year: int) -> dict[int, list[dict]]:
    """Fiche id → one badge per status of its indicators in `year` (with how many), in display order."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for indicator in PlanIndicator.objects.filter(fiche__ctg=ctg).prefetch_related("values"):
        status = progress.status_for_year(selectors.indicator_series(indicator), year).status
        counts[indicator.fiche_id][status] += 1
    return {
        fiche_id: [
            {
                "label": progress.STATUS_LABELS[status],
                "css": PROGRESS_BADGES.get(status, ""),
                "count": by_status[status],
            }
            for status in progress.STATUSES
            if by_status.get(status)
        ]
        for fiche_id, by_status in counts.items()
    }


def _fiche_budgets(ctg: Ctg) -> dict[int, dict]:
    """Fiche id → its planned and realised totals over every year and funder (never the detail)."""
    rows = (
        BudgetLine.objects.filter(fiche__ctg=ctg)
        .values("fiche_id")
        .annotate(planned=Sum("planned"), spent=Sum("spent"))
    )
    return {
        row["fiche_id"]: {"planned": euros(row["planned"] or 0), "spent": euros(row["spent"] or 0)}
        for row in rows
        if row["planned"] or row["spent"]
    }


def plan_content(publication: Publication, year: int) -> dict:
    ctg = publication.ctg
    tree = selectors.plan_tree(ctg)
    numbers = selectors.plan_numbers(ctg, tree)
    badges = _fiche_progress(ctg, year) if publication.show_progress else {}
    budgets = _fiche_budgets(ctg) if publication.show_budgets else {}

    def fiche_row(fiche: FicheAction) -> dict:
        return {
            "id": fiche.pk,
            "number": numbers.get((numbering.FICHE, fiche.pk), ""),
            "title": fiche.title,
            "status": fiche.get_status_display(),
            "status_css": STATUS_BADGES.get(fiche.status, ""),
            "progress": badges.get(fiche.pk, []),
            "pilot": fiche.pilot_organisation.name
            if publication.show_pilots and fiche.pilot_organisation_id
            else "",
            "budget": budgets.get(fiche.pk),
        }

    enjeux = [
        {
            "number": numbers[(numbering.ENJEU, enjeu.pk)],
            "title": enjeu.title,
            "description": enjeu.description,
            "objectives": [
                {
                    "number": numbers[(numbering.STRATEGIC, strategic.pk)],
                    "title": strategic.title,
                    "operationals": [
                        {
                            "number": numbers[(numbering.OPERATIONAL, operational.pk)],
                            "title": operational.title,
                            "fiches": [fiche_row(f) for f in operational.fiches.all()],
                        }
                        for operational in strategic.operational.all()
                    ],
                }
                for strategic in enjeu.objectives.all()
            ],
        }
        for enjeu in tree
    ]
    fiches = list(FicheAction.objects.filter(ctg=ctg).only("status", "fields"))
    stats = summary.dashboard(ctg, fiches, {}, year)
    indicator_counts = [
        {"label": progress.STATUS_LABELS[status], "css": PROGRESS_BADGES.get(status, ""), "count": count}
        for status, count in stats.indicator_counts.items()
        if count
    ]
    return {
        "enjeux": enjeux,
        "fiche_count": stats.fiche_count,
        "by_status": [{"label": label, "count": count} for label, count in stats.by_status if count],
        "indicator_total": stats.indicator_total,
        "indicator_counts": indicator_counts if publication.show_progress else [],
        "year": year,
    }


# --- the key figures -----------------------------------------------------------------------------------


def key_figures(ctg: Ctg) -> dict:
    """The diagnostic's key figures of the dossier's territory: `available` False with a `reason` when no
    statistics are loaded or the portrait cannot be computed. Each row keeps its status: a figure that is
    not complete (partial, secret, absent from the file, not available) says so, with its coverage."""
    try:
        territory = territory_of_ctg(ctg)
        portrait = build_portrait(territory, indicators=KEY_FIGURES)
    except Exception:  # a broken statistics store must not take the public page down
        logger.exception("Public key figures of dossier %s", ctg.pk)
        return {"available": False, "reason": "Les chiffres clés du territoire n'ont pas pu être calculés."}
    if not portrait.datasets:
        return {
            "available": False,
            "reason": "Les chiffres clés du territoire ne sont pas encore disponibles.",
        }
    results = {r.indicator.id: r for r in portrait.results}
    rows = []
    for indicator_id in KEY_FIGURES:
        result = results.get(indicator_id)
        if result is None:
            continue
        row = presentation.result_row(result, territory)
        levels = [level for level, _label in presentation.LEVELS]
        row["references"] = [row["references"][levels.index(level)] for level, _label in REFERENCE_LEVELS]
        rows.append(row)
    return {
        "available": True,
        "rows": rows,
        "notes": presentation.reference_notes(rows),
        "levels": [label for _level, label in REFERENCE_LEVELS],
        "fictitious": list(portrait.fictitious_datasets),
        "datasets": presentation.datasets_used(portrait),
    }


# --- the whole page ------------------------------------------------------------------------------------


def public_content(publication: Publication) -> dict:
    """Everything the public page (and its embeddable version, and the settings' preview) shows."""
    ctg = Ctg.objects.select_related("caf", "epci").prefetch_related("communes").get(pk=publication.ctg_id)
    publication.ctg = ctg
    year = current_year(ctg)
    signatories = [
        {"name": s.organisation.name, "signed_on": date_label(s.signed_on) if s.signed_on else ""}
        for s in ctg.signatories.select_related("organisation").order_by("position", "pk")
    ]
    communes = list(ctg.communes.all())
    figures = key_figures(ctg) if publication.show_key_figures else None
    return {
        "publication": publication,
        "ctg": ctg,
        "heading": f"Convention territoriale globale {ctg.territory_of}",
        "territory": ctg.territory_name,
        "period": f"{ctg.start_year}-{ctg.end_year}",
        "fields": ctg.get_fields_display(),
        "caf": ctg.caf.name,
        "communes_count": len(communes),
        "population": format_number(sum(c.population or 0 for c in communes), 0),
        "signatories": signatories,
        "signature_label": ctg.signature_label,
        "plan": plan_content(publication, year),
        "figures": figures,
        "questionnaires": open_questionnaires(ctg),
        "fictitious": ctg.is_fictitious or bool(figures and figures.get("fictitious")),
    }
