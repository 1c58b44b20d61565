"""The results of a questionnaire (`/diagnostic/ctg/<pk>/questionnaires/<questionnaire_pk>/resultats/`).

- Every member reads the results page and downloads the aggregate (`Op.VIEW`); outside the coordination
  (`Op.MANAGE_DIAGNOSTIC`: pilote CAF, coordination) every group of fewer than 5 respondents reads « < 5 »
  (`ctg.surveys.results`), and the free texts are not shown.
- The coordination reads every count, the free texts (and tags them: `ctg.surveys.tags.answer_tags_set`,
  history `Action.SURVEY_ANSWERS`) and downloads the raw answers with their codebook (CSV zip, xlsx).
- An object of another questionnaire or dossier is not found (404).
"""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ctg.conventions.frame import ctg_view, run_action
from ctg.organisations.permissions import Op, role_allows
from ctg.surveys import exports, results, tags
from ctg.surveys.views import _context, _questionnaire

MANAGE = Op.MANAGE_DIAGNOSTIC


def _full(role) -> bool:
    return role_allows(role, MANAGE)


def _file_name(questionnaire, suffix: str) -> str:
    return f"questionnaire-{questionnaire.pk}-{suffix}"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _crosstab(request, questionnaire, questions, full):
    """The cross-tab asked in the query (`question`, `par`), or None."""
    candidates = {str(q.pk): q for q in results.crossable(questions)}
    chosen = request.GET.get("question", "")
    variable = request.GET.get("par", "")
    if chosen not in candidates or variable not in results.VARIABLES:
        return None, candidates, chosen, variable
    return (
        results.crosstab(questionnaire, candidates[chosen], variable, full=full),
        candidates,
        chosen,
        variable,
    )


@ctg_view(Op.VIEW)
def results_page(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    full = _full(role)
    computed = results.compute(questionnaire, full=full)
    table, candidates, chosen, variable = _crosstab(
        request, questionnaire, [item.question for item in computed.questions], full
    )
    context = _context(
        ctg,
        role,
        f"Résultats — {questionnaire.title}",
        questionnaire,
        results=computed,
        respondents=results.respondents_label(computed.respondents, full),
        full=full,
        crosstab=table,
        crossable=list(candidates.values()),
        chosen=chosen,
        variable=variable,
        variables=list(results.VARIABLES.items()),
        mask=results.MASK,
    )
    return render(request, "surveys/results.html", context)


@ctg_view(MANAGE)
def results_texts(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    computed = results.compute(questionnaire, full=True)
    wanted = request.GET.get("etiquette", "").strip().lower()
    blocks = []
    counts: dict[str, int] = {}
    for item in computed.questions:
        for text in item.texts:
            for label in text.tags:
                counts[label] = counts.get(label, 0) + 1
        texts = [t for t in item.texts if not wanted or wanted in t.tags]
        if texts:
            blocks.append({"item": item, "texts": texts})
    context = _context(
        ctg,
        role,
        f"Réponses libres — {questionnaire.title}",
        questionnaire,
        blocks=blocks,
        tag_counts=sorted(counts.items()),
        wanted=wanted,
        max_tags=tags.MAX_TAGS,
    )
    return render(request, "surveys/results_texts.html", context)


@ctg_view(MANAGE, methods=("POST",))
def answer_tags(request, ctg, role, questionnaire_pk, answer_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    if not tags.taggable_answers(questionnaire).filter(pk=answer_pk).exists():
        raise Http404("Aucune réponse libre de ce numéro dans ce questionnaire.")
    run_action(
        request,
        "Étiquettes enregistrées.",
        tags.answer_tags_set,
        questionnaire=questionnaire,
        answer_id=answer_pk,
        tags=request.POST.get("tags", ""),
    )
    url = reverse("surveys:results_texts", args=[ctg.pk, questionnaire.pk])
    wanted = request.POST.get("etiquette", "").strip()
    if wanted:
        url += "?" + urlencode({"etiquette": wanted})
    return redirect(f"{url}#reponse-{answer_pk}")


@ctg_view(MANAGE)
def export_csv(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    return _download(
        exports.raw_zip(questionnaire), "application/zip", _file_name(questionnaire, "reponses-csv.zip")
    )


@ctg_view(MANAGE)
def export_xlsx(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    return _download(
        exports.raw_xlsx(questionnaire),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _file_name(questionnaire, "reponses.xlsx"),
    )


@ctg_view(Op.VIEW)
def export_aggregate(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    computed = results.compute(questionnaire, full=_full(role))
    return _download(
        exports.aggregate_csv(computed), "text/csv; charset=utf-8", _file_name(questionnaire, "synthese.csv")
    )
