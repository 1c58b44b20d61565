"""The avenants recorded on a dossier."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ctg.conventions.models import (
    Avenant,
    Ctg,
)
from ctg.conventions.services.common import _display
from ctg.conventions.services.parties import _date_text
from ctg.core.history import history_record, tracked_update
from ctg.core.models import Action
from ctg.text import clean_text

AVENANT_FIELDS = ("title", "signed_on", "notes")


def _check_avenant(ctg: Ctg, *, title: str, signed_on) -> None:
    errors = {}
    if not title:
        errors["title"] = "L'objet de l'avenant est obligatoire."
    signature = ctg.signature_date
    if signed_on is not None:
        if signed_on > timezone.localdate():
            errors["signed_on"] = "La date de signature ne peut pas être dans le futur."
        elif signature is not None and signed_on < signature:
            errors["signed_on"] = (
                f"Un avenant se signe après la convention qu'il modifie (signée le {_date_text(signature)})."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def avenant_add(*, ctg: Ctg, actor, title: str, signed_on=None, notes: str = "") -> Avenant:
    """An avenant to the signed convention (« Ajout du plan d'action »), numbered after the last one; its
    signature date once signed."""
    ctg = Ctg.objects.select_for_update().get(pk=ctg.pk)
    if not ctg.is_signed:
        raise ValidationError(
            "Un avenant modifie une convention signée : enregistrez d'abord la signature de chaque partie."
        )
    title, notes = clean_text(title or "").strip(), clean_text(notes or "", multiline=True).strip()
    _check_avenant(ctg, title=title, signed_on=signed_on)
    number = (ctg.avenants.aggregate(last=Max("number"))["last"] or 0) + 1
    avenant = Avenant.objects.create(
        ctg=ctg,
        number=number,
        title=title,
        signed_on=signed_on,
        notes=notes,
        created_by=actor,
        updated_by=actor,
    )
    signed = f" (signé le {_date_text(signed_on)})" if signed_on else ""
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SIGNATURE,
        summary=f"Avenant n° {number} ajouté : {title}{signed}",
        changes={"title": ["", title], "signed_on": ["", _date_text(signed_on)]},
        item=avenant,
    )
    return avenant


@transaction.atomic
def avenant_update(*, avenant: Avenant, actor, **values) -> Avenant:
    unknown = set(values) - set(AVENANT_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    avenant = Avenant.objects.select_for_update().select_related("ctg").get(pk=avenant.pk)
    if "title" in values:
        values["title"] = clean_text(values["title"] or "").strip()
    if "notes" in values:
        values["notes"] = clean_text(values["notes"] or "", multiline=True).strip()
    _check_avenant(
        avenant.ctg,
        title=values.get("title", avenant.title),
        signed_on=values.get("signed_on", avenant.signed_on),
    )
    tracked_update(
        avenant,
        actor=actor,
        ctg=avenant.ctg,
        item=avenant,
        values=values,
        action=Action.SIGNATURE,
        summary=lambda labels: f"Avenant n° {avenant.number} modifié : " + ", ".join(labels),
        display=lambda value: _date_text(value) if isinstance(value, datetime.date) else _display(value),
    )
    return avenant


@transaction.atomic
def avenant_delete(*, avenant: Avenant, actor) -> None:
    """Deletes an avenant recorded by mistake: the last one only, so that the numbers follow each other."""
    ctg = avenant.ctg
    last = ctg.avenants.aggregate(last=Max("number"))["last"]
    if avenant.number != last:
        raise ValidationError(
            f"Seul le dernier avenant (n° {last}) se supprime : les numéros des avenants se suivent."
        )
    label = str(avenant)
    avenant.delete()
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SIGNATURE,
        summary=f"{label} supprimé",
        changes={"title": [avenant.title, ""]},
    )
