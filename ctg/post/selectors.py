"""Reads of the coordinator posts for the post page and the pages above this app (the CAF's dashboard,
issue 14): where each year's funding convention stands (`ctg.post.stages`), and the generated documents of a
year's convention, which ctg.documents (above this app) lists through `register_convention_documents`."""

from collections.abc import Callable

from django.db.models import Prefetch

from ctg.evaluation.bilan import euros
from ctg.post import stages
from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding

_documents: list[Callable] = []


def register_convention_documents(reader: Callable) -> None:
    """ctg.documents registers `reader(fundings) -> {funding id: [{"number", "generated_at", "generated_by",
    "docx_url", "pdf_url"}, …]}` (newest first) in its AppConfig.ready: the post page lists the versions
    without importing an app above it."""
    if reader not in _documents:
        _documents.append(reader)


def convention_documents(fundings) -> dict[int, list[dict]]:
    result: dict[int, list[dict]] = {}
    fundings = [f for f in fundings if f is not None and f.pk]
    if not fundings:
        return result
    for reader in _documents:
        for key, rows in reader(fundings).items():
            result.setdefault(key, []).extend(rows)
    return result


def _report_dates(report: ActivityReport | None):
    if report is None:
        return "", None, None
    return report.status, report.sent_at, report.accepted_at


def year_stage(year: int, funding: PostFunding | None, report: ActivityReport | None) -> stages.Stage:
    status, sent_at, accepted_at = _report_dates(report)
    return stages.stage_of(year, funding, status, sent_at, accepted_at)


def post_conventions(post: CoordinatorPost, years: list[int]) -> list[dict]:
    """Per year of `years`: the funding line, the year's report, the stage, the steps done and the generated
    documents of the convention."""
    fundings = {f.year: f for f in post.fundings.select_related("requested_by")}
    reports = {r.year: r for r in post.reports.all()}
    documents = convention_documents(fundings.values())
    rows = []
    for year in years:
        funding, report = fundings.get(year), reports.get(year)
        stage = year_stage(year, funding, report)
        done = stages.steps_done(funding, report.status if report else "")
        rows.append(
            {
                "year": year,
                "funding": funding,
                "report": report,
                "stage": stage,
                "steps": [{"code": code, "label": label, "done": done[code]} for code, label in stages.STEPS],
                "documents": documents.get(funding.pk, []) if funding else [],
                "texts": _texts(funding),
            }
        )
    return rows


def _person(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else "—"


def _texts(funding: PostFunding | None) -> dict:
    if funding is None:
        return {}

    def money(value):
        return euros(value) if value is not None else "—"

    return {
        "requested": money(funding.amount_requested),
        "requested_by": _person(funding.requested_by),
        "agreed": money(funding.amount_agreed),
        "advance": money(funding.advance_paid),
        "balance": money(funding.balance_paid),
        "rate": f"{funding.advance_rate} %" if funding.advance_rate is not None else "non précisé",
    }


def funding_convention_stages(ctgs, year: int) -> dict[int, list[dict]]:
    """Where each post of `ctgs` stands in its yearly funding convention for `year`, by dossier id: a list of
    {"post": CoordinatorPost, "stage": code, "stage_label": French label, "next_step": French text,
    "due": date | None}. A dossier without a post is absent. (Contract of the dashboard.)

    `ctgs`: a queryset or an iterable of dossiers (or their ids). Three queries whatever their number. A post
    that does not cover `year` (started after it, ended before it) is given with the stage « Hors période du
    poste » and no next step."""
    ids = [getattr(ctg, "pk", ctg) for ctg in ctgs]
    posts = (
        CoordinatorPost.objects.filter(ctg_id__in=ids)
        .select_related("ctg", "employer")
        .prefetch_related(
            Prefetch("fundings", queryset=PostFunding.objects.filter(year=year), to_attr="year_fundings"),
            Prefetch("reports", queryset=ActivityReport.objects.filter(year=year), to_attr="year_reports"),
        )
    )
    result: dict[int, list[dict]] = {}
    for post in posts:
        funding = post.year_fundings[0] if post.year_fundings else None
        report = post.year_reports[0] if post.year_reports else None
        covered = post.start_date.year <= year and (post.end_date is None or post.end_date.year >= year)
        covered = covered and post.ctg.start_year <= year <= post.ctg.end_year
        if funding is None and not covered:
            entry = {
                "post": post,
                "stage": "hors_periode",
                "stage_label": "Hors période du poste",
                "next_step": f"Aucune convention de financement n'est attendue pour {year}.",
                "due": None,
            }
        else:
            stage = year_stage(year, funding, report)
            next_step = stage.next_step
            if stage.actor:
                next_step = f"{next_step} (à faire par {stage.actor_label})"
            entry = {
                "post": post,
                "stage": stage.code,
                "stage_label": stage.label,
                "next_step": next_step,
                "due": stage.due,
            }
        result.setdefault(post.ctg_id, []).append(entry)
    return result
