"""Writes on the public page of a CTG: its options (`publication_set`), its publication (`publish`) and its
withdrawal (`withdraw`).

Contract:
- every function MUST be called with keyword arguments and runs in one transaction;
- the person MUST hold `Op.PUBLISH` in the dossier (pilote CAF, coordination): the signatories choose when
  their CTG is shown to the inhabitants; anyone else (or no one: a command without an author) is refused
  with `PermissionDenied` and nothing is written;
- every change writes one line of the dossier's history (`Action.PUBLICATION`), through `ctg.core.history`;
  who published and when is also kept on the publication itself;
- the address (slug) is chosen once, from the territory and the period, and never changes afterwards: the
  EPCI's site that links to the page or frames it keeps working after a withdrawal and a new publication.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ctg.conventions.models import Ctg
from ctg.conventions.selectors import role_in
from ctg.core.history import history_record, person, register_labels, tracked_update
from ctg.core.models import Action
from ctg.organisations.permissions import Op, role_allows
from ctg.public.models import Publication
from ctg.text import clean_text

OPTION_FIELDS = {
    "show_budgets": "budget des fiches action",
    "show_pilots": "organisations pilotes",
    "show_key_figures": "chiffres clés du diagnostic",
    "show_progress": "avancement des fiches action",
    "introduction": "texte d'introduction",
    "contact_email": "adresse de contact",
}
register_labels(
    Action.PUBLICATION, {**OPTION_FIELDS, "published": "publiée", "slug": "adresse de la page publique"}
)
SLUG_LENGTH = 80
INTRODUCTION_LENGTH = 3000


def _check_can_publish(ctg: Ctg, actor) -> None:
    if actor is None or not role_allows(role_in(actor, ctg), Op.PUBLISH):
        raise PermissionDenied("Seuls la CAF pilote et la coordination publient la page publique de la CTG.")


def slug_base(ctg: Ctg) -> str:
    """« cc-tarn-agout-2023-2026 »: the territory's name and the period, readable, at most `SLUG_LENGTH`
    characters (a long list of communes is cut at a word)."""
    name = re.sub(r"['’]", " ", ctg.territory_name)
    words = slugify(name) or "ctg"
    period = f"{ctg.start_year}-{ctg.end_year}"
    room = SLUG_LENGTH - len(period) - 1
    if len(words) > room:
        words = words[:room].rsplit("-", 1)[0] or words[:room]
    return f"{words}-{period}"


def unique_slug(ctg: Ctg) -> str:
    """`slug_base`, followed by « -2 », « -3 »… when another dossier's page already has it."""
    base = slug_base(ctg)
    slug, number = base, 1
    while Publication.objects.filter(slug=slug).exclude(ctg=ctg).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _publication(ctg: Ctg, actor) -> Publication:
    """The dossier's publication, created (unpublished, with the default options) when it has none."""
    publication = Publication.objects.select_for_update().filter(ctg=ctg).first()
    if publication is not None:
        return publication
    publication = Publication.objects.create(
        ctg=ctg, slug=unique_slug(ctg), created_by=person(actor), updated_by=person(actor)
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.PUBLICATION,
        summary=f"Page publique préparée à l'adresse « {publication.slug} »",
        changes={"slug": ["", publication.slug]},
        item=publication,
    )
    return publication


def _option_errors(values: dict) -> dict:
    errors = {}
    if len(values["introduction"]) > INTRODUCTION_LENGTH:
        errors["introduction"] = (
            f"Le texte d'introduction ne doit pas dépasser {INTRODUCTION_LENGTH} caractères."
        )
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            errors["contact_email"] = "Indiquez une adresse électronique valide (par exemple ctg@epci.fr)."
    return errors


@transaction.atomic
def publication_set(
    *,
    ctg: Ctg,
    actor,
    show_budgets: bool = False,
    show_pilots: bool = True,
    show_key_figures: bool = True,
    show_progress: bool = True,
    introduction: str = "",
    contact_email: str = "",
) -> Publication:
    """Chooses what the public page shows (published or not: the choice applies at once when it is)."""
    _check_can_publish(ctg, actor)
    values = {
        "show_budgets": bool(show_budgets),
        "show_pilots": bool(show_pilots),
        "show_key_figures": bool(show_key_figures),
        "show_progress": bool(show_progress),
        "introduction": clean_text(introduction or "", multiline=True).strip(),
        "contact_email": " ".join(clean_text(contact_email or "").split()),
    }
    if errors := _option_errors(values):
        raise ValidationError(errors)
    publication = _publication(ctg, actor)
    tracked_update(
        publication,
        actor=actor,
        ctg=ctg,
        values=values,
        action=Action.PUBLICATION,
        summary=lambda labels: f"Page publique : {', '.join(labels)} modifié(s)",
    )
    return publication


@transaction.atomic
def publish(*, ctg: Ctg, actor) -> Publication:
    """Puts the public page online (at its address, with the options chosen), recording who and when."""
    _check_can_publish(ctg, actor)
    publication = _publication(ctg, actor)
    if publication.published:
        raise ValidationError("La page publique de la CTG est déjà publiée.")
    publication.published_at = timezone.now()
    publication.published_by = person(actor)
    publication.withdrawn_at = None
    tracked_update(
        publication,
        actor=actor,
        ctg=ctg,
        values={"published": True},
        action=Action.PUBLICATION,
        summary=f"Page publique publiée à l'adresse « {publication.slug} »",
    )
    return publication


@transaction.atomic
def withdraw(*, ctg: Ctg, actor) -> Publication:
    """Takes the public page offline (its address then answers « page introuvable »); the options and the
    address are kept for a later publication."""
    _check_can_publish(ctg, actor)
    publication = Publication.objects.select_for_update().filter(ctg=ctg).first()
    if publication is None or not publication.published:
        raise ValidationError("La page publique de la CTG n'est pas publiée.")
    publication.withdrawn_at = timezone.now()
    tracked_update(
        publication,
        actor=actor,
        ctg=ctg,
        values={"published": False},
        action=Action.PUBLICATION,
        summary="Page publique retirée",
    )
    return publication
