"""Writes on the final evaluation of a CTG (issue 16). Every function is keyword-only and atomic, validates
first (French `ValidationError`, nothing written), then writes with one history line on the evaluation
(`Action.FINAL_EVALUATION`; `item_type` "finalevaluation").

- `final_create`: only in the dossier's « Évaluation » phase;
- `final_set_conclusions`: the four texts, one per question of the CNAF;
- `final_set_commitments`: what partners (« o<id> ») and fiches (« f<id> ») of the dossier commit to continue;
- `final_set_questionnaire`: a questionnaire of the same dossier (or none);
- `final_validate`: a decision of a HELD meeting of a COPIL body of the dossier; who and when recorded;
- `final_generate`: renders PDF and DOCX OUTSIDE any transaction, then stores the numbered version in a
  short one (no database transaction is held while WeasyPrint works).
"""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import Ctg, Phase
from ctg.core.history import history_record, person, register_labels
from ctg.core.models import Action
from ctg.evaluation import final
from ctg.evaluation.models import FinalEvaluation, FinalEvaluationVersion
from ctg.governance.models import Body, Decision, Meeting
from ctg.text import clean_text

register_labels(
    Action.FINAL_EVALUATION,
    {
        "final_evaluation": "évaluation finale",
        "commitments": "engagements de pérennité",
        "final_version": "version de l'évaluation finale",
    },
)

MAX_TEXT = 20000
CONCLUSIONS = tuple(key for key, _title, _question in final.QUESTIONS)


def _text(value) -> str:
    return clean_text(value or "", multiline=True).strip()


def _locked(evaluation: FinalEvaluation) -> FinalEvaluation:
    current = (
        FinalEvaluation.objects.select_for_update(of=("self",)).select_related("ctg").get(pk=evaluation.pk)
    )
    if current.validated:
        raise ValidationError("L'évaluation finale est validée par le COPIL : elle ne change plus.")
    return current


@transaction.atomic
def final_create(*, ctg: Ctg, actor) -> FinalEvaluation:
    ctg = Ctg.objects.select_for_update(of=("self",)).get(pk=ctg.pk)
    if ctg.phase != Phase.EVALUATION:
        raise ValidationError(
            "L'évaluation finale s'ouvre quand le dossier est dans sa phase « Évaluation » "
            f"(phase actuelle : « {Phase(ctg.phase).label} »)."
        )
    if FinalEvaluation.objects.filter(ctg=ctg).exists():
        raise ValidationError("L'évaluation finale de ce dossier existe déjà.")
    evaluation = FinalEvaluation.objects.create(ctg=ctg, created_by=person(actor), updated_by=person(actor))
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.FINAL_EVALUATION,
        summary="Évaluation finale ouverte",
        changes={"final_evaluation": ["", "ouverte"]},
        item=evaluation,
    )
    return evaluation


@transaction.atomic
def final_set_conclusions(*, evaluation: FinalEvaluation, actor, **texts) -> FinalEvaluation:
    unknown = set(texts) - set(CONCLUSIONS)
    if unknown:
        raise ValidationError(f"Question inconnue : {', '.join(sorted(unknown))}.")
    current = _locked(evaluation)
    cleaned = {key: _text(value) for key, value in texts.items()}
    errors = {k: f"{MAX_TEXT} caractères au plus." for k, v in cleaned.items() if len(v) > MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    changes = {k: [getattr(current, k), v] for k, v in cleaned.items() if getattr(current, k) != v}
    if not changes:
        return current
    for key, (_before, after) in changes.items():
        setattr(current, key, after)
    current.updated_by = person(actor)
    current.save()
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.FINAL_EVALUATION,
        summary="Évaluation finale : conclusions modifiées",
        changes=changes,
        item=current,
    )
    return current


@transaction.atomic
def final_set_commitments(*, evaluation: FinalEvaluation, actor, commitments: dict) -> FinalEvaluation:
    current = _locked(evaluation)
    allowed = {t["key"]: t["label"] for t in final.commitment_targets(current.ctg)}
    unknown = [str(k) for k in commitments if k not in allowed]
    if unknown:
        raise ValidationError("Partenaire ou fiche action qui n'est pas de ce dossier.")
    cleaned = {k: _text(v) for k, v in commitments.items()}
    if any(len(v) > MAX_TEXT for v in cleaned.values()):
        raise ValidationError(f"Un engagement fait {MAX_TEXT} caractères au plus.")
    after = {**(current.commitments or {}), **cleaned}
    after = {k: v for k, v in after.items() if v and k in allowed}
    before = current.commitments or {}
    if after == before:
        return current
    current.commitments, current.updated_by = after, person(actor)
    current.save()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.FINAL_EVALUATION,
        summary="Évaluation finale : engagements de pérennité modifiés",
        changes={
            "commitments": [
                "; ".join(f"{allowed.get(k, k)} : {before[k]}" for k in changed if k in before),
                "; ".join(f"{allowed.get(k, k)} : {after[k]}" for k in changed if k in after),
            ]
        },
        item=current,
    )
    return current


@transaction.atomic
def final_set_questionnaire(*, evaluation: FinalEvaluation, actor, questionnaire) -> FinalEvaluation:
    from ctg.surveys.models import Questionnaire

    current = _locked(evaluation)
    if questionnaire is not None and (
        not isinstance(questionnaire, Questionnaire) or questionnaire.ctg_id != current.ctg_id
    ):
        raise ValidationError({"questionnaire": "Ce questionnaire n'est pas un questionnaire de ce dossier."})
    if current.questionnaire_id == (questionnaire.pk if questionnaire else None):
        return current
    before = str(current.questionnaire) if current.questionnaire_id else ""
    current.questionnaire, current.updated_by = questionnaire, person(actor)
    current.save()
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.FINAL_EVALUATION,
        summary="Évaluation finale : questionnaire aux partenaires choisi",
        changes={"questionnaire": [before, str(questionnaire) if questionnaire else ""]},
        item=current,
    )
    return current


def check_decision(ctg: Ctg, decision) -> Decision:
    """A decision of a held meeting of a COPIL body of `ctg`, else a French refusal."""
    if not isinstance(decision, Decision):
        raise ValidationError({"decision": "Choisissez une décision d'une réunion du COPIL."})
    meeting = decision.meeting
    if meeting.ctg_id != ctg.pk or meeting.body.ctg_id != ctg.pk:
        raise ValidationError({"decision": "Cette décision n'est pas une décision de ce dossier."})
    if meeting.body.kind != Body.Kind.COPIL:
        raise ValidationError(
            {
                "decision": f"« {meeting.body.name} » n'est pas un comité de pilotage (COPIL) : "
                "seul le COPIL valide."
            }
        )
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(
            {"decision": "La réunion de cette décision n'est pas tenue : le COPIL valide en séance tenue."}
        )
    return decision


@transaction.atomic
def final_validate(*, evaluation: FinalEvaluation, actor, decision) -> FinalEvaluation:
    current = _locked(evaluation)
    if decision is not None and isinstance(decision, Decision):
        decision = Decision.objects.select_related("meeting__body").get(pk=decision.pk)
    decision = check_decision(current.ctg, decision)
    current.decision = decision
    current.validated_at = timezone.now()
    current.validated_by = person(actor)
    current.updated_by = person(actor)
    current.save()
    day = timezone.localtime(decision.meeting.starts_at)
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.FINAL_EVALUATION,
        summary=f"Évaluation finale validée par le COPIL du {day:%d/%m/%Y}",
        changes={
            "decision": ["", str(decision)],
            "validated_at": ["", f"{timezone.localtime(current.validated_at):%d/%m/%Y %H:%M}"],
        },
        item=current,
    )
    return current


def file_stem(version: FinalEvaluationVersion) -> str:
    return f"evaluation-finale-ctg-{version.evaluation.ctg_id}-v{version.number}"


def final_generate(*, evaluation: FinalEvaluation, actor, progress=None) -> FinalEvaluationVersion:
    """Renders the report outside any transaction, then keeps it as a new numbered version (one history
    line). A failure while rendering or storing leaves no version, no history line and no file.
    `progress(percent, message)`, when given (a background job), hears each step."""
    from ctg.evaluation import final_render

    step = progress or (lambda percent, message: None)
    step(5, "Calcul de l'évaluation : indicateurs, budgets, réunions")
    data = final.compute(evaluation.ctg)
    if data["evaluation"] is None:
        raise ValidationError("L'évaluation finale n'existe pas.")
    step(40, "Mise en page du PDF")
    pdf_bytes = final_render.render_pdf(data)
    step(75, "Mise en page du document Word (DOCX)")
    docx_bytes = final_render.render_docx(data)
    step(90, "Enregistrement de la version")
    with transaction.atomic():
        current = FinalEvaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
        previous = current.versions.order_by("-number").first()
        version = FinalEvaluationVersion.objects.create(
            evaluation=current,
            number=(previous.number + 1) if previous else 1,
            generated_by=person(actor),
            snapshot=final.snapshot(data),
        )
        stem = file_stem(version)
        try:
            version.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
            version.docx.save(f"{stem}.docx", ContentFile(docx_bytes), save=False)
            version.save(update_fields=["pdf", "docx"])
            history_record(
                ctg=current.ctg,
                actor=actor,
                action=Action.FINAL_EVALUATION,
                summary=f"Évaluation finale : rapport généré (version {version.number})",
                changes={"final_version": [str(previous) if previous else "", str(version)]},
                item=current,
            )
        except Exception:
            files_delete(version)
            raise
    return version


def files_delete(version: FinalEvaluationVersion) -> None:
    for stored in (version.pdf, version.docx):
        if stored:
            stored.delete(save=False)
