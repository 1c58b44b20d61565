"""The final evaluation of a CTG on the CNAF's four questions, computed from the dossier (read only).

`compute(ctg)` returns a plain structure (dicts, lists, model instances) used by the page, the PDF and the
DOCX, in a number of queries that does not grow with the plan:

- **achievement** (« Les objectifs ont-ils été atteints ? »), per enjeu › objective › fiche: each indicator's
  baseline, targets and realised values, its last realised value and its year, and a verdict from
  `ctg.plans.progress.progress` comparing the last realised value with the last target (`ACHIEVEMENT_RULE`);
  the fiche statuses at the end of each year of the CTG, replayed from the fiches' history lines; the budget
  planned and spent by funder and year; the meetings' decisions applied to the fiche;
- **coherence** (« Les actions ont-elles répondu aux besoins ? »): per enjeu, the findings of the diagnostic
  and the needs-vs-offer rows it cites, with the number of fiches answering it; the findings that no enjeu
  cites, or whose enjeux have no fiche;
- **means** (« Les moyens étaient-ils adaptés ? »): the coordinator post (ETP, years funded and amounts), the
  budget by funder, the partners mobilised (partners of the dossier, pilots and partners of fiches);
- **durability** (« Que reste-t-il ? »): the commitments typed for partners and fiches, and the masked results
  (`surveys.results.compute(full=False)`) of the questionnaire chosen as the partners' questionnaire.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.core.models import HistoryEntry
from ctg.evaluation.models import FinalEvaluation
from ctg.findings.models import Finding
from ctg.governance.models import Decision
from ctg.plans import progress
from ctg.plans.models import Enjeu, FicheAction, Funder, OperationalObjective, StrategicObjective
from ctg.plans.selectors import indicator_series

QUESTIONS = (
    ("coherence", "Cohérence et pertinence", "Les actions ont-elles répondu aux besoins du diagnostic ?"),
    ("achievement", "Atteinte des objectifs", "Les objectifs fixés ont-ils été atteints ?"),
    ("means", "Moyens et efficience", "Les moyens mobilisés étaient-ils adaptés ?"),
    ("durability", "Pérennité", "Que restera-t-il des actions après la CTG ?"),
)

ACHIEVED, PARTLY, NOT_ACHIEVED, NOT_MEASURABLE = "atteint", "partiel", "non_atteint", "non_mesurable"
VERDICT_LABELS = {
    ACHIEVED: "Atteint",
    PARTLY: "Partiellement atteint",
    NOT_ACHIEVED: "Non atteint",
    NOT_MEASURABLE: "Non mesurable",
}
ACHIEVEMENT_RULE = (
    "Un indicateur est « atteint » quand sa dernière valeur réalisée atteint ou dépasse (dans le sens "
    "souhaité) sa dernière cible ; « partiellement atteint » quand elle a parcouru une partie du chemin "
    "depuis la valeur de référence sans atteindre la cible ; « non atteint » quand elle n'a pas progressé, "
    "ou qu'il n'y a pas de valeur de référence pour mesurer le chemin ; « non mesurable » sans valeur "
    "réalisée, sans cible, ou avec une cible contraire au sens souhaité. Une fiche, un objectif ou un enjeu "
    "est « atteint » quand tous ses indicateurs mesurables le sont, « non atteint » quand aucun ne l'est "
    "même partiellement, « partiellement atteint » entre les deux, « non mesurable » sans indicateur "
    "mesurable."
)


def _number(value) -> str:
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def euros(value) -> str:
    text = f"{Decimal(value):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def indicator_verdict(series: progress.IndicatorSeries) -> dict:
    """The verdict of one indicator: last realised value (and year) against the last target."""
    realised = {y: v for y, v in series.realised.items() if v is not None}
    targets = {y: v for y, v in series.targets.items() if v is not None}
    last_year = max(realised) if realised else None
    target_year = max(targets) if targets else None
    last = realised[last_year] if last_year is not None else None
    target = targets[target_year] if target_year is not None else None
    result = progress.progress(series.baseline_value, target, last, series.direction)
    if result.status == progress.ATTEINT:
        verdict = ACHIEVED
    elif result.status in (progress.SANS_DONNEE, progress.CIBLE_INCOHERENTE):
        verdict = NOT_MEASURABLE
    elif result.status == progress.NON_ATTEINT and result.ratio is not None and result.ratio > 0:
        verdict = PARTLY
    else:
        verdict = NOT_ACHIEVED
    return {
        "last_value": last,
        "last_year": last_year,
        "target": target,
        "target_year": target_year,
        "verdict": verdict,
        "verdict_label": VERDICT_LABELS[verdict],
        "reason": result.reason,
    }


def combine(verdicts: list[str]) -> str:
    """The verdict of a fiche, objective or enjeu from its indicators' verdicts (see ACHIEVEMENT_RULE)."""
    measured = [v for v in verdicts if v != NOT_MEASURABLE]
    if not measured:
        return NOT_MEASURABLE
    if all(v == ACHIEVED for v in measured):
        return ACHIEVED
    if all(v == NOT_ACHIEVED for v in measured):
        return NOT_ACHIEVED
    return PARTLY


def _verdict(verdicts: list[str]) -> dict:
    verdict = combine(verdicts)
    return {"verdict": verdict, "verdict_label": VERDICT_LABELS[verdict], "indicators_count": len(verdicts)}


def _years(ctg: Ctg) -> list[int]:
    last = min(ctg.end_year, max(timezone.localdate().year, ctg.start_year))
    return list(range(ctg.start_year, last + 1))


def status_by_year(current_label: str, changes: list[tuple[datetime.datetime, str, str]], years) -> list:
    """[(year, status label at the end of the year)] replayed from the fiche's status changes (oldest
    first: (when, before, after)); before the first change, the status it changed from."""
    rows = []
    for year in years:
        status = changes[0][1] if changes else current_label
        for when, _before, after in changes:
            if timezone.localtime(when).year <= year:
                status = after
        rows.append({"year": year, "status": status or "—"})
    return rows


def _budget_table(lines) -> dict:
    """Planned and spent by funder and year, with totals by funder, by year and overall."""
    cells = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        cell = cells[(line.funder, line.year)]
        cell[0] += line.planned
        cell[1] += line.spent
    funders = [f for f in Funder if any(k[0] == f for k in cells)]
    years = sorted({k[1] for k in cells})
    rows = []
    for funder in funders:
        by_year = []
        for year in years:
            if (funder, year) not in cells:  # no line for this funder this year: absent, not zero
                by_year.append({"year": year, "planned": "—", "spent": "—"})
                continue
            planned, spent = cells[(funder, year)]
            by_year.append({"year": year, "planned": euros(planned), "spent": euros(spent)})
        planned = sum((cells[(funder, y)][0] for y in years if (funder, y) in cells), Decimal(0))
        spent = sum((cells[(funder, y)][1] for y in years if (funder, y) in cells), Decimal(0))
        rows.append(
            {
                "label": funder.label,
                "years": by_year,
                "planned": euros(planned),
                "spent": euros(spent),
                "rate": _rate(spent, planned),
            }
        )
    planned = sum((c[0] for c in cells.values()), Decimal(0))
    spent = sum((c[1] for c in cells.values()), Decimal(0))
    return {
        "years": years,
        "rows": rows,
        "planned": euros(planned),
        "spent": euros(spent),
        "rate": _rate(spent, planned),
        "empty": not cells,
    }


def _rate(spent: Decimal, planned: Decimal) -> str:
    if not planned:
        return "non mesurable (rien de prévu)"
    return f"{round(100 * spent / planned)}\u202f%"


def compute(ctg: Ctg) -> dict:
    evaluation = (
        FinalEvaluation.objects.select_related("questionnaire", "decision__meeting__body", "validated_by")
        .filter(ctg=ctg)
        .first()
    )
    years = _years(ctg)

    fiches_qs = (
        FicheAction.objects.filter(ctg=ctg)
        .order_by("position", "id")
        .select_related("pilot_organisation")
        .prefetch_related("indicators__values", "budget", "partners")
    )
    fiches = {f.pk: f for f in fiches_qs}
    operational = OperationalObjective.objects.order_by("position", "id").prefetch_related(
        Prefetch("fiches", queryset=FicheAction.objects.only("id").order_by("position", "id"))
    )
    strategic = StrategicObjective.objects.order_by("position", "id").prefetch_related(
        Prefetch("operational", queryset=operational)
    )
    enjeux = list(
        Enjeu.objects.filter(ctg=ctg)
        .order_by("position", "id")
        .prefetch_related(Prefetch("objectives", queryset=strategic), "findings")
    )

    # Status changes of the fiches, oldest first.
    changes = defaultdict(list)
    for item_id, at, change in (
        HistoryEntry.objects.filter(ctg=ctg, item_type="ficheaction", item_id__in=list(fiches))
        .order_by("at", "id")
        .values_list("item_id", "at", "changes")
    ):
        status = (change or {}).get("status")
        if isinstance(status, list) and len(status) == 2:
            changes[item_id].append((at, str(status[0] or ""), str(status[1] or "")))

    decisions = defaultdict(list)
    for decision in (
        Decision.objects.filter(meeting__ctg=ctg, fiche_id__in=list(fiches), applied_at__isnull=False)
        .exclude(kind=Decision.Kind.NOTE)
        .select_related("meeting__body")
        .order_by("meeting__starts_at", "position", "id")
    ):
        decisions[decision.fiche_id].append(decision)

    def fiche_row(fiche: FicheAction) -> dict:
        indicators = []
        for indicator in sorted(fiche.indicators.all(), key=lambda i: (i.position, i.pk)):
            series = indicator_series(indicator)
            verdict = indicator_verdict(series)
            indicators.append(
                {
                    "indicator": indicator,
                    "label": indicator.label + (f" ({indicator.unit})" if indicator.unit else ""),
                    "baseline": _number(indicator.baseline_value),
                    "baseline_year": indicator.baseline_year or "—",
                    "targets": "; ".join(
                        f"{y} : {_number(v)}" for y, v in sorted(series.targets.items()) if v is not None
                    )
                    or "aucune cible",
                    "realised": "; ".join(
                        f"{y} : {_number(v)}" for y, v in sorted(series.realised.items()) if v is not None
                    )
                    or "aucune valeur réalisée",
                    "last": _number(verdict["last_value"]),
                    **verdict,
                }
            )
        return {
            "fiche": fiche,
            "indicators": indicators,
            **_verdict([i["verdict"] for i in indicators]),
            "statuses": status_by_year(fiche.get_status_display(), changes[fiche.pk], years),
            "status_changes": [
                {"at": at, "before": before, "after": after} for at, before, after in changes[fiche.pk]
            ],
            "budget": _budget_table(fiche.budget.all()),
            "decisions": decisions[fiche.pk],
        }

    fiche_rows = {pk: fiche_row(f) for pk, f in fiches.items()}
    answered_fiches: set[int] = set()
    tree = []
    for enjeu in enjeux:
        objectives = []
        enjeu_fiches: list[int] = []
        for strategic_objective in enjeu.objectives.all():
            ops = []
            for op in strategic_objective.operational.all():
                rows = [fiche_rows[f.pk] for f in op.fiches.all() if f.pk in fiche_rows]
                enjeu_fiches += [r["fiche"].pk for r in rows if r["fiche"].pk not in enjeu_fiches]
                ops.append(
                    {
                        "objective": op,
                        "fiches": rows,
                        **_verdict([i["verdict"] for r in rows for i in r["indicators"]]),
                    }
                )
            objectives.append(
                {
                    "objective": strategic_objective,
                    "operational": ops,
                    **_verdict([i["verdict"] for o in ops for r in o["fiches"] for i in r["indicators"]]),
                }
            )
        answered_fiches.update(enjeu_fiches)
        tree.append(
            {
                "enjeu": enjeu,
                "objectives": objectives,
                "fiches_count": len(enjeu_fiches),
                "findings": list(enjeu.findings.all()),
                "needs": [
                    {
                        "label": str(row.get("label") or row.get("indicator") or "—"),
                        "text": str(row.get("text") or "valeur non disponible"),
                        "territory": str((row.get("territory") or {}).get("name") or ""),
                        "field": str(row.get("field_label") or row.get("field") or ""),
                    }
                    for row in (enjeu.needs_evidence or [])
                    if isinstance(row, dict)
                ],
                **_verdict([i["verdict"] for pk in enjeu_fiches for i in fiche_rows[pk]["indicators"]]),
            }
        )
    unattached = [fiche_rows[pk] for pk in fiches if pk not in answered_fiches]

    # Coherence: the findings no enjeu cites, and those whose enjeux have no fiche.
    answered_enjeux = {row["enjeu"].pk for row in tree if row["fiches_count"]}
    cited = defaultdict(set)
    for row in tree:
        for finding in row["findings"]:
            cited[finding.pk].add(row["enjeu"].pk)
    unanswered = [
        {
            "finding": f,
            "reason": "cité par un enjeu sans fiche action" if cited[f.pk] else "cité par aucun enjeu",
        }
        for f in Finding.objects.filter(ctg=ctg).order_by("id")
        if not (cited[f.pk] & answered_enjeux)
    ]

    return {
        "ctg": ctg,
        "evaluation": evaluation,
        "years": years,
        "questions": QUESTIONS,
        "rule": ACHIEVEMENT_RULE,
        "tree": tree,
        "unattached": unattached,
        "fiches_count": len(fiches),
        "verdict_summary": _summary(fiche_rows.values()),
        "unanswered_findings": unanswered,
        "means": _means(ctg, fiches),
        "durability": _durability(ctg, evaluation, fiches),
        "validation": _validation(evaluation),
    }


def _summary(rows) -> list[dict]:
    counts = dict.fromkeys(VERDICT_LABELS, 0)
    for row in rows:
        counts[row["verdict"]] += 1
    return [{"label": VERDICT_LABELS[k], "count": n} for k, n in counts.items()]


def _means(ctg: Ctg, fiches: dict) -> dict:
    # The post is read through the dossier's reverse relation: ctg.post sits above ctg.evaluation (it reads
    # the bilan) and is not imported here.
    try:
        post = type(ctg).objects.select_related("coordinator_post__employer").get(pk=ctg.pk).coordinator_post
    except ObjectDoesNotExist:
        post = None
    fundings = []
    if post is not None:
        for funding in post.fundings.order_by("year"):
            fundings.append(
                {
                    "year": funding.year,
                    "requested": euros(funding.amount_requested or 0),
                    "agreed": euros(funding.amount_agreed)
                    if funding.amount_agreed is not None
                    else "en attente de décision",
                    "funded": funding.amount_agreed is not None and funding.amount_agreed > 0,
                }
            )
    partners = defaultdict(lambda: {"pilot": 0, "partner": 0})
    names = {}
    for fiche in fiches.values():
        if fiche.pilot_organisation is not None:
            names[fiche.pilot_organisation.pk] = fiche.pilot_organisation
            partners[fiche.pilot_organisation.pk]["pilot"] += 1
        for organisation in fiche.partners.all():
            names[organisation.pk] = organisation
            partners[organisation.pk]["partner"] += 1
    dossier_partners = list(ctg.partners.order_by("name"))
    for organisation in dossier_partners:
        names.setdefault(organisation.pk, organisation)
    dossier_ids = {o.pk for o in dossier_partners}
    mobilised = [
        {
            "organisation": names[pk],
            "dossier_partner": pk in dossier_ids,
            "pilot": partners[pk]["pilot"] if pk in partners else 0,
            "partner": partners[pk]["partner"] if pk in partners else 0,
        }
        for pk in sorted(names, key=lambda k: names[k].name.lower())
    ]
    all_lines = [line for fiche in fiches.values() for line in fiche.budget.all()]
    return {
        "post": post,
        "fte": _number(post.fte) if post else "",
        "fundings": fundings,
        "years_funded": [f["year"] for f in fundings if f["funded"]],
        "budget": _budget_table(all_lines),
        "partners": mobilised,
    }


def commitment_targets(ctg: Ctg, fiches=None) -> list[dict]:
    """What a commitment may be typed for: the partners mobilised, then the fiches (keys « o<id> »,
    « f<id> »)."""
    organisations = {o.pk: o for o in ctg.partners.all()}
    fiche_list = (
        list(fiches.values())
        if fiches is not None
        else list(
            FicheAction.objects.filter(ctg=ctg)
            .prefetch_related("partners")
            .select_related("pilot_organisation")
        )
    )
    for fiche in fiche_list:
        if fiche.pilot_organisation is not None:
            organisations[fiche.pilot_organisation.pk] = fiche.pilot_organisation
        for organisation in fiche.partners.all():
            organisations[organisation.pk] = organisation
    targets = [
        {"key": f"o{o.pk}", "label": o.name, "kind": "Partenaire"}
        for o in sorted(organisations.values(), key=lambda o: o.name.lower())
    ]
    targets += [
        {"key": f"f{f.pk}", "label": f.title, "kind": "Fiche action"}
        for f in sorted(fiche_list, key=lambda f: (f.position, f.pk))
    ]
    return targets


def _durability(ctg: Ctg, evaluation, fiches: dict) -> dict:
    from ctg.surveys import results as survey_results

    commitments = (evaluation.commitments if evaluation else {}) or {}
    targets = commitment_targets(ctg, fiches)
    rows = [{**t, "text": commitments.get(t["key"], "")} for t in targets]
    questionnaire = evaluation.questionnaire if evaluation else None
    survey = None
    if questionnaire is not None and questionnaire.ctg_id == ctg.pk:
        computed = survey_results.compute(questionnaire, full=False)
        survey = {
            "questionnaire": questionnaire,
            "respondents": survey_results.respondents_label(computed.respondents, False),
            "questions": [
                {
                    "number": q.number,
                    "label": q.question.label,
                    "hidden": q.hidden,
                    "respondents": q.respondents.display,
                    "lines": [
                        {"label": line.label, "count": line.cell.display, "percent": line.percent}
                        for line in q.lines
                    ],
                    "stats": [(str(label), str(value)) for label, value in q.stats],
                }
                for q in computed.questions
            ],
        }
    return {
        "commitments": [r for r in rows if r["text"]],
        "targets": rows,
        "survey": survey,
    }


def _validation(evaluation) -> dict:
    if evaluation is None or not evaluation.validated:
        return {"validated": False, "text": "Évaluation non validée par le COPIL."}
    decision = evaluation.decision
    meeting = decision.meeting if decision else None
    by = evaluation.validated_by
    by_name = (by.get_full_name() or by.email) if by else "une personne (compte supprimé)"
    when = timezone.localtime(evaluation.validated_at)
    if meeting is not None:
        day = timezone.localtime(meeting.starts_at)
        text = (
            f"Validée par le COPIL « {meeting.body.name} » réuni le {day:%d/%m/%Y} "
            f"(décision : {decision.text}) ; "
            f"validation enregistrée le {when:%d/%m/%Y} par {by_name}."
        )
    else:
        text = f"Validée le {when:%d/%m/%Y} par {by_name}."
    return {"validated": True, "text": text, "decision": decision, "meeting": meeting}


def snapshot(data: dict) -> dict:
    """What a generated version showed, in JSON."""
    evaluation = data["evaluation"]
    return {
        "enjeux": [
            {"title": row["enjeu"].title, "verdict": row["verdict_label"], "fiches": row["fiches_count"]}
            for row in data["tree"]
        ],
        "fiches": data["fiches_count"],
        "verdicts": {row["label"]: row["count"] for row in data["verdict_summary"]},
        "unanswered_findings": len(data["unanswered_findings"]),
        "budget": {"planned": data["means"]["budget"]["planned"], "spent": data["means"]["budget"]["spent"]},
        "conclusions": {key: getattr(evaluation, key) for key, _t, _q in QUESTIONS} if evaluation else {},
        "validation": data["validation"]["text"],
    }
