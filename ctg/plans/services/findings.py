"""The findings (constats) of the diagnostic partagé that ground an enjeu (`Enjeu.findings`, issue 13): cite
one, remove one, and create a draft enjeu that cites several (« Créer un enjeu depuis des constats », the
ateliers link to it with their findings).

Each write checks that the finding is of the enjeu's dossier (a finding of another dossier is refused, nothing
written) and records who cited or removed which finding in the dossier's history, on the enjeu.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.conventions.models import Ctg
from ctg.core.history import history_record, person
from ctg.core.models import Action
from ctg.findings.models import Finding
from ctg.plans.models import Enjeu
from ctg.plans.services.tree import check_findings, enjeu_create


def _finding(enjeu: Enjeu, finding) -> Finding:
    return check_findings(enjeu.ctg, [finding])[0]


@transaction.atomic
def finding_cite(*, enjeu: Enjeu, actor, finding) -> Finding:
    """Cites `finding` (an instance or its id, of the enjeu's dossier) as grounding `enjeu`."""
    current = Enjeu.objects.select_for_update().select_related("ctg").get(pk=enjeu.pk)
    finding = _finding(current, finding)
    if current.findings.filter(pk=finding.pk).exists():
        raise ValidationError({"finding": f"Ce constat est déjà cité pour cet enjeu : {finding.title}."})
    current.findings.add(finding)
    current.updated_by = person(actor)
    current.save(update_fields=["updated_by", "updated_at"])
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.ENJEU,
        summary=f"Constat cité pour l'enjeu « {current.title} » : {finding.title}",
        changes={"findings": ["", finding.title]},
        item=current,
    )
    return finding


@transaction.atomic
def finding_uncite(*, enjeu: Enjeu, actor, finding) -> None:
    """Removes the citation of `finding` from `enjeu` (the finding stays in the diagnostic)."""
    current = Enjeu.objects.select_for_update().select_related("ctg").get(pk=enjeu.pk)
    finding = _finding(current, finding)
    if not current.findings.filter(pk=finding.pk).exists():
        raise ValidationError("Ce constat n'est pas cité pour cet enjeu.")
    current.findings.remove(finding)
    current.updated_by = person(actor)
    current.save(update_fields=["updated_by", "updated_at"])
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.ENJEU,
        summary=f"Constat retiré de l'enjeu « {current.title} » : {finding.title}",
        changes={"findings": [finding.title, ""]},
        item=current,
    )


@transaction.atomic
def enjeu_from_findings(*, ctg: Ctg, actor, title, fields=(), findings=(), description="") -> Enjeu:
    """A new enjeu of `ctg` (last of the plan) citing `findings` (of `ctg`; at least one)."""
    if not list(findings or []):
        raise ValidationError({"findings": "Choisissez au moins un constat."})
    return enjeu_create(
        ctg=ctg,
        actor=actor,
        title=title,
        fields=list(fields or []),
        description=description,
        findings=findings,
    )
