"""The content of the diagnostic partagé document (issue 13, item 4), as one plain structure that both
renderers (`ctg.documents.diagnostic_render`: PDF and DOCX) read and whose `snapshot` a version keeps.

`build(ctg)` reads the dossier once and returns its ordered sections (`OUTLINE`):

1. introduction (the editable text of `DiagnosticReport`);
2. key figures of the territory;
3. territory and population dynamics, 4. families and households, 5. incomes, poverty and dependence on
   CAF benefits: figures of the portrait (`ctg.diagnostics.portrait.build_portrait`), a reading, an SVG
   chart (`ctg.diagnostics.charts`) and, for the territory, the commune map (`presentation.commune_map`);
6. one part per CTG field of the dossier: needs, offer and coverage (`ctg.offer.needs.needs_versus_offer`),
   gaps (white zones, `needs.white_zones`), the portrait's points of attention of the field, the findings of
   the field (`ctg.findings.selectors.findings_for`), among them those drawn from a questionnaire, and the
   results of the questionnaires' questions tagged with the field (`Question.field`, `field_results_of`);
7. cross-cutting stakes (points of attention and findings that concern several fields or none, the results
   of questions tagged with a field the dossier does not cover);
8. the proposed enjeux (`ctg.plans`);
9. conclusions (editable);
10. sources and method: datasets with their vintages, the inventory, questionnaires (answers, channels),
    ateliers (dates, participants), the statuses of the figures.

The questionnaires' results are those every reader of the dossier may see (`ctg.surveys.results.compute`
with `full=False`): the document goes to the committee, so a count of 1 to 4 reads « < 5 » (with its
complementary cell), a question answered by fewer than 5 respondents shows no figure at all (« moins de 5
réponses »), and free texts are never reproduced (their number only).

Every figure carries its status: a partial one its coverage as the engine writes it (« partiel : 1 commune
sur 3, 67 % de la population »), a secret or absent one says so instead of a value. `fictitious` lists what
is fictitious (the dossier, datasets, structures, findings, questionnaires): the renderers then show a
banner. Nothing here writes; the HTML of the charts and the map is built by `ctg.diagnostics` (labels
escaped there).
"""

import logging
from collections import Counter

from django.apps import apps
from django.utils import timezone

from ctg.conventions.models import Ctg, Field
from ctg.diagnostics import charts, engine
from ctg.diagnostics.catalogue import BY_ID, COMMUNE_TABLE_INDICATORS, SOURCES, dataset_label
from ctg.diagnostics.field_weights import annex_points, field_weights
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.portrait import build_portrait, territory_of_ctg
from ctg.diagnostics.presentation import STATUS_LABELS, commune_map
from ctg.diagnostics.readings import format_value, theme_reading
from ctg.documents.content import blocks, date_fr, territory_type
from ctg.offer import needs, typology
from ctg.offer.models import Structure
from ctg.offer.selectors import structures_of_territory

logger = logging.getLogger(__name__)

OUTLINE = (
    ("introduction", "Introduction"),
    ("chiffres_cles", "Chiffres clés du territoire"),
    ("territoire", "Territoire et dynamiques de population"),
    ("familles", "Familles et ménages"),
    ("revenus", "Revenus, pauvreté et dépendance aux prestations de la CAF"),
    ("champs", "Les champs de la CTG : offre, besoins, écarts et constats"),
    ("transversaux", "Enjeux transversaux"),
    ("enjeux", "Enjeux proposés"),
    ("conclusions", "Conclusions"),
    ("sources", "Sources et méthode"),
)
TITLES = dict(OUTLINE)

# The indicators of the three portrait sections, in order, and the indicator of their chart.
PORTRAIT_SECTIONS = {
    "territoire": (
        (
            "population",
            "evolution_annuelle_population",
            "part_moins_15_ans",
            "part_15_29_ans",
            "part_60_ans_et_plus",
            "part_75_ans_et_plus",
        ),
        "demographie",
    ),
    "familles": (
        (
            "familles_avec_enfants",
            "part_familles_monoparentales",
            "menages_une_personne",
            "enfants_moins_3_ans",
            "part_11_17_ans",
        ),
        "part_familles_monoparentales",
    ),
    "revenus": (
        (
            "revenu_median_uc",
            "taux_pauvrete",
            "part_prestations_sociales_revenu",
            "taux_chomage_15_64",
            "allocataires",
            "personnes_couvertes_caf",
            "part_allocataires_monoparents",
            "allocataires_rsa",
            "part_allocataires_rsa",
            "allocataires_aah",
            "allocataires_aide_logement",
            "allocataires_prime_activite",
        ),
        "taux_pauvrete",
    ),
}
MAP_INDICATOR = "part_moins_15_ans"
NO_INTRODUCTION = "Introduction à rédiger."
NO_CONCLUSIONS = "Conclusions à rédiger."
FICTITIOUS_TITLE = "Données fictives (démonstration)"
MASKED_NOTE = (
    "Résultats des questionnaires : « < 5 » signale un effectif de moins de 5 réponses, masqué (avec, au "
    "besoin, une autre case qui permettrait de le retrouver) ; une question qui a reçu moins de 5 réponses "
    "n'est pas détaillée. Les réponses libres ne sont pas reproduites."
)
STATUS_NOTE = (
    "Chaque chiffre indique son statut : « partiel » couvre une partie des communes (le nombre de communes "
    "et la part de la population couverte sont indiqués), « secret statistique » est masqué par la source, "
    "« absent du fichier » n'a pas de ligne dans le fichier publié, « non disponible » n'est pas publié ou "
    "son fichier n'est pas chargé. Aucun chiffre n'est estimé."
)


# --- figures --------------------------------------------------------------------------------------------


def _status_label(code: str) -> str:
    return STATUS_LABELS.get(code, (code.replace("_", " "), ""))[0]


def figure_of_result(result) -> dict:
    """A portrait figure: value with its unit, status (code, label, caveat, coverage), year, source."""
    ind, value = result.indicator, result.value
    if value.value is None:
        text = _status_label(value.status).lower()
    else:
        text = format_value(value.value, ind.unit, ind.decimals)
    return {
        "id": ind.id,
        "label": ind.label,
        "value": text,
        "status": value.status,
        "status_label": _status_label(value.status),
        "caveat": value.caveat,
        "year": str(value.year or "—"),
        "source": result.source,
        "comparison": result.comparison,
    }


def figure_of_needs(figure) -> dict:
    """A figure of « Besoins et offre » (`ctg.offer.needs.Figure`) in the same shape."""
    text = "non disponible" if figure.value is None else f"{figure.text} {figure.unit}".strip()
    return {
        "id": figure.indicator,
        "label": figure.label,
        "value": text,
        "status": figure.status,
        "status_label": _status_label(figure.status),
        "caveat": figure.caveat,
        "year": "",
        "source": figure.source,
        "comparison": "",
    }


def _chart(chart) -> dict | None:
    if chart is None:
        return None
    return {
        "svg": chart.svg,
        "title": chart.title,
        "headers": list(chart.headers),
        "rows": [list(row) for row in chart.rows],
        "note": chart.note,
    }


# --- the portrait ---------------------------------------------------------------------------------------


def _portrait(ctg: Ctg):
    territory = territory_of_ctg(ctg)
    try:
        return territory, build_portrait(territory)
    except Exception:  # a broken statistics store must not prevent the document
        logger.exception("Portrait of dossier %s", ctg.pk)
        return territory, None


def _portrait_section(key: str, portrait) -> dict:
    ids, chart_of = PORTRAIT_SECTIONS[key]
    section = {"key": key, "title": TITLES[key], "figures": [], "reading": "", "chart": None, "map": None}
    if portrait is None:
        section["reading"] = "Le portrait social du territoire n'a pas pu être calculé."
        return section
    results = [r for r in portrait.results if r.indicator.id in ids]
    results.sort(key=lambda r: ids.index(r.indicator.id))
    section["figures"] = [figure_of_result(r) for r in results]
    section["reading"] = theme_reading(results) if portrait.datasets else ""
    if chart_of == "demographie":
        section["chart"] = _chart(charts.age_structure_chart(portrait))
    else:
        result = next((r for r in results if r.indicator.id == chart_of), None)
        if result is not None:
            section["chart"] = _chart(charts.comparison_chart(result, portrait.territory.name))
    return section


def _map(portrait) -> dict | None:
    if portrait is None or len(portrait.territory.communes) < 2:
        return None
    try:
        drawn = commune_map(portrait, MAP_INDICATOR)
    except Exception:  # contours unreadable: the document goes on without its map
        logger.exception("Map of the diagnostic document")
        return None
    return {
        "svg": drawn["svg"],
        "title": f"{drawn['indicator'].label} par commune",
        "source": drawn["source"],
        "missing": drawn["missing"],
    }


def _datasets(portrait) -> list[dict]:
    """The datasets the portrait read, with their vintages and whether the file in the store is fictitious."""
    if portrait is None:
        return []
    rows = []
    for kind, year in sorted(portrait.datasets.items()):
        latest = DatasetImport.objects.filter(kind=kind, year=year).order_by("-imported_at", "-pk").first()
        rows.append(
            {
                "kind": kind,
                "label": dataset_label(kind),
                "year": year,
                "source": SOURCES[kind].format(year=year),
                "fictitious": bool(latest and latest.is_fictitious),
            }
        )
    return rows


# --- the qualitative diagnostic (apps of issue 13, read when installed) ----------------------------------


def _installed(app: str) -> bool:
    return apps.is_installed(f"ctg.{app}")


def findings_of(ctg: Ctg) -> list[dict] | None:
    """Every finding of the dossier (`ctg.findings.selectors.findings_for`), None when the app is absent."""
    if not _installed("findings"):
        return None
    from ctg.findings.selectors import findings_for

    rows = []
    for finding in findings_for(ctg).prefetch_related("communes"):
        communes = sorted(c.name for c in finding.communes.all())
        rows.append(
            {
                "id": finding.pk,
                "kind": finding.get_kind_display(),
                "title": finding.title,
                "fields": list(finding.fields or ()),
                "field_labels": finding.get_fields_display(),
                "communes": ", ".join(communes) if communes else "tout le territoire",
                "public": finding.public,
                "evidence": finding.evidence,
                "source": finding.source_label or finding.get_source_kind_display(),
                "from_questionnaire": finding.source_kind == "question",
                "weight": finding.get_weight_display(),
                "fictitious": finding.is_fictitious,
            }
        )
    return rows


def questionnaires_of(ctg: Ctg) -> list[dict] | None:
    """The dossier's questionnaires with their number of answers (test answers aside) and their channels,
    as every reader of the dossier may see them (`ctg.surveys.results`: a count of 1 to 4 reads « < 5 »; the
    channels with fewer than 5 answers are grouped, so that none is found again by subtraction); None when
    the app is absent."""
    if not _installed("surveys"):
        return None
    from django.db.models import Count

    from ctg.surveys.models import Questionnaire, Response
    from ctg.surveys.results import respondents_label, small

    rows = []
    for questionnaire in Questionnaire.objects.filter(ctg=ctg).order_by("created_at", "id"):
        counted = (
            Response.objects.filter(questionnaire=questionnaire, is_test=False)
            .values("channel")
            .annotate(n=Count("id"))
            .order_by("-n", "channel")
        )
        counted = [(c["channel"], c["n"]) for c in counted]
        total = sum(n for _c, n in counted)
        shown = [(channel, n) for channel, n in counted if not small(n)]
        few = [(channel, n) for channel, n in counted if small(n)]
        # The group of the small channels would be found by subtraction from the total: it takes the smallest
        # shown channels with it until it holds 5 answers or more.
        while few and small(sum(n for _c, n in few)) and shown:
            few.append(shown.pop())
        channels = [{"channel": channel, "answers": respondents_label(n, False)} for channel, n in shown]
        if few:
            names = ", ".join(channel for channel, _n in few)
            rest = respondents_label(sum(n for _c, n in few), False)
            channels.append({"channel": f"autres canaux ({names})", "answers": rest})
        dates = [d for d in (questionnaire.opened_at, questionnaire.closed_at) if d is not None]
        rows.append(
            {
                "title": questionnaire.title,
                "audience": questionnaire.get_audience_display(),
                "status": questionnaire.get_status_display(),
                "answers": respondents_label(total, False),
                "answers_count": total,
                "channels": channels,
                "period": " – ".join(date_fr(timezone.localtime(d).date()) for d in dates),
                "fictitious": questionnaire.is_fictitious,
            }
        )
    return rows


def _period(questionnaire) -> str:
    """« 3 mars 2025 – 30 avril 2025 », « depuis le 3 mars 2025 » while open, « non diffusé » before."""
    opened, closed = questionnaire.opened_at, questionnaire.closed_at
    if opened is None:
        return "non diffusé"
    start = date_fr(timezone.localtime(opened).date())
    if closed is None:
        return f"depuis le {start}"
    return f"{start} – {date_fr(timezone.localtime(closed).date())}"


def _count_text(n: int, display: str, masked: bool, word: str) -> str:
    """« 7 répondants », « 1 répondant », « moins de 5 répondants » (masked: never the number)."""
    if masked:
        return f"moins de 5 {word}s"
    return f"{display} {word}{'s' if n > 1 else ''}"


def _question_result(item, results_module) -> dict:
    """One tagged question's masked result: its counted lines (choices, scale steps, communes, grid cells),
    statistics (scale, number) or mean ranks, or only its number of answers (free text, date)."""
    question = item.question
    text_kinds = {k.value for k in results_module.TEXT_KINDS}
    hidden = item.respondents.masked
    row = {
        "label": question.label,
        "kind": question.get_kind_display(),
        "respondents": item.respondents.display,
        "respondents_text": _count_text(item.respondents.n, item.respondents.display, hidden, "répondant"),
        "answers_text": _count_text(item.respondents.n, item.respondents.display, hidden, "réponse"),
        "masked": hidden,
        "free_text": question.kind in text_kinds,
        "lines": [],
        "stats": [],
    }
    if hidden or row["free_text"] or not item.respondents.n:
        return row
    if item.lines:
        row["lines"] = [
            {"label": line.label, "count": line.cell.display, "percent": line.percent} for line in item.lines
        ]
    elif item.grid:
        row["lines"] = [
            {"label": f"{day} {slot.lower()}", "count": cell.display, "percent": ""}
            for day, cells in item.grid
            for slot, cell in zip(item.grid_slots, cells, strict=True)
        ]
    elif item.ranking:
        row["lines"] = [
            {"label": f"Rang moyen : {label}", "count": mean, "percent": ""}
            for label, mean, _raw in item.ranking
        ]
    row["stats"] = [{"label": label, "value": value} for label, value in item.stats if label != "Répondants"]
    return row


def field_results_of(ctg: Ctg) -> dict[str, list[dict]] | None:
    """The results of the questionnaires' questions that bear on a CTG field (`Question.field`), by field:
    one entry per questionnaire (title, audience, period, respondents) with its tagged questions, masked for
    the committee (module docstring); None when the app is absent."""
    if not _installed("surveys"):
        return None
    from ctg.surveys import results as survey_results
    from ctg.surveys.models import Questionnaire

    by_field: dict[str, list[dict]] = {}
    questionnaires = (
        Questionnaire.objects.filter(ctg=ctg).exclude(opened_at=None).order_by("created_at", "id")
    )
    for questionnaire in questionnaires:
        if not questionnaire.questions.exclude(field="").exists():
            continue
        computed = survey_results.compute(questionnaire, full=False)
        for item in computed.questions:
            field = item.question.field
            if not field:
                continue
            entries = by_field.setdefault(field, [])
            if not entries or entries[-1]["id"] != questionnaire.pk:
                entries.append(
                    {
                        "id": questionnaire.pk,
                        "title": questionnaire.title,
                        "audience": questionnaire.get_audience_display(),
                        "period": _period(questionnaire),
                        "respondents": survey_results.respondents_label(computed.respondents, False),
                        "respondents_text": _count_text(
                            computed.respondents,
                            survey_results.respondents_label(computed.respondents, False),
                            survey_results.small(computed.respondents),
                            "répondant",
                        ),
                        "fictitious": questionnaire.is_fictitious,
                        "questions": [],
                    }
                )
            entries[-1]["questions"].append(_question_result(item, survey_results))
    return by_field


def ateliers_of(ctg: Ctg) -> list[dict] | None:
    """The dossier's ateliers, cancelled ones aside: themes, date (the month when the day is unknown), status
    and number of participants present; None when the app is absent."""
    if not _installed("ateliers"):
        return None
    from django.db.models import Count

    from ctg.ateliers.models import Atelier

    ateliers = (
        Atelier.objects.filter(ctg=ctg)
        .exclude(status=Atelier.Status.CANCELLED)
        .annotate(present=Count("attendances"))
        .order_by("date", "id")
    )
    return [
        {
            "title": atelier.title,
            "date": atelier.date_label,
            "status": atelier.get_status_display(),
            "themes": atelier.theme_labels,
            "participants": atelier.present if atelier.status == Atelier.Status.HELD else None,
            "fictitious": atelier.is_fictitious,
        }
        for atelier in ateliers
    ]


# --- fields, cross-cutting stakes, enjeux -----------------------------------------------------------------


def _dossier_fields(ctg: Ctg) -> list[str]:
    """The dossier's fields in the order of `Field`; every field of the needs table when none is chosen."""
    chosen = [f for f in Field.values if f in (ctg.fields or ())]
    return chosen or [f for f, _ids, _d in needs.FIELDS]


def _gaps(zones, distance) -> dict[str, list[dict]]:
    by_field: dict[str, list[dict]] = {}
    for zone in zones:
        if not zone.communes:
            continue
        field = typology.BY_CODE[zone.type].field
        total = len(zone.communes) + zone.covered
        by_field.setdefault(field, []).append(
            {
                "label": zone.label,
                "text": (
                    f"{len(zone.communes)} commune{'s' if len(zone.communes) > 1 else ''} sur {total} sans "
                    f"structure à moins de {format_value(distance, 'km', 0)}"
                ),
                "communes": ", ".join(c["name"] for c in zone.communes),
            }
        )
    return by_field


def _field_parts(ctg, territory, portrait, findings, survey_results=None) -> list[dict]:
    rows = {}
    zones, distance = [], needs.default_distance_km()
    if portrait is not None:
        try:
            rows = {row.field: row for row in needs.needs_versus_offer(territory, portrait=portrait)}
            zones, _source = needs.white_zones(territory, distance)
        except Exception:  # the inventory or the contours unreadable: said in each part
            logger.exception("Needs of dossier %s", ctg.pk)
    gaps = _gaps(zones, distance)
    points = annex_points(portrait.attention, ctg.fields) if portrait is not None else []
    parts = []
    for field in _dossier_fields(ctg):
        row = rows.get(field)
        attention = [
            {"label": p["indicator"].label, "sentence": p["sentence"]}
            for p in points
            if field_weights(p["indicator"].id).get(field, 0) >= 0.5
        ]
        field_findings = None if findings is None else [f for f in findings if field in f["fields"]]
        parts.append(
            {
                "field": field,
                "label": Field(field).label,
                "has_needs": row is not None,
                "demand": [figure_of_needs(f) for f in row.demand] if row else [],
                # The coverage rate (petite enfance) closes the offer's figures.
                "offer": [figure_of_needs(f) for f in [*row.offer, *([row.rate] if row.rate else [])]]
                if row
                else [],
                "gaps": gaps.get(field, []),
                "attention": attention[:5],
                "findings": field_findings,
                "questionnaire_findings": (
                    None if field_findings is None else [f for f in field_findings if f["from_questionnaire"]]
                ),
                "questionnaire_results": (survey_results or {}).get(field, []),
            }
        )
    return parts


def _cross_cutting(ctg, portrait, findings, survey_results=None) -> dict:
    """Points of attention whose indicator weighs on several fields of the dossier (or on every field when
    the dossier has none), the findings of several fields or of none, and the questionnaires' results of a
    field the dossier does not cover."""
    fields = set(_dossier_fields(ctg))
    points = annex_points(portrait.attention, ctg.fields) if portrait is not None else []
    attention = []
    for p in points:
        touched = [f for f, w in field_weights(p["indicator"].id).items() if w >= 0.5 and f in fields]
        if len(touched) >= 2:
            attention.append(
                {
                    "label": p["indicator"].label,
                    "sentence": p["sentence"],
                    "fields": ", ".join(Field(f).label for f in touched),
                }
            )
    shared = None
    if findings is not None:
        shared = [f for f in findings if len(f["fields"]) != 1]
    other_fields = [
        {"label": Field(field).label, "questionnaires": entries}
        for field, entries in sorted(
            (survey_results or {}).items(), key=lambda item: Field.values.index(item[0])
        )
        if field not in fields and field in Field.values
    ]
    return {"attention": attention[:8], "findings": shared, "questionnaire_results": other_fields}


def _enjeu_findings(enjeu) -> list[str]:
    """The findings that ground an enjeu: the findings it cites (`plans.Enjeu.findings`, many-to-many to
    `ctg.findings`), or the text of its « constats qualitatifs » in a plan that still has it."""
    linked = getattr(enjeu, "findings", "")
    if isinstance(linked, str):
        return [linked] if linked.strip() else []
    return [finding.title for finding in linked.all()]


def _enjeux(ctg: Ctg) -> list[dict]:
    from ctg.plans.selectors import plan_numbers, plan_tree

    tree = plan_tree(ctg)
    numbers = plan_numbers(ctg, tree)
    rows = []
    for enjeu in tree:
        rows.append(
            {
                "number": numbers.get(("enjeu", enjeu.pk), str(len(rows) + 1)),
                "title": enjeu.title,
                "description": enjeu.description,
                "fields": ", ".join(Field(f).label for f in enjeu.fields or () if f in Field.values),
                "indicators": [BY_ID[i].label for i in enjeu.attention_indicators or () if i in BY_ID],
                "findings": _enjeu_findings(enjeu),
                "objectives": [
                    f"Objectif {numbers.get(('strategic', s.pk), '')} — {s.title}".replace("  ", " ")
                    for s in enjeu.objectives.all()
                ],
            }
        )
    return rows


# --- sources, fictitious data ------------------------------------------------------------------------------


def _offer_source(territory) -> dict:
    open_structures = structures_of_territory(territory).filter(status=Structure.Status.OPEN)
    open_count = open_structures.count()
    fictitious = open_structures.filter(is_fictitious=True).count()
    return {
        "text": (
            f"{needs.INVENTORY_SOURCE} : {open_count} structure{'s' if open_count > 1 else ''} "
            f"ouverte{'s' if open_count > 1 else ''} sur le territoire"
        ),
        "fictitious": fictitious,
    }


def _fictitious(ctg, datasets, offer, findings, questionnaires, ateliers) -> list[str]:
    reasons = []
    if ctg.is_fictitious:
        reasons.append("le dossier est fictif")
    labels = [f"{d['label']} {d['year']}" for d in datasets if d["fictitious"]]
    if labels:
        reasons.append("statistiques générées : " + ", ".join(labels))
    if offer["fictitious"]:
        n = offer["fictitious"]
        reasons.append(f"{n} structure{'s' if n > 1 else ''} fictive{'s' if n > 1 else ''} dans l'inventaire")
    for items, word in ((findings, "constats"), (questionnaires, "questionnaires"), (ateliers, "ateliers")):
        if items and any(i["fictitious"] for i in items):
            reasons.append(f"{word} fictifs")
    return reasons


# --- the document -----------------------------------------------------------------------------------------


def build(ctg: Ctg) -> dict:
    """The whole document of `ctg` (see the module's docstring) and its `snapshot`."""
    from ctg.documents.models import DiagnosticReport

    report = DiagnosticReport.objects.filter(ctg=ctg).first()
    introduction = report.introduction if report else ""
    conclusions = report.conclusions if report else ""
    territory, portrait = _portrait(ctg)
    available = portrait is not None and bool(portrait.datasets)

    key_figures = []
    if portrait is not None:
        key_figures = [
            figure_of_result(r) for r in portrait.results if r.indicator.id in COMMUNE_TABLE_INDICATORS
        ]
    portrait_sections = {key: _portrait_section(key, portrait) for key in PORTRAIT_SECTIONS}
    portrait_sections["territoire"]["map"] = _map(portrait)

    findings = findings_of(ctg)
    questionnaires = questionnaires_of(ctg)
    ateliers = ateliers_of(ctg)
    datasets = _datasets(portrait)
    offer = _offer_source(territory)
    fictitious = _fictitious(ctg, datasets, offer, findings, questionnaires, ateliers)
    survey_results = field_results_of(ctg)
    fields = _field_parts(ctg, territory, portrait, findings, survey_results)
    enjeux = _enjeux(ctg)
    cross = _cross_cutting(ctg, portrait, findings, survey_results)
    figures = [
        *key_figures,
        *(f for s in portrait_sections.values() for f in s["figures"]),
        *(f for p in fields for f in [*p["demand"], *p["offer"]]),
    ]
    statuses = Counter(f["status"] for f in figures)
    data = {
        "title": f"Diagnostic partagé — {ctg.title}",
        "ctg_title": ctg.title,
        "caf": ctg.caf.name,
        "territory": territory_type(ctg),
        "territory_name": territory.name,
        "population": format_value(territory.population, "habitants", 0),
        "communes_count": format_value(len(territory.communes), "communes", 0),
        "period": ctg.period_label,
        "generated": date_fr(timezone.localdate()),
        "outline": [{"key": k, "title": t} for k, t in OUTLINE],
        "titles": TITLES,
        "fictitious": fictitious,
        "fictitious_text": (f"{FICTITIOUS_TITLE} : " + " ; ".join(fictitious) + ".") if fictitious else "",
        "introduction": blocks(introduction) or [{"kind": "paragraph", "text": NO_INTRODUCTION}],
        "conclusions": blocks(conclusions) or [{"kind": "paragraph", "text": NO_CONCLUSIONS}],
        "statistics_available": available,
        "statistics_note": (
            ""
            if available
            else "Aucune statistique n'est chargée : les chiffres du portrait ne sont pas disponibles."
        ),
        "key_figures": key_figures,
        "sections": [portrait_sections[key] for key in PORTRAIT_SECTIONS],
        "fields": fields,
        "cross_cutting": cross,
        "masked_note": MASKED_NOTE,
        "enjeux": enjeux,
        "findings_available": findings is not None,
        "sources": {
            "datasets": datasets,
            "offer": offer["text"],
            "questionnaires": questionnaires,
            "ateliers": ateliers,
            "findings_count": None if findings is None else len(findings),
            "white_zones": needs.METHOD,
            "distance": format_value(needs.default_distance_km(), "km", 0),
            "statuses": STATUS_NOTE,
        },
    }
    data["snapshot"] = {
        "sections": [{"key": k, "title": t} for k, t in OUTLINE],
        "fields": [p["field"] for p in fields],
        "figures": dict(sorted(statuses.items())),
        "partial": list(
            dict.fromkeys(f"{f['label']} : {f['caveat']}" for f in figures if f["status"] == engine.PARTIEL)
        ),
        "datasets": [{"kind": d["kind"], "year": d["year"], "fictitious": d["fictitious"]} for d in datasets],
        "enjeux": [e["title"] for e in enjeux],
        "findings": None if findings is None else len(findings),
        "questionnaires": (
            None if questionnaires is None else [[q["title"], q["answers_count"]] for q in questionnaires]
        ),
        "questionnaire_results": {
            field: sum(len(entry["questions"]) for entry in entries)
            for field, entries in sorted((survey_results or {}).items())
        },
        "ateliers": None if ateliers is None else len(ateliers),
        "fictitious": fictitious,
        "introduction": bool(introduction.strip()),
        "conclusions": bool(conclusions.strip()),
    }
    return data
