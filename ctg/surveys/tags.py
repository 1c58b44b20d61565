"""Tags (étiquettes) put by the coordination on the free-text answers of a questionnaire, to group them when
reading the results (« horaires », « transport »…).

`Answer` has no place for them, so they are rows of their own (`AnswerTag`: one label per answer, unique),
registered in the app's models by one import line at the end of `ctg/surveys/models.py`.

Contract of `answer_tags_set`
-----------------------------
- MUST be called by a person who manages the dossier's diagnostic (the view checks `Op.MANAGE_DIAGNOSTIC`);
- MUST refuse (`ValidationError`, nothing written) an answer that is not a free-text answer (texte court,
  texte long, or the « Autre (préciser) » text of a choice question) of a non-test response of
  `questionnaire`: an answer of another questionnaire or another dossier changes nothing;
- replaces the answer's tags by the given ones (cleaned, lower-cased, at most `MAX_TAGS` of at most
  `MAX_LENGTH` characters each, duplicates dropped) and writes one history line (`Action.SURVEY_ANSWERS`,
  change « étiquettes ») when they changed, none otherwise.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction

from ctg.core.history import history_record, register_labels
from ctg.core.models import Action, TrackedModel
from ctg.text import clean_text

MAX_TAGS = 10
MAX_LENGTH = 50
TEXT_KINDS = ("texte_court", "texte_long")

register_labels(Action.SURVEY_ANSWERS, {"tags": "étiquettes"})


class AnswerTag(TrackedModel):
    """A tag on a free-text answer."""

    answer = models.ForeignKey(
        "surveys.Answer", on_delete=models.CASCADE, related_name="tags", verbose_name="réponse"
    )
    label = models.CharField("étiquette", max_length=MAX_LENGTH)

    class Meta:
        app_label = "surveys"
        verbose_name = "étiquette d'une réponse"
        verbose_name_plural = "étiquettes des réponses"
        ordering = ["label", "id"]
        constraints = [models.UniqueConstraint(fields=["answer", "label"], name="surveys_answertag_unique")]

    def __str__(self):
        return self.label


def parse_tags(text) -> list[str]:
    """« Horaires, transport ; horaires » → ["horaires", "transport"]; refuses too many or too long tags."""
    labels = []
    for part in clean_text(str(text or "")).replace(";", ",").replace("\n", ",").split(","):
        label = " ".join(part.split()).lower()
        if label and label not in labels:
            labels.append(label)
    if len(labels) > MAX_TAGS:
        raise ValidationError({"tags": f"Au plus {MAX_TAGS} étiquettes par réponse."})
    for label in labels:
        if len(label) > MAX_LENGTH:
            raise ValidationError({"tags": f"Une étiquette compte au plus {MAX_LENGTH} caractères."})
    return labels


def taggable_answers(questionnaire):
    """The free-text answers of the non-test responses of a questionnaire (texts and « Autre » precisions)."""
    from ctg.surveys.models import Answer

    return Answer.objects.filter(response__questionnaire=questionnaire, response__is_test=False).filter(
        models.Q(question__kind__in=TEXT_KINDS) | ~models.Q(other_text="")
    )


@transaction.atomic
def answer_tags_set(*, questionnaire, answer_id, actor, tags) -> list[str]:
    """Replaces the tags of one free-text answer of `questionnaire` (module docstring); returns them."""
    answer = taggable_answers(questionnaire).filter(pk=answer_id).select_for_update().first()
    if answer is None:
        raise ValidationError(
            "Cette réponse n'appartient pas à ce questionnaire ou ne peut pas être étiquetée."
        )
    labels = sorted(parse_tags(tags))
    before = sorted(answer.tags.values_list("label", flat=True))
    if labels == before:
        return labels
    answer.tags.exclude(label__in=labels).delete()
    person = actor if getattr(actor, "is_authenticated", False) else None
    AnswerTag.objects.bulk_create(
        AnswerTag(answer=answer, label=label, created_by=person, updated_by=person)
        for label in labels
        if label not in before
    )
    history_record(
        ctg=questionnaire.ctg,
        actor=actor,
        action=Action.SURVEY_ANSWERS,
        summary=f"Étiquettes d'une réponse à « {questionnaire.title} »",
        changes={"tags": [", ".join(before), ", ".join(labels)]},
        item=questionnaire,
    )
    return labels
