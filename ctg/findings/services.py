"""Every write of the findings (constats) goes through this module: forms, the ateliers and questionnaires,
the plan import, the demo.

The API is a contract for the apps above this floor (ateliers, surveys, exchange)::

    finding_create(ctg=ctg, actor=user, values={
        "kind": "besoin", "title": "…", "evidence": "…", "fields": ["petite_enfance"],
        "communes": [commune, …], "public": "familles monoparentales",
        "source_kind": "atelier", "source_type": "ateliers.atelier", "source_id": 12,
        "source_label": "Atelier « Petite enfance » du 23 mai 2024", "weight": 2,
    })

Keyword-only, atomic; the values are cleaned (`ctg.text.clean_text`) and checked (a refusal is a
`ValidationError` keyed by field, in French, and writes nothing); each creation, change and deletion is one
line of the dossier's history (`Action.FINDING`), tied to the finding.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.conventions.models import Ctg, Field
from ctg.core.history import history_record, history_value, person, register_labels, tracked_update
from ctg.core.models import Action
from ctg.diagnostics.catalogue import BY_ID
from ctg.findings.models import Finding
from ctg.findings.selectors import citations
from ctg.offer import needs
from ctg.text import clean_text

FINDING_LABELS = register_labels(
    Action.FINDING,
    {
        "kind": "type",
        "title": "constat",
        "fields": "champs d'intervention",
        "communes": "communes concernées",
        "public": "public concerné",
        "source_kind": "type de source",
        "source_type": "objet source",
        "source_id": "identifiant de l'objet source",
        "source_ref": "référence de la source",
        "source_label": "source",
        "evidence": "élément probant",
        "weight": "importance",
        "is_fictitious": "fictif",
    },
)

# The values a caller may give, in the order of the form.
EDITABLE = (
    "kind",
    "title",
    "fields",
    "communes",
    "public",
    "source_kind",
    "source_type",
    "source_id",
    "source_ref",
    "source_label",
    "evidence",
    "weight",
    "is_fictitious",
)
SINGLE_LINE = ("title", "public", "source_type", "source_ref", "source_label")
NEEDS_FIELDS = tuple(str(code) for code, _indicators, _denominator in needs.FIELDS)


def _max_length(name: str) -> int | None:
    return Finding._meta.get_field(name).max_length


def _text(values: dict, name: str, errors: dict, *, required: bool = False) -> str:
    value = values.get(name, "")
    value = "" if value is None else str(value)
    value = clean_text(value, multiline=name not in SINGLE_LINE).strip()
    limit = _max_length(name)
    if required and not value:
        errors[name] = "Ce champ est obligatoire."
    elif limit and len(value) > limit:
        errors[name] = f"{len(value)} caractères : {limit} au plus."
    return value


def _choice(value, choices, name: str, label: str, errors: dict, default):
    if value in (None, ""):
        return default
    value = str(value)
    if value not in choices.values:
        errors[name] = f"{label} inconnu : « {value} »."
    return value


def _fields(value, errors: dict) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    fields = []
    for item in value:
        item = str(item)
        if item not in Field.values:
            errors["fields"] = f"Champ d'intervention inconnu : « {item} »."
        elif item not in fields:
            fields.append(item)
    return fields


def _communes(ctg: Ctg, value, errors: dict) -> list:
    """The communes given (instances or codes), each of the dossier's territory."""
    items = list(value or [])
    if not items:
        return []
    codes = [getattr(item, "code", item) for item in items]
    codes = [str(code) for code in codes]
    found = {c.code: c for c in ctg.communes.filter(code__in=codes)}
    outside = [str(code) for code in codes if code not in found]
    if outside:
        errors["communes"] = (
            f"Commune hors du territoire du dossier : {', '.join(outside)}. "
            "Choisissez des communes du territoire (aucune : tout le territoire)."
        )
        return []
    ordered = []
    for code in codes:
        if found[code] not in ordered:
            ordered.append(found[code])
    return ordered


def _weight(value, errors: dict) -> int:
    if value in (None, ""):
        return Finding.Weight.MEDIUM
    try:
        weight = int(value)
    except (TypeError, ValueError):
        weight = 0
    if weight not in Finding.Weight.values:
        errors["weight"] = "L'importance va de 1 (secondaire) à 3 (majeure)."
    return weight


def _source_id(value, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        errors["source_id"] = "Identifiant de la source invalide."
        return None
    return number


def _check_ref(kind: str, ref: str, errors: dict) -> None:
    if not ref:
        return
    if kind == Finding.SourceKind.INDICATOR and ref not in BY_ID:
        errors["source_ref"] = f"Indicateur inconnu du catalogue du portrait : « {ref} »."
    elif kind == Finding.SourceKind.OFFER and ref.split(":", 1)[0] not in NEEDS_FIELDS:
        errors["source_ref"] = f"Ligne inconnue du tableau besoins et offre : « {ref} »."


def clean_values(*, ctg: Ctg, values: dict, current: Finding | None = None) -> dict:
    """The values cleaned and checked (a `ValidationError` keyed by field lists every refusal); a value not
    given keeps the finding's (`current`) or takes the default."""
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise ValidationError(f"Valeurs inconnues pour un constat : {', '.join(unknown)}.")
    merged = {}
    if current is not None:
        merged = {name: getattr(current, name) for name in EDITABLE if name != "communes"}
        merged["communes"] = list(current.communes.all())
    merged.update(values)
    errors: dict = {}
    cleaned = {
        "kind": _choice(merged.get("kind"), Finding.Kind, "kind", "Type de constat", errors, "a_qualifier"),
        "title": _text(merged, "title", errors, required=True),
        "fields": _fields(merged.get("fields"), errors),
        "communes": _communes(ctg, merged.get("communes"), errors),
        "public": _text(merged, "public", errors),
        "source_kind": _choice(
            merged.get("source_kind"), Finding.SourceKind, "source_kind", "Type de source", errors, "saisie"
        ),
        "source_type": _text(merged, "source_type", errors),
        "source_id": _source_id(merged.get("source_id"), errors),
        "source_ref": _text(merged, "source_ref", errors),
        "source_label": _text(merged, "source_label", errors),
        "evidence": _text(merged, "evidence", errors),
        "weight": _weight(merged.get("weight"), errors),
        "is_fictitious": bool(merged.get("is_fictitious", False)),
    }
    if cleaned["source_type"] and "." not in cleaned["source_type"]:
        errors["source_type"] = "Objet source à écrire « application.modèle » (ex. « ateliers.atelier »)."
    if cleaned["source_type"] and cleaned["source_id"] is None:
        errors["source_id"] = "L'identifiant de l'objet source manque."
    _check_ref(cleaned["source_kind"], cleaned["source_ref"], errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _display(value) -> str:
    return history_value(value)


@transaction.atomic
def finding_create(*, ctg: Ctg, actor, values: dict) -> Finding:
    """A new finding of `ctg` (see the module's docstring for `values`)."""
    cleaned = clean_values(ctg=ctg, values=values)
    communes = cleaned.pop("communes")
    finding = Finding(ctg=ctg, created_by=person(actor), updated_by=person(actor), **cleaned)
    finding.save()
    if communes:
        finding.communes.set(communes)
    changes = {
        name: ["", _display(value)]
        for name, value in {**cleaned, "communes": communes}.items()
        if value not in ("", None, [], False)
    }
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.FINDING,
        summary=f"Constat ajouté : {finding.title}",
        changes=changes,
        item=finding,
    )
    return finding


@transaction.atomic
def finding_update(*, finding: Finding, actor, values: dict) -> Finding:
    """Changes the values given of `finding`; one history line when something changed."""
    current = Finding.objects.select_for_update().select_related("ctg").get(pk=finding.pk)
    cleaned = clean_values(ctg=current.ctg, values=values, current=current)
    changed = {name: cleaned[name] for name in values if name in cleaned}
    tracked_update(
        current,
        actor=actor,
        ctg=current.ctg,
        values=changed,
        action=Action.FINDING,
        summary=lambda labels: f"Constat modifié : {current.title} ({', '.join(labels)})",
    )
    for name in EDITABLE:
        if name != "communes":
            setattr(finding, name, getattr(current, name))
    finding.updated_at, finding.updated_by = current.updated_at, current.updated_by
    return finding


@transaction.atomic
def finding_delete(*, finding: Finding, actor) -> None:
    """Deletes `finding` (the enjeux that cited it no longer do); the history keeps its title."""
    current = Finding.objects.select_for_update().select_related("ctg").get(pk=finding.pk)
    ctg, title = current.ctg, current.title
    cited = [label for label, _url in citations(current)]
    changes = {"title": [title, ""]}
    summary = f"Constat supprimé : {title}"
    if cited:
        summary += f" (il n'est plus cité par : {', '.join(cited)})"
    history_record(
        ctg=ctg, actor=actor, action=Action.FINDING, summary=summary, changes=changes, item=current
    )
    current.delete()


@transaction.atomic
def findings_import(*, ctg: Ctg, actor, rows: list[dict], summary: str) -> list[Finding]:
    """Many findings of `ctg` at once (the plan import: the « constats » column of its enjeux), each row's
    values checked as by `finding_create` (no communes), written in one insert and recorded in one history
    line (`summary`, the titles in its changes). Returns the findings, in the order of `rows`."""
    user = person(actor)
    objects = []
    for values in rows:
        cleaned = clean_values(ctg=ctg, values=values)
        if cleaned.pop("communes"):
            raise ValidationError({"communes": "Un import de constats ne nomme pas de communes."})
        objects.append(Finding(ctg=ctg, created_by=user, updated_by=user, **cleaned))
    if not objects:
        return []
    created = Finding.objects.bulk_create(objects)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.FINDING,
        summary=summary,
        changes={"title": ["", history_value([f.title for f in created])]},
    )
    return created
