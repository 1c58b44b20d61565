"""The questionnaires in the dossier's « Diagnostic » tab: the list, a questionnaire's page, the builder
(settings, sections, questions, options, conditions), the preview, the distribution (open, close, links),
the paper entry and the right of access. Every member reads the list, a questionnaire and its preview
(`Op.VIEW`); the pilote CAF and the coordination build, distribute, type paper answers and export a
respondent's answers (`Op.MANAGE_DIAGNOSTIC`). Every write goes through `ctg.surveys.services`. An object of
another dossier is not found (404)."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ctg.conventions.frame import ctg_view, dossier_context, posted, run_action, save_form
from ctg.conventions.models import Field
from ctg.datafiles import csv_writer
from ctg.organisations.permissions import Op
from ctg.surveys import answering, services
from ctg.surveys.forms import (
    AccessForm,
    LinkForm,
    LinksGenerateForm,
    OptionForm,
    QuestionFieldForm,
    QuestionForm,
    QuestionnaireForm,
    SectionForm,
)
from ctg.surveys.models import Link, Option, Question, Questionnaire, Section

MANAGE = Op.MANAGE_DIAGNOSTIC


def _questionnaire(ctg, questionnaire_pk) -> Questionnaire:
    questionnaire = Questionnaire.objects.filter(ctg=ctg, pk=questionnaire_pk).select_related("ctg").first()
    if questionnaire is None:
        raise Http404("Aucun questionnaire de ce numéro dans ce dossier.")
    return questionnaire


def _section(questionnaire, section_pk) -> Section:
    section = Section.objects.filter(questionnaire=questionnaire, pk=section_pk).first()
    if section is None:
        raise Http404("Aucune section de ce numéro dans ce questionnaire.")
    return section


def _question(questionnaire, question_pk) -> Question:
    question = (
        Question.objects.filter(questionnaire=questionnaire, pk=question_pk).select_related("section").first()
    )
    if question is None:
        raise Http404("Aucune question de ce numéro dans ce questionnaire.")
    return question


def _option(questionnaire, option_pk) -> Option:
    option = (
        Option.objects.filter(question__questionnaire=questionnaire, pk=option_pk)
        .select_related("question")
        .first()
    )
    if option is None:
        raise Http404("Aucune réponse proposée de ce numéro dans ce questionnaire.")
    return option


def _context(ctg, role, title, questionnaire=None, **extra) -> dict:
    context = dossier_context(ctg, role, "diagnostic", title, diagnostic_nav="surveys", **extra)
    links = context["breadcrumb_data"]["links"]
    if title != "Questionnaires":
        links.append({"url": reverse("surveys:list", args=[ctg.pk]), "title": "Questionnaires"})
    if questionnaire is not None and title != questionnaire.title:
        links.append(
            {"url": reverse("surveys:detail", args=[ctg.pk, questionnaire.pk]), "title": questionnaire.title}
        )
    context["questionnaire"] = questionnaire
    return context


def _form_page(request, ctg, role, form, *, title, questionnaire=None, submit, intro="", status=None):
    context = _context(ctg, role, title, questionnaire, form=form, heading=title, submit=submit, intro=intro)
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render(request, "surveys/form.html", context, status=status)


def _detail(ctg, questionnaire):
    return redirect("surveys:detail", ctg.pk, questionnaire.pk)


def _builder_action(request, ctg, questionnaire, success, service, **arguments):
    """A deletion or a move of the builder (`run_action`: a refusal becomes an error message), then back to
    the questionnaire's page whatever the outcome."""
    run_action(request, success, service, **arguments)
    return _detail(ctg, questionnaire)


def _builder_move(request, ctg, questionnaire, success, service, **arguments):
    """A move up or down (the form's « sens »), through `_builder_action`."""
    return _builder_action(
        request, ctg, questionnaire, success, service, direction=request.POST.get("sens", ""), **arguments
    )


# --- list and questionnaire ----------------------------------------------------------------------------


@ctg_view(Op.VIEW)
def questionnaire_list(request, ctg, role):
    questionnaires = ctg.questionnaires.annotate(
        answered=Count("responses", filter=Q(responses__is_test=False))
    )
    rows = [{"q": q, "responses": q.answered} for q in questionnaires]
    return render(request, "surveys/list.html", _context(ctg, role, "Questionnaires", rows=rows))


@ctg_view(MANAGE, methods=("GET", "POST"))
def questionnaire_create(request, ctg, role):
    form = QuestionnaireForm(posted(request), creating=True)
    saved = save_form(request, form, "Questionnaire créé.", services.questionnaire_create, ctg=ctg)
    if saved:
        return _detail(ctg, saved.result)
    return _form_page(
        request, ctg, role, form, title="Nouveau questionnaire", submit="Créer le questionnaire"
    )


@ctg_view(Op.VIEW)
def questionnaire_detail(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    sections = list(questionnaire.sections.order_by("order", "id"))
    questions = list(
        questionnaire.questions.select_related("condition_question", "condition_option")
        .prefetch_related("options")
        .order_by("section__order", "order", "id")
    )
    by_section = {s.pk: [] for s in sections}
    for question in questions:
        item = {
            "question": question,
            "condition": answering.condition_text(question) if question.condition_question_id else "",
        }
        by_section[question.section_id].append(item)
    context = _context(
        ctg,
        role,
        questionnaire.title,
        questionnaire,
        sections=[{"section": s, "questions": by_section[s.pk]} for s in sections],
        responses=questionnaire.responses.filter(is_test=False).count(),
        test_responses=questionnaire.responses.filter(is_test=True).count(),
        editable=questionnaire.opened_at is None,
        field_choices=Field.choices,
    )
    return render(request, "surveys/detail.html", context)


@ctg_view(MANAGE, methods=("GET", "POST"))
def questionnaire_edit(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    initial = {
        name: getattr(questionnaire, name)
        for name in (
            "title",
            "audience",
            "introduction",
            "privacy_notice",
            "anonymous",
            "retention_months",
            "respondent_type_question",
        )
    }
    form = QuestionnaireForm(
        posted(request), initial=initial, locked=questionnaire.settings_locked, questionnaire=questionnaire
    )
    if save_form(
        request, form, "Questionnaire modifié.", services.questionnaire_update, questionnaire=questionnaire
    ):
        return _detail(ctg, questionnaire)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title="Modifier le questionnaire",
        questionnaire=questionnaire,
        submit="Enregistrer",
    )


@ctg_view(MANAGE, methods=("POST",))
def questionnaire_delete(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    if run_action(
        request, "Questionnaire supprimé.", services.questionnaire_delete, questionnaire=questionnaire
    ):
        return redirect("surveys:list", ctg.pk)
    return _detail(ctg, questionnaire)


@ctg_view(MANAGE, methods=("POST",))
def questionnaire_open(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    run_action(
        request,
        "Questionnaire ouvert : il reçoit les réponses.",
        services.questionnaire_open,
        questionnaire=questionnaire,
    )
    return _detail(ctg, questionnaire)


@ctg_view(MANAGE, methods=("POST",))
def questionnaire_close(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    run_action(
        request,
        "Questionnaire fermé : il ne reçoit plus de réponses.",
        services.questionnaire_close,
        questionnaire=questionnaire,
    )
    return _detail(ctg, questionnaire)


# --- sections ------------------------------------------------------------------------------------------


@ctg_view(MANAGE, methods=("GET", "POST"))
def section_add(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    form = SectionForm(posted(request))
    if save_form(request, form, "Section ajoutée.", services.section_create, questionnaire=questionnaire):
        return _detail(ctg, questionnaire)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title="Nouvelle section",
        questionnaire=questionnaire,
        submit="Ajouter la section",
    )


@ctg_view(MANAGE, methods=("GET", "POST"))
def section_edit(request, ctg, role, questionnaire_pk, section_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    section = _section(questionnaire, section_pk)
    form = SectionForm(posted(request), initial={"title": section.title, "description": section.description})
    if save_form(request, form, "Section modifiée.", services.section_update, section=section):
        return _detail(ctg, questionnaire)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title="Modifier la section",
        questionnaire=questionnaire,
        submit="Enregistrer",
    )


@ctg_view(MANAGE, methods=("POST",))
def section_delete(request, ctg, role, questionnaire_pk, section_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    section = _section(questionnaire, section_pk)
    return _builder_action(
        request, ctg, questionnaire, "Section supprimée.", services.section_delete, section=section
    )


@ctg_view(MANAGE, methods=("POST",))
def section_move(request, ctg, role, questionnaire_pk, section_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    section = _section(questionnaire, section_pk)
    return _builder_move(
        request, ctg, questionnaire, "Section déplacée.", services.section_move, section=section
    )


# --- questions -----------------------------------------------------------------------------------------


@ctg_view(MANAGE, methods=("GET", "POST"))
def question_add(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    if not questionnaire.sections.exists():
        messages.error(request, "Ajoutez d'abord une section.")
        return _detail(ctg, questionnaire)
    initial = {}
    wanted = request.GET.get("section", "")
    if wanted.isdigit():
        initial["section"] = questionnaire.sections.filter(pk=int(wanted)).first()
    form = QuestionForm(posted(request), questionnaire=questionnaire, initial=initial)
    if save_form(request, form, "Question ajoutée.", services.question_create, questionnaire=questionnaire):
        return _detail(ctg, questionnaire)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title="Nouvelle question",
        questionnaire=questionnaire,
        submit="Ajouter la question",
    )


@ctg_view(MANAGE, methods=("GET", "POST"))
def question_edit(request, ctg, role, questionnaire_pk, question_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    question = _question(questionnaire, question_pk)
    initial = {
        name: getattr(question, name)
        for name in (
            "section",
            "kind",
            "label",
            "help",
            "required",
            "field",
            "allow_other",
            "min_value",
            "max_value",
            "min_label",
            "max_label",
            "schedule_days",
            "schedule_slots",
            "condition_question",
            "condition_operator",
            "condition_option",
        )
    }
    form = QuestionForm(posted(request), questionnaire=questionnaire, question=question, initial=initial)
    if save_form(request, form, "Question modifiée.", services.question_update, question=question):
        return _detail(ctg, questionnaire)
    context = _context(
        ctg,
        role,
        "Modifier la question",
        questionnaire,
        form=form,
        question=question,
        options=list(question.options.all()),
        option_form=OptionForm(),
    )
    return render(
        request, "surveys/question_form.html", context, status=400 if request.method == "POST" else 200
    )


@ctg_view(MANAGE, methods=("POST",))
def question_delete(request, ctg, role, questionnaire_pk, question_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    question = _question(questionnaire, question_pk)
    return _builder_action(
        request, ctg, questionnaire, "Question supprimée.", services.question_delete, question=question
    )


@ctg_view(MANAGE, methods=("POST",))
def question_move(request, ctg, role, questionnaire_pk, question_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    question = _question(questionnaire, question_pk)
    return _builder_move(
        request, ctg, questionnaire, "Question déplacée.", services.question_move, question=question
    )


@ctg_view(MANAGE, methods=("POST",))
def question_field(request, ctg, role, questionnaire_pk, question_pk):
    """The CTG field of a question, also once the questionnaire has opened (`services.question_field_set`)."""
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    question = _question(questionnaire, question_pk)
    form = QuestionFieldForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            "Champ de la CTG de la question enregistré.",
            services.question_field_set,
            question=question,
            field=form.cleaned_data["field"],
        )
    else:
        messages.error(request, "Choisissez le champ de la CTG dans la liste.")
    return _detail(ctg, questionnaire)


# --- options -------------------------------------------------------------------------------------------


def _question_page(ctg, questionnaire, question):
    return redirect("surveys:question_edit", ctg.pk, questionnaire.pk, question.pk)


@ctg_view(MANAGE, methods=("POST",))
def option_add(request, ctg, role, questionnaire_pk, question_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    question = _question(questionnaire, question_pk)
    form = OptionForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            "Réponse proposée ajoutée.",
            services.option_create,
            question=question,
            **form.cleaned_data,
        )
    else:
        messages.error(request, "Saisissez le libellé de la réponse proposée (300 caractères au plus).")
    return _question_page(ctg, questionnaire, question)


@ctg_view(MANAGE, methods=("GET", "POST"))
def option_edit(request, ctg, role, questionnaire_pk, option_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    option = _option(questionnaire, option_pk)
    form = OptionForm(posted(request), initial={"label": option.label})
    if save_form(request, form, "Réponse proposée modifiée.", services.option_update, option=option):
        return _question_page(ctg, questionnaire, option.question)
    return _form_page(
        request,
        ctg,
        role,
        form,
        title="Modifier une réponse proposée",
        questionnaire=questionnaire,
        submit="Enregistrer",
    )


@ctg_view(MANAGE, methods=("POST",))
def option_delete(request, ctg, role, questionnaire_pk, option_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    option = _option(questionnaire, option_pk)
    run_action(request, "Réponse proposée retirée.", services.option_delete, option=option)
    return _question_page(ctg, questionnaire, option.question)


@ctg_view(MANAGE, methods=("POST",))
def option_move(request, ctg, role, questionnaire_pk, option_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    option = _option(questionnaire, option_pk)
    run_action(
        request,
        "Réponse proposée déplacée.",
        services.option_move,
        option=option,
        direction=request.POST.get("sens", ""),
    )
    return _question_page(ctg, questionnaire, option.question)


# --- preview and paper entry ---------------------------------------------------------------------------


def _communes(ctg):
    return list(ctg.communes.order_by("name").values_list("code", "name"))


@ctg_view(Op.VIEW)
def preview(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    context = _context(
        ctg,
        role,
        f"Aperçu — {questionnaire.title}",
        questionnaire,
        form_sections=answering.form_sections(questionnaire),
        communes=_communes(ctg),
        fielded=list(
            questionnaire.questions.exclude(field="").order_by("section__order", "section_id", "order", "id")
        ),
    )
    return render(request, "surveys/preview.html", context)


@ctg_view(MANAGE, methods=("GET", "POST"))
def paper_entry(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    errors, form_errors, status = {}, [], 200
    if request.method == "POST":
        try:
            services.response_submit(
                questionnaire=questionnaire,
                actor=request.user,
                data=request.POST,
                paper=True,
                test=True,
                respondent_key=request.POST.get("respondent_key", ""),
            )
        except services.Refused as refused:
            messages.error(request, refused.messages[0])
            return _detail(ctg, questionnaire)
        except ValidationError as error:
            errors = error.message_dict
            form_errors = errors.get("__all__", []) + errors.get("respondent_key", [])
            status = 400
        else:
            messages.success(request, "Questionnaire papier enregistré. Vous pouvez saisir le suivant.")
            return redirect("surveys:paper", ctg.pk, questionnaire.pk)
    context = _context(
        ctg,
        role,
        f"Saisie papier — {questionnaire.title}",
        questionnaire,
        form_sections=answering.form_sections(questionnaire, posted(request), errors),
        form_errors=form_errors,
        communes=_communes(ctg),
        respondent_key=request.POST.get("respondent_key", "") if request.method == "POST" else "",
    )
    return render(request, "surveys/paper.html", context, status=status)


# --- distribution --------------------------------------------------------------------------------------


def _links_page(request, ctg, role, questionnaire, *, link_form=None, generate_form=None, status=200):
    links = list(questionnaire.links.all())
    context = _context(
        ctg,
        role,
        f"Diffusion — {questionnaire.title}",
        questionnaire,
        public_links=[link for link in links if link.kind == Link.Kind.PUBLIC],
        single_links=[link for link in links if link.kind == Link.Kind.SINGLE_USE],
        link_form=link_form or LinkForm(),
        generate_form=generate_form or LinksGenerateForm(),
        site_url=request.build_absolute_uri("/").rstrip("/"),
    )
    return render(request, "surveys/links.html", context, status=status)


@ctg_view(MANAGE)
def links(request, ctg, role, questionnaire_pk):
    return _links_page(request, ctg, role, _questionnaire(ctg, questionnaire_pk))


@ctg_view(MANAGE, methods=("POST",))
def link_add(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    form = LinkForm(request.POST)
    if save_form(request, form, "Lien public créé.", services.link_create, questionnaire=questionnaire):
        return redirect("surveys:links", ctg.pk, questionnaire.pk)
    return _links_page(request, ctg, role, questionnaire, link_form=form, status=400)


@ctg_view(MANAGE, methods=("POST",))
def links_generate(request, ctg, role, questionnaire_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    form = LinksGenerateForm(request.POST)
    if save_form(
        request, form, "Liens à usage unique créés.", services.links_generate, questionnaire=questionnaire
    ):
        return redirect("surveys:links", ctg.pk, questionnaire.pk)
    return _links_page(request, ctg, role, questionnaire, generate_form=form, status=400)


@ctg_view(MANAGE, methods=("POST",))
def link_deactivate(request, ctg, role, questionnaire_pk, link_pk):
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    link = Link.objects.filter(questionnaire=questionnaire, pk=link_pk).first()
    if link is None:
        raise Http404("Aucun lien de ce numéro dans ce questionnaire.")
    run_action(request, "Lien désactivé.", services.link_deactivate, link=link)
    return redirect("surveys:links", ctg.pk, questionnaire.pk)


# --- right of access -----------------------------------------------------------------------------------


@ctg_view(MANAGE, methods=("GET", "POST"))
def respondent_access(request, ctg, role, questionnaire_pk):
    """The answers of one respondent (a non-anonymous questionnaire), as CSV or JSON."""
    questionnaire = _questionnaire(ctg, questionnaire_pk)
    form = AccessForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if questionnaire.anonymous:
            form.add_error(
                None, "Ce questionnaire est anonyme : aucune réponse n'est rattachée à une personne."
            )
        elif form.is_valid():
            rows = services.respondent_answers(
                questionnaire=questionnaire, respondent_key=form.cleaned_data["respondent_key"]
            )
            if not rows:
                form.add_error("respondent_key", "Aucune réponse n'a été donnée avec cette adresse.")
            else:
                return _access_file(questionnaire, rows, form.cleaned_data["format"])
    context = _context(ctg, role, f"Droit d'accès — {questionnaire.title}", questionnaire, form=form)
    return render(request, "surveys/access.html", context, status=status)


def _access_file(questionnaire, rows, kind):
    name = f"questionnaire-{questionnaire.pk}-reponses-personne"
    if kind == "json":
        response = HttpResponse(
            json.dumps(
                {"questionnaire": questionnaire.title, "reponses": rows}, ensure_ascii=False, indent=2
            ),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")
    writer = csv_writer(response)
    writer.writerow(["Réponse n°", "Envoyée le", "Canal", "Question", "Réponse"])
    for row in rows:
        writer.writerow(
            [row["response"], row["submitted_at"], row["channel"], row["question"], row["answer"]]
        )
    return response
