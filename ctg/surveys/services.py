"""Every write of the questionnaires: the builder (questionnaire, sections, questions, options), the
distribution (open, close, links), the answers (public form, test answers, paper entry) and the RGPD purge.

Contract
--------
- Keyword-only, atomic; each service validates, then writes, and raises `ValidationError` (French messages)
  without writing anything when it refuses.
- The builder's changes are recorded in the dossier's history (`Action.SURVEY`, `Action.SURVEY_LINK`) through
  `ctg.core.history`. A public answer writes no history line (the history would list every inhabitant's
  visit); a paper entry and a purge do (`Action.SURVEY_ANSWERS`).
- The structure (sections, questions, options, conditions) changes only while the questionnaire has never
  been opened: the answers already given would not match it any more. `anonymous` and `retention_months`
  are locked from the first opening too.
- `response_submit` is the single path of an answer, for the public form, the test answers and the paper
  entry alike: the questionnaire must be open (or, for a test answer, a draft), the link active and, when
  single-use, unused (a replay is refused even when two submissions race: the link is marked used by a
  conditional UPDATE), the answers must pass `ctg.surveys.rules.check_answers`, and an address (its keyed
  hash only) may not submit more than `CTG_SURVEY_MAX_PER_HOUR` answers an hour to one questionnaire.
- `purge_answers` deletes the responses of every questionnaire closed more than `retention_months` ago.
"""

import calendar
import datetime
import hashlib
import hmac
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ctg.conventions.models import Field
from ctg.core.history import history_record, register_labels, tracked_update
from ctg.core.models import Action
from ctg.surveys import rules
from ctg.surveys.models import (
    CHOICE_KINDS,
    DEFAULT_PRIVACY_NOTICE,
    PAPER_CHANNEL,
    Answer,
    Audience,
    Link,
    Option,
    Question,
    Questionnaire,
    Response,
    Section,
    SubmissionMark,
)
from ctg.territories.models import Commune
from ctg.text import clean_text

QUESTIONNAIRE_FIELDS = {
    "title": "titre",
    "audience": "public visé",
    "introduction": "introduction",
    "privacy_notice": "mentions d'information",
    "anonymous": "anonyme",
    "retention_months": "durée de conservation (mois)",
    "status": "statut",
    "respondent_type_question": "question qui donne le type de répondant",
}
QUESTION_FIELDS = {
    "label": "intitulé",
    "kind": "type",
    "help": "aide",
    "required": "obligatoire",
    "field": "champ de la CTG",
    "allow_other": "« Autre (préciser) »",
    "min_value": "minimum",
    "max_value": "maximum",
    "min_label": "libellé du minimum",
    "max_label": "libellé du maximum",
    "schedule_days": "jours de la grille",
    "schedule_slots": "créneaux de la grille",
    "condition_question": "affichée selon la question",
    "condition_operator": "condition",
    "condition_option": "réponse attendue",
    "section": "section",
}
register_labels(
    Action.SURVEY,
    {
        **QUESTIONNAIRE_FIELDS,
        **QUESTION_FIELDS,
        "section_title": "section",
        "option": "option",
        "order": "ordre",
    },
)
register_labels(
    Action.SURVEY_LINK, {"channel": "canal", "kind": "type de lien", "is_active": "actif", "count": "nombre"}
)
register_labels(Action.SURVEY_ANSWERS, {"responses": "réponses", "channel": "canal"})

RETENTION_MAX = 60
RESPONDENT_TYPE_USED = (
    "Cette question donne le type de répondant du questionnaire : choisissez-en une autre (ou aucune) dans "
    "ses paramètres d'abord."
)
LINKS_AT_ONCE_MAX = 200
TITLE_MAX = 200


def _text(value, *, name: str, label: str, required: bool = False, max_length: int = 500, multiline=False):
    text = clean_text(value or "", multiline=multiline).strip()
    if required and not text:
        raise ValidationError({name: f"{label} : à renseigner."})
    if len(text) > max_length:
        raise ValidationError({name: f"{label} : {max_length} caractères au plus."})
    return text


# --- structure for the rules ---------------------------------------------------------------------------


def structure_of(questionnaire: Questionnaire) -> rules.Structure:
    """The questionnaire as the rules read it: its questions in order, their options, the dossier's
    communes."""
    questions = list(
        questionnaire.questions.select_related("section")
        .prefetch_related("options")
        .order_by("section__order", "section_id", "order", "id")
    )
    specs = tuple(
        rules.QuestionRule(
            id=q.pk,
            kind=q.kind,
            label=q.label,
            required=q.required,
            allow_other=q.allow_other and q.kind in ("choix_unique", "choix_multiple"),
            options=tuple(o.pk for o in q.options.all()),
            min_value=q.min_value,
            max_value=q.max_value,
            schedule_days=q.schedule_days,
            schedule_slots=q.schedule_slots,
            condition_question=q.condition_question_id,
            condition_operator=q.condition_operator,
            condition_option=q.condition_option_id,
        )
        for q in questions
    )
    communes = frozenset(questionnaire.ctg.communes.values_list("code", flat=True))
    return rules.Structure(questions=specs, communes=communes)


def ordered_question_ids(questionnaire) -> list[int]:
    return list(
        questionnaire.questions.order_by("section__order", "section_id", "order", "id").values_list(
            "pk", flat=True
        )
    )


# --- the questionnaire ---------------------------------------------------------------------------------


def _questionnaire_values(values: dict, *, locked: bool, questionnaire=None) -> dict:
    cleaned = {}
    if "title" in values:
        cleaned["title"] = _text(
            values["title"], name="title", label="Titre", required=True, max_length=TITLE_MAX
        )
    if "audience" in values:
        if values["audience"] not in Audience.values:
            raise ValidationError({"audience": "Choisissez le public visé dans la liste."})
        cleaned["audience"] = values["audience"]
    if "introduction" in values:
        cleaned["introduction"] = _text(
            values["introduction"], name="introduction", label="Introduction", max_length=5000, multiline=True
        )
    if "privacy_notice" in values:
        cleaned["privacy_notice"] = _text(
            values["privacy_notice"],
            name="privacy_notice",
            label="Mentions d'information",
            required=True,
            max_length=10000,
            multiline=True,
        )
    if "retention_months" in values:
        months = values["retention_months"]
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= RETENTION_MAX:
            raise ValidationError(
                {"retention_months": f"La durée de conservation va de 1 à {RETENTION_MAX} mois."}
            )
        cleaned["retention_months"] = months
    if "anonymous" in values:
        cleaned["anonymous"] = bool(values["anonymous"])
    if "respondent_type_question" in values:
        cleaned["respondent_type_question"] = _respondent_type_question(
            questionnaire, values["respondent_type_question"]
        )
    if locked and questionnaire is not None:
        for name in ("anonymous", "retention_months"):
            if name in cleaned and cleaned[name] != getattr(questionnaire, name):
                raise ValidationError(
                    {
                        name: "Le questionnaire a été ouvert : l'anonymat et la durée de conservation "
                        "ne changent plus."
                    }
                )
        chosen = cleaned.get("respondent_type_question", questionnaire.respondent_type_question)
        if getattr(chosen, "pk", None) != questionnaire.respondent_type_question_id:
            raise ValidationError(
                {
                    "respondent_type_question": "Le questionnaire a été ouvert : la question qui donne le "
                    "type de répondant ne change plus."
                }
            )
    return cleaned


def _respondent_type_question(questionnaire, value):
    """None, or a choix unique of this questionnaire (an instance or its id); refused otherwise."""
    if value in (None, ""):
        return None
    if questionnaire is None:
        raise ValidationError(
            {"respondent_type_question": "Ajoutez d'abord la question au questionnaire, puis choisissez-la."}
        )
    pk = getattr(value, "pk", value)
    question = None
    if isinstance(pk, int) and not isinstance(pk, bool) or (isinstance(pk, str) and pk.isdigit()):
        question = Question.objects.filter(pk=int(pk)).first()
    if question is None or question.questionnaire_id != questionnaire.pk:
        raise ValidationError(
            {
                "respondent_type_question": "Choisissez une question de ce questionnaire pour le type de "
                "répondant."
            }
        )
    if question.kind != Question.Kind.SINGLE_CHOICE:
        raise ValidationError(
            {
                "respondent_type_question": "Le type de répondant se lit dans une question à choix unique "
                "(par exemple « Vous êtes : parent, jeune, professionnel, élu »)."
            }
        )
    return question


@transaction.atomic
def questionnaire_create(
    *,
    ctg,
    actor,
    title,
    audience,
    introduction="",
    privacy_notice=None,
    anonymous=True,
    retention_months=12,
    is_fictitious=False,
) -> Questionnaire:
    values = {
        "title": title,
        "audience": audience,
        "introduction": introduction,
        "anonymous": anonymous,
        "retention_months": retention_months,
    }
    if privacy_notice is not None and str(privacy_notice).strip():
        values["privacy_notice"] = privacy_notice
    cleaned = _questionnaire_values(values, locked=False)
    cleaned.setdefault("privacy_notice", DEFAULT_PRIVACY_NOTICE.format(retention=cleaned["retention_months"]))
    questionnaire = Questionnaire.objects.create(
        ctg=ctg, created_by=_person(actor), updated_by=_person(actor), is_fictitious=is_fictitious, **cleaned
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Questionnaire créé : {questionnaire.title}",
        changes={"title": ["", questionnaire.title], "audience": ["", questionnaire.get_audience_display()]},
        item=questionnaire,
    )
    return questionnaire


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _locked(questionnaire_pk) -> Questionnaire:
    return Questionnaire.objects.select_for_update().select_related("ctg").get(pk=questionnaire_pk)


@transaction.atomic
def questionnaire_update(*, questionnaire, actor, **values) -> Questionnaire:
    """Settings of the questionnaire; `anonymous` and `retention_months` are refused once it has opened."""
    questionnaire = _locked(questionnaire.pk)
    cleaned = _questionnaire_values(values, locked=questionnaire.settings_locked, questionnaire=questionnaire)
    tracked_update(
        questionnaire,
        actor=actor,
        ctg=questionnaire.ctg,
        values=cleaned,
        action=Action.SURVEY,
        summary=f"Questionnaire modifié : {questionnaire.title}",
    )
    return questionnaire


@transaction.atomic
def questionnaire_delete(*, questionnaire, actor) -> None:
    questionnaire = _locked(questionnaire.pk)
    if questionnaire.opened_at is not None:
        raise ValidationError("Un questionnaire qui a été ouvert ne se supprime pas : fermez-le.")
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Questionnaire supprimé : {questionnaire.title}",
        changes={"title": [questionnaire.title, ""]},
    )
    questionnaire.delete()


@transaction.atomic
def questionnaire_open(*, questionnaire, actor) -> Questionnaire:
    """Draft or closed → open. At the first opening the test answers are deleted and the settings lock."""
    questionnaire = _locked(questionnaire.pk)
    if questionnaire.status == Questionnaire.Status.OPEN:
        raise ValidationError("Le questionnaire est déjà ouvert.")
    if not questionnaire.questions.exists():
        raise ValidationError("Ajoutez au moins une question avant d'ouvrir le questionnaire.")
    before = questionnaire.get_status_display()
    purged = 0
    if questionnaire.opened_at is None:
        purged = questionnaire.responses.filter(is_test=True).count()
        questionnaire.responses.filter(is_test=True).delete()
        questionnaire.opened_at = timezone.now()
    questionnaire.status = Questionnaire.Status.OPEN
    questionnaire.closed_at = None
    questionnaire.updated_by = _person(actor)
    questionnaire.save()
    summary = f"Questionnaire ouvert : {questionnaire.title}"
    if purged:
        summary += f" ({purged} réponse(s) de test supprimée(s))"
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=summary,
        changes={"status": [before, questionnaire.get_status_display()]},
        item=questionnaire,
    )
    return questionnaire


@transaction.atomic
def questionnaire_close(*, questionnaire, actor) -> Questionnaire:
    questionnaire = _locked(questionnaire.pk)
    if questionnaire.status != Questionnaire.Status.OPEN:
        raise ValidationError("Seul un questionnaire ouvert peut être fermé.")
    questionnaire.status = Questionnaire.Status.CLOSED
    questionnaire.closed_at = timezone.now()
    questionnaire.updated_by = _person(actor)
    questionnaire.save()
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Questionnaire fermé : {questionnaire.title}",
        changes={"status": ["Ouvert", "Fermé"]},
        item=questionnaire,
    )
    return questionnaire


# --- sections ------------------------------------------------------------------------------------------


def _editable(questionnaire_pk) -> Questionnaire:
    questionnaire = _locked(questionnaire_pk)
    if questionnaire.opened_at is not None:
        raise ValidationError(
            "Le questionnaire a été ouvert : ses questions ne changent plus (les réponses reçues n'y "
            "correspondraient plus). Créez-en un nouveau au besoin."
        )
    return questionnaire


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


@transaction.atomic
def section_create(*, questionnaire, actor, title, description="") -> Section:
    questionnaire = _editable(questionnaire.pk)
    title = _text(title, name="title", label="Titre de la section", required=True, max_length=200)
    description = _text(description, name="description", label="Description", max_length=2000, multiline=True)
    section = Section.objects.create(
        questionnaire=questionnaire,
        title=title,
        description=description,
        order=_next_order(questionnaire.sections.all()),
    )
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Section ajoutée au questionnaire « {questionnaire.title} » : {title}",
        changes={"section_title": ["", title]},
        item=questionnaire,
    )
    return section


@transaction.atomic
def section_update(*, section, actor, title, description="") -> Section:
    questionnaire = _editable(section.questionnaire_id)
    values = {
        "title": _text(title, name="title", label="Titre de la section", required=True, max_length=200),
        "description": _text(
            description, name="description", label="Description", max_length=2000, multiline=True
        ),
    }
    tracked_update(
        section,
        actor=actor,
        ctg=questionnaire.ctg,
        values=values,
        action=Action.SURVEY,
        summary=f"Section modifiée dans « {questionnaire.title} » : {values['title']}",
        item=questionnaire,
    )
    return section


def _used_by_conditions(questions) -> list[Question]:
    ids = [q.pk for q in questions]
    return list(Question.objects.filter(condition_question_id__in=ids).exclude(pk__in=ids))


@transaction.atomic
def section_delete(*, section, actor) -> None:
    questionnaire = _editable(section.questionnaire_id)
    questions = list(section.questions.all())
    if questionnaire.respondent_type_question_id in {q.pk for q in questions}:
        raise ValidationError(RESPONDENT_TYPE_USED)
    users = _used_by_conditions(questions)
    if users:
        raise ValidationError(
            f"La section contient une question dont dépend l'affichage de « {users[0].label} » : retirez "
            "d'abord cette condition."
        )
    Question.objects.filter(pk__in=[q.pk for q in questions]).update(
        condition_question=None, condition_option=None
    )
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Section supprimée du questionnaire « {questionnaire.title} » : {section.title}",
        changes={"section_title": [section.title, ""]},
        item=questionnaire,
    )
    section.delete()


def _conditions_in_order(questionnaire) -> None:
    """After a move: every condition still points at an earlier question, else refused."""
    order = ordered_question_ids(questionnaire)
    position = {pk: i for i, pk in enumerate(order)}
    for question in questionnaire.questions.exclude(condition_question=None):
        if position[question.condition_question_id] >= position[question.pk]:
            raise ValidationError(
                f"« {question.label} » dépend d'une question qui doit rester avant elle : déplacement refusé."
            )


def _swap(item, siblings, direction: str) -> bool:
    items = list(siblings.order_by("order", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ValidationError("Sens de déplacement inconnu.")
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        if other.order != position:
            type(other).objects.filter(pk=other.pk).update(order=position)
    return True


@transaction.atomic
def section_move(*, section, actor, direction) -> None:
    questionnaire = _editable(section.questionnaire_id)
    if _swap(section, questionnaire.sections.all(), direction):
        _conditions_in_order(questionnaire)
        history_record(
            ctg=questionnaire.ctg,
            actor=actor,
            action=Action.SURVEY,
            summary=f"Section déplacée dans « {questionnaire.title} » : {section.title}",
            item=questionnaire,
        )


# --- questions -----------------------------------------------------------------------------------------


def _decimal(value, *, name, label):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise ValidationError({name: f"{label} : un nombre."}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValidationError({name: f"{label} : un nombre."})
    return number.quantize(Decimal("0.01"))


def _question_values(questionnaire, values: dict, *, question=None) -> dict:
    cleaned = {}
    kind = values.get("kind", question.kind if question else None)
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": "Choisissez le type de question dans la liste."})
    cleaned["kind"] = kind
    section = values.get("section", question.section if question else None)
    if section is None or section.questionnaire_id != questionnaire.pk:
        raise ValidationError({"section": "Choisissez une section de ce questionnaire."})
    cleaned["section"] = section
    cleaned["label"] = _text(
        values.get("label"), name="label", label="Intitulé", required=True, max_length=500
    )
    cleaned["help"] = _text(values.get("help"), name="help", label="Aide", max_length=500)
    cleaned["required"] = bool(values.get("required"))
    cleaned["field"] = _field(values.get("field", question.field if question is not None else ""))
    cleaned["allow_other"] = bool(values.get("allow_other")) and kind in ("choix_unique", "choix_multiple")
    low = _decimal(values.get("min_value"), name="min_value", label="Minimum")
    high = _decimal(values.get("max_value"), name="max_value", label="Maximum")
    if kind == "echelle":
        low = low if low is not None else 1
        high = high if high is not None else 5
        if low != int(low) or high != int(high) or not 0 <= low < high or high - low > 10:
            raise ValidationError(
                {"max_value": "Une échelle va d'un entier à un autre plus grand, 11 niveaux au plus."}
            )
    elif kind != "nombre":
        low = high = None
    if low is not None and high is not None and low > high:
        raise ValidationError({"max_value": "Le maximum doit être supérieur au minimum."})
    cleaned["min_value"], cleaned["max_value"] = low, high
    scale = kind == "echelle"
    cleaned["min_label"] = (
        _text(values.get("min_label"), name="min_label", label="Libellé du minimum", max_length=100)
        if scale
        else ""
    )
    cleaned["max_label"] = (
        _text(values.get("max_label"), name="max_label", label="Libellé du maximum", max_length=100)
        if scale
        else ""
    )
    days = values.get("schedule_days") or Question.ScheduleDays.WEEKDAYS
    slots = values.get("schedule_slots") or Question.ScheduleSlots.HALF_DAYS
    if days not in Question.ScheduleDays.values or slots not in Question.ScheduleSlots.values:
        raise ValidationError({"schedule_days": "Choisissez les jours et les créneaux dans la liste."})
    cleaned["schedule_days"], cleaned["schedule_slots"] = days, slots
    source = values.get("condition_question")
    operator = values.get("condition_operator") or ""
    option = values.get("condition_option")
    if source is None:
        cleaned.update(condition_question=None, condition_operator="", condition_option=None)
    else:
        if source.questionnaire_id != questionnaire.pk:
            raise ValidationError(
                {"condition_question": "La question de la condition n'est pas de ce questionnaire."}
            )
        order = ordered_question_ids(questionnaire)
        if question is not None:
            # The question's position once saved (its section may change): compared with the source's.
            order = [pk for pk in order if pk != question.pk]
            position = _position_after(questionnaire, section, question, order)
            order.insert(position, question.pk)
        problems = rules.condition_problems(
            order=order,
            question_id=question.pk if question is not None else None,
            source_id=source.pk,
            operator=operator,
            option_id=option.pk if option is not None else None,
            source_kind=source.kind,
        )
        if question is None and not problems:
            # A new question goes at the end of its section: the source must be before that place.
            source_section = source.section
            if (source_section.order, source_section.pk) > (section.order, section.pk):
                problems = ["Une condition ne peut porter que sur une question placée avant celle-ci."]
        if problems:
            raise ValidationError({"condition_question": problems})
        if operator in ("est", "n_est_pas"):
            if option is None or option.question_id != source.pk:
                raise ValidationError(
                    {"condition_option": "Choisissez une réponse de la question de la condition."}
                )
        else:
            option = None
        cleaned.update(condition_question=source, condition_operator=operator, condition_option=option)
    return cleaned


def _field(value) -> str:
    """A CTG field (`conventions.Field`) or « » for none."""
    value = value or ""
    if value and value not in Field.values:
        raise ValidationError({"field": "Choisissez le champ de la CTG dans la liste."})
    return value


def _position_after(questionnaire, section, question, order_without) -> int:
    """Where the question stands in questionnaire order once in `section` (at its place if it stays, last of
    the section if it moves there)."""
    keyed = {
        q.pk: (q.section.order, q.section_id, q.order, q.pk)
        for q in questionnaire.questions.select_related("section")
    }
    if question.section_id == section.pk:
        mine = (section.order, section.pk, question.order, question.pk)
    else:
        mine = (section.order, section.pk, 10**9, question.pk)
    return sum(1 for pk in order_without if keyed[pk] < mine)


def _options_from_text(text) -> list[str]:
    labels = []
    for line in clean_text(text or "", multiline=True).splitlines():
        label = line.strip()
        if label and label not in labels:
            if len(label) > 300:
                raise ValidationError({"options": "Une réponse proposée fait 300 caractères au plus."})
            labels.append(label)
    if len(labels) > 50:
        raise ValidationError({"options": "50 réponses proposées au plus."})
    return labels


@transaction.atomic
def question_create(*, questionnaire, actor, options_text="", **values) -> Question:
    """A question at the end of its section; for a choice or ranking question, `options_text` gives its
    options, one a line."""
    questionnaire = _editable(questionnaire.pk)
    cleaned = _question_values(questionnaire, values)
    labels = _options_from_text(options_text) if cleaned["kind"] in CHOICE_KINDS else []
    if cleaned["kind"] in CHOICE_KINDS and len(labels) < 2:
        raise ValidationError({"options": "Proposez au moins deux réponses, une par ligne."})
    question = Question.objects.create(
        questionnaire=questionnaire, order=_next_order(cleaned["section"].questions.all()), **cleaned
    )
    Option.objects.bulk_create(
        Option(question=question, order=i, label=label, code=f"o{i}")
        for i, label in enumerate(labels, start=1)
    )
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Question ajoutée au questionnaire « {questionnaire.title} » : {question.label}",
        changes={"label": ["", question.label], "kind": ["", question.get_kind_display()]},
        item=questionnaire,
    )
    return question


@transaction.atomic
def question_update(*, question, actor, **values) -> Question:
    """Refused when the question's kind changes while a condition depends on it (the condition would not
    mean the same)."""
    questionnaire = _editable(question.questionnaire_id)
    question = Question.objects.select_related("section").get(pk=question.pk)
    values.pop("options_text", None)
    cleaned = _question_values(questionnaire, values, question=question)
    if questionnaire.respondent_type_question_id == question.pk and cleaned["kind"] != question.kind:
        raise ValidationError({"kind": RESPONDENT_TYPE_USED})
    dependents = list(question.dependents.all())
    if dependents and cleaned["kind"] != question.kind:
        raise ValidationError(
            {
                "kind": f"L'affichage de « {dependents[0].label} » dépend de cette question : "
                "son type ne change pas."
            }
        )
    if cleaned["kind"] not in CHOICE_KINDS and question.kind in CHOICE_KINDS:
        question.options.all().delete()
    moved = cleaned["section"].pk != question.section_id
    if moved:
        cleaned["order"] = _next_order(cleaned["section"].questions.all())
    tracked_update(
        question,
        actor=actor,
        ctg=questionnaire.ctg,
        values=cleaned,
        action=Action.SURVEY,
        summary=f"Question modifiée dans « {questionnaire.title} » : {cleaned['label']}",
        item=questionnaire,
    )
    if moved:
        _conditions_in_order(questionnaire)
    return question


@transaction.atomic
def question_field_set(*, question, actor, field) -> Question:
    """The CTG field a question bears on, in any status: it says where the question's results go in the
    diagnostic document and changes no answer, so it stays editable once the questionnaire has opened."""
    questionnaire = _locked(question.questionnaire_id)
    question = Question.objects.get(pk=question.pk)
    tracked_update(
        question,
        actor=actor,
        ctg=questionnaire.ctg,
        values={"field": _field(field)},
        action=Action.SURVEY,
        summary=f"Champ de la CTG de la question modifié dans « {questionnaire.title} » : {question.label}",
        item=questionnaire,
    )
    return question


@transaction.atomic
def question_delete(*, question, actor) -> None:
    questionnaire = _editable(question.questionnaire_id)
    if questionnaire.respondent_type_question_id == question.pk:
        raise ValidationError(RESPONDENT_TYPE_USED)
    dependents = list(question.dependents.all())
    if dependents:
        raise ValidationError(
            f"L'affichage de « {dependents[0].label} » dépend de cette question : retirez d'abord cette "
            "condition."
        )
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Question supprimée du questionnaire « {questionnaire.title} » : {question.label}",
        changes={"label": [question.label, ""]},
        item=questionnaire,
    )
    question.delete()


@transaction.atomic
def question_move(*, question, actor, direction) -> None:
    questionnaire = _editable(question.questionnaire_id)
    if _swap(question, question.section.questions.all(), direction):
        _conditions_in_order(questionnaire)
        history_record(
            ctg=questionnaire.ctg,
            actor=actor,
            action=Action.SURVEY,
            summary=f"Question déplacée dans « {questionnaire.title} » : {question.label}",
            item=questionnaire,
        )


# --- options -------------------------------------------------------------------------------------------


@transaction.atomic
def option_create(*, question, actor, label) -> Option:
    questionnaire = _editable(question.questionnaire_id)
    if question.kind not in CHOICE_KINDS:
        raise ValidationError("Cette question ne propose pas de réponses à choisir.")
    label = _text(label, name="label", label="Libellé", required=True, max_length=300)
    if question.options.filter(label=label).exists():
        raise ValidationError({"label": "Cette réponse est déjà proposée."})
    codes = set(question.options.values_list("code", flat=True))
    number = question.options.count() + 1
    while f"o{number}" in codes:
        number += 1
    option = Option.objects.create(
        question=question, label=label, code=f"o{number}", order=_next_order(question.options.all())
    )
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Réponse proposée ajoutée à « {question.label} » : {label}",
        changes={"option": ["", label]},
        item=questionnaire,
    )
    return option


@transaction.atomic
def option_update(*, option, actor, label) -> Option:
    questionnaire = _editable(option.question.questionnaire_id)
    label = _text(label, name="label", label="Libellé", required=True, max_length=300)
    if option.question.options.filter(label=label).exclude(pk=option.pk).exists():
        raise ValidationError({"label": "Cette réponse est déjà proposée."})
    tracked_update(
        option,
        actor=actor,
        ctg=questionnaire.ctg,
        values={"label": label},
        action=Action.SURVEY,
        summary=f"Réponse proposée modifiée dans « {option.question.label} » : {label}",
        item=questionnaire,
    )
    return option


@transaction.atomic
def option_delete(*, option, actor) -> None:
    questionnaire = _editable(option.question.questionnaire_id)
    used = option.conditioned_questions.first()
    if used is not None:
        raise ValidationError(
            f"L'affichage de « {used.label} » dépend de cette réponse : retirez d'abord cette condition."
        )
    if option.question.options.count() <= 2:
        raise ValidationError("Une question à choix garde au moins deux réponses proposées.")
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY,
        summary=f"Réponse proposée retirée de « {option.question.label} » : {option.label}",
        changes={"option": [option.label, ""]},
        item=questionnaire,
    )
    option.delete()


@transaction.atomic
def option_move(*, option, actor, direction) -> None:
    questionnaire = _editable(option.question.questionnaire_id)
    if _swap(option, option.question.options.all(), direction):
        history_record(
            ctg=questionnaire.ctg,
            actor=actor,
            action=Action.SURVEY,
            summary=f"Réponse proposée déplacée dans « {option.question.label} » : {option.label}",
            item=questionnaire,
        )


# --- links ---------------------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _channel(value) -> str:
    channel = _text(value, name="channel", label="Canal de diffusion", required=True, max_length=100)
    if channel.casefold() == PAPER_CHANNEL:
        raise ValidationError(
            {"channel": "« saisie papier » est réservé à la saisie des questionnaires papier."}
        )
    return channel


@transaction.atomic
def link_create(*, questionnaire, actor, channel) -> Link:
    """The public link of a channel (one active public link per channel)."""
    questionnaire = _locked(questionnaire.pk)
    if questionnaire.status == Questionnaire.Status.CLOSED:
        raise ValidationError("Le questionnaire est fermé : rouvrez-le pour diffuser un lien.")
    channel = _channel(channel)
    existing = questionnaire.links.filter(kind=Link.Kind.PUBLIC, is_active=True).values_list(
        "channel", flat=True
    )
    if channel.casefold() in {other.casefold() for other in existing}:
        raise ValidationError({"channel": "Ce canal a déjà son lien public."})
    link = Link.objects.create(
        questionnaire=questionnaire,
        kind=Link.Kind.PUBLIC,
        channel=channel,
        token=_new_token(),
        created_by=_person(actor),
        updated_by=_person(actor),
    )
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY_LINK,
        summary=f"Lien public créé pour « {questionnaire.title} » : {channel}",
        changes={"channel": ["", channel], "kind": ["", link.get_kind_display()]},
        item=questionnaire,
    )
    return link


@transaction.atomic
def links_generate(*, questionnaire, actor, channel, count) -> list[Link]:
    """`count` single-use links of a channel (a partner's list, one link a person)."""
    questionnaire = _locked(questionnaire.pk)
    if questionnaire.status == Questionnaire.Status.CLOSED:
        raise ValidationError("Le questionnaire est fermé : rouvrez-le pour diffuser des liens.")
    channel = _channel(channel)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= LINKS_AT_ONCE_MAX:
        raise ValidationError({"count": f"De 1 à {LINKS_AT_ONCE_MAX} liens à la fois."})
    links = Link.objects.bulk_create(
        Link(
            questionnaire=questionnaire,
            kind=Link.Kind.SINGLE_USE,
            channel=channel,
            token=_new_token(),
            created_by=_person(actor),
            updated_by=_person(actor),
        )
        for _ in range(count)
    )
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY_LINK,
        summary=f"{count} lien(s) à usage unique créé(s) pour « {questionnaire.title} » : {channel}",
        changes={"channel": ["", channel], "count": ["", str(count)]},
        item=questionnaire,
    )
    return links


@transaction.atomic
def link_deactivate(*, link, actor) -> Link:
    link = Link.objects.select_for_update().select_related("questionnaire__ctg").get(pk=link.pk)
    if not link.is_active:
        raise ValidationError("Ce lien est déjà désactivé.")
    tracked_update(
        link,
        actor=actor,
        ctg=link.questionnaire.ctg,
        values={"is_active": False},
        action=Action.SURVEY_LINK,
        summary=f"Lien désactivé pour « {link.questionnaire.title} » : {link.channel}",
        item=link.questionnaire,
    )
    return link


# --- answers -------------------------------------------------------------------------------------------


def address_hash(address: str, *, day: datetime.date | None = None) -> str:
    """A keyed hash of an address (HMAC-SHA256, key derived from SECRET_KEY and the day): the same address
    gives the same hash within a day only, and the address cannot be read back from it."""
    day = day or timezone.localdate()
    key = hashlib.sha256(f"ctg.surveys.address:{settings.SECRET_KEY}:{day.isoformat()}".encode()).digest()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def max_per_hour() -> int:
    return int(getattr(settings, "CTG_SURVEY_MAX_PER_HOUR", 20))


def _throttled(questionnaire, hashed: str) -> bool:
    now = timezone.now()
    SubmissionMark.objects.filter(at__lt=now - datetime.timedelta(days=1)).delete()
    recent = SubmissionMark.objects.filter(
        questionnaire=questionnaire, address_hash=hashed, at__gte=now - datetime.timedelta(hours=1)
    ).count()
    return recent >= max_per_hour()


class Refused(ValidationError):
    """An answer refused for what the respondent cannot fix in the form (closed questionnaire, used link,
    throttling): `reason` says which, for the page to show."""

    def __init__(self, message, reason: str):
        super().__init__(message)
        self.reason = reason


def _respondent_key(questionnaire, value) -> str:
    if questionnaire.anonymous:
        return ""
    key = clean_text(value or "").strip().lower()
    if not key:
        return ""
    if len(key) > 254 or "@" not in key or " " in key:
        raise ValidationError({"respondent_key": "Saisissez une adresse électronique valide."})
    return key


@transaction.atomic
def response_submit(
    *,
    questionnaire,
    actor=None,
    data,
    link=None,
    paper=False,
    test=False,
    address: str | None = None,
    respondent_key="",
) -> Response:
    """Stores one response: through `link` (public answer; `test` when the questionnaire is a draft and a
    manager of the dossier answers), or typed from paper (`paper`, `actor` the coordination). `data` is the
    submitted form (`q<id>` fields). Raises `Refused` (nothing can be fixed) or `ValidationError` keyed by
    `q<id>` (answers to correct), and stores nothing then."""
    questionnaire = _locked(questionnaire.pk)
    status = questionnaire.status
    if status == Questionnaire.Status.CLOSED:
        raise Refused("Ce questionnaire est fermé : il ne reçoit plus de réponses.", "closed")
    if status == Questionnaire.Status.DRAFT and not test:
        raise Refused("Ce questionnaire n'est pas encore ouvert.", "draft")
    is_test = status == Questionnaire.Status.DRAFT
    if paper:
        channel, link = PAPER_CHANNEL, None
    else:
        if link is None or link.questionnaire_id != questionnaire.pk:
            raise Refused("Ce lien ne correspond à aucun questionnaire.", "link")
        link = Link.objects.get(pk=link.pk)
        if not link.is_active:
            raise Refused("Ce lien a été désactivé.", "inactive")
        if link.kind == Link.Kind.SINGLE_USE and link.used_at is not None:
            raise Refused("Ce lien à usage unique a déjà servi : une seule réponse par lien.", "used")
        channel = link.channel
    hashed = None
    if address is not None and not paper:
        hashed = address_hash(address)
        if _throttled(questionnaire, hashed):
            raise Refused(
                "Trop de réponses ont été envoyées depuis votre connexion : réessayez dans une heure.",
                "throttled",
            )
    structure = structure_of(questionnaire)
    submitted, form_problems = rules.read_submission(structure, data)
    checked = rules.check_answers(structure, submitted, form_problems)
    key = None
    try:
        key = _respondent_key(questionnaire, respondent_key)
    except ValidationError as error:
        checked.problems.setdefault("respondent_key", []).extend(error.messages)
    if checked.problems:
        raise ValidationError(
            {
                ("__all__" if qid is None else qid if qid == "respondent_key" else f"q{qid}"): messages
                for qid, messages in checked.problems.items()
            }
        )
    if not checked.answers:
        raise ValidationError({"__all__": "Répondez au moins à une question avant d'envoyer."})
    # A conditional update: of two submissions racing on one single-use link, only one marks it used.
    if (
        link is not None
        and link.kind == Link.Kind.SINGLE_USE
        and not Link.objects.filter(pk=link.pk, used_at=None).update(used_at=timezone.now())
    ):
        raise Refused("Ce lien à usage unique a déjà servi : une seule réponse par lien.", "used")
    commune_code = next((n.commune for n in checked.answers.values() if n.commune), None)
    response = Response.objects.create(
        questionnaire=questionnaire,
        link=link,
        channel=channel,
        respondent_type=questionnaire.audience,
        commune=Commune.objects.filter(pk=commune_code).first() if commune_code else None,
        is_test=is_test,
        respondent_key=key or "",
        entered_by=_person(actor) if paper else None,
    )
    answers = Answer.objects.bulk_create(
        Answer(response=response, question_id=qid, value=n.value, other_text=n.other_text)
        for qid, n in checked.answers.items()
    )
    through = Answer.options.through
    through.objects.bulk_create(
        through(answer_id=answer.pk, option_id=option_id)
        for answer, n in zip(answers, checked.answers.values(), strict=True)
        for option_id in n.option_ids
    )
    if hashed is not None:
        SubmissionMark.objects.create(questionnaire=questionnaire, address_hash=hashed)
    if paper:
        history_record(
            ctg=questionnaire.ctg,
            actor=actor,
            action=Action.SURVEY_ANSWERS,
            summary=f"Questionnaire papier saisi pour « {questionnaire.title} »"
            + (" (test)" if is_test else ""),
            changes={"responses": ["", "1"], "channel": ["", PAPER_CHANNEL]},
            item=questionnaire,
        )
    return response


# --- RGPD ----------------------------------------------------------------------------------------------


def respondent_answers(*, questionnaire, respondent_key) -> list[dict]:
    """Right of access: every answer given under `respondent_key` (an email) to a non-anonymous
    questionnaire, one row per answer (a read; the export is a page of `Op.MANAGE_DIAGNOSTIC`)."""
    key = clean_text(respondent_key or "").strip().lower()
    if questionnaire.anonymous or not key:
        return []
    rows = []
    answers = (
        Answer.objects.filter(response__questionnaire=questionnaire, response__respondent_key=key)
        .select_related("response", "question")
        .prefetch_related("question__options")
        .order_by("response__submitted_at", "response_id", "question__section__order", "question__order")
    )
    for answer in answers:
        rows.append(
            {
                "response": answer.response_id,
                "submitted_at": timezone.localtime(answer.response.submitted_at).strftime("%d/%m/%Y %H:%M"),
                "channel": answer.response.channel,
                "question": answer.question.label,
                "answer": answer_text(answer),
            }
        )
    return rows


def answer_text(answer) -> str:
    """An answer as a person reads it (option labels, cells of the grid, the commune's name)."""
    question, value = answer.question, answer.value
    labels = {o.pk: o.label for o in question.options.all()}
    if question.kind in CHOICE_KINDS:
        parts = [labels.get(pk, "?") for pk in value or []]
        if answer.other_text:
            parts.append(f"Autre : {answer.other_text}")
        separator = " > " if question.kind == Question.Kind.RANKING else ", "
        return separator.join(parts)
    if question.kind == Question.Kind.SCHEDULE:
        cells = {
            code: f"{day} {slot}"
            for code, day, slot in rules.schedule_cells(question.schedule_days, question.schedule_slots)
        }
        return ", ".join(cells.get(code, code) for code in value or [])
    if question.kind == Question.Kind.COMMUNE:
        commune = Commune.objects.filter(pk=value).first()
        return commune.name if commune else str(value)
    if question.kind == Question.Kind.DATE and value:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return "" if value is None else str(value)


@transaction.atomic
def purge_answers(*, now=None, dry_run=False) -> list[tuple[Questionnaire, int]]:
    """Deletes the responses of every questionnaire closed more than its `retention_months` ago (and the
    throttling marks older than a day); returns what it deleted (or would delete with `dry_run`). Each
    purge writes a history line."""
    now = now or timezone.now()
    done = []
    closed = Questionnaire.objects.filter(
        status=Questionnaire.Status.CLOSED, closed_at__isnull=False
    ).select_related("ctg")
    for questionnaire in closed:
        limit = _add_months(questionnaire.closed_at, questionnaire.retention_months)
        if limit > now:
            continue
        count = questionnaire.responses.count()
        if not count:
            continue
        done.append((questionnaire, count))
        if dry_run:
            continue
        questionnaire.responses.all().delete()
        Questionnaire.objects.filter(pk=questionnaire.pk).update(answers_purged_at=now)
        history_record(
            ctg=questionnaire.ctg,
            actor=None,
            action=Action.SURVEY_ANSWERS,
            summary=(
                "Réponses supprimées (fin de la durée de conservation de "
                f"{questionnaire.retention_months} mois) : "
                f"{count} réponse(s) au questionnaire « {questionnaire.title} »"
            ),
            changes={"responses": [str(count), "0"]},
            item=questionnaire,
        )
    if not dry_run:
        SubmissionMark.objects.filter(at__lt=now - datetime.timedelta(days=1)).delete()
    return done


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


__all__ = [
    "Refused",
    "address_hash",
    "link_create",
    "link_deactivate",
    "links_generate",
    "option_create",
    "option_delete",
    "option_move",
    "option_update",
    "purge_answers",
    "question_create",
    "question_delete",
    "question_field_set",
    "question_move",
    "question_update",
    "questionnaire_close",
    "questionnaire_create",
    "questionnaire_delete",
    "questionnaire_open",
    "questionnaire_update",
    "respondent_answers",
    "response_submit",
    "section_create",
    "section_delete",
    "section_move",
    "section_update",
    "structure_of",
]
