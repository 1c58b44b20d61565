"""Shared by the writes on dossiers: limits, the phases a dossier moves between, how values are shown
in the history, period and field checks."""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError

from ctg.conventions.models import (
    Agreement,
    Field,
    Phase,
)
from ctg.core.history import history_value

audit_log = logging.getLogger("ctg.audit")

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_DURATION_YEARS = 5
DEFAULT_DURATION_YEARS = 4

# The phases of work a dossier may move to from each phase: the next one and the one before, so that a real
# sequence can be recorded as it happened (an accord-cadre signed in préparation, a diagnostic begun later, a
# step taken back). The signature is apart (`Ctg.is_signed`): a CTG can be signed in any phase.
PHASE_ORDER = tuple(Phase.values)
PHASE_MOVES: dict[str, tuple[str, ...]] = {
    phase: tuple(PHASE_ORDER[j] for j in (i + 1, i - 1) if 0 <= j < len(PHASE_ORDER))
    for i, phase in enumerate(PHASE_ORDER)
}
RENEWABLE_PHASES = (Phase.EVALUATION, Phase.CLOSE)


# --- history -------------------------------------------------------------------------------------------


def _display(value) -> str:
    """Lists here are fields of intervention: their labels; the nature of the initial convention: its
    label."""
    if isinstance(value, list | tuple):
        labels = dict(Field.choices)
        value = [labels.get(v, str(v)) for v in value]
    elif isinstance(value, str) and value in Agreement.values:
        value = Agreement(value).label
    return history_value(value)


# --- validation helpers --------------------------------------------------------------------------------


def validate_period(start_year, end_year) -> None:
    errors = {}
    if start_year is None:
        errors["start_year"] = "L'année de début est obligatoire."
    elif not MIN_YEAR <= start_year <= MAX_YEAR:
        errors["start_year"] = f"L'année de début doit être comprise entre {MIN_YEAR} et {MAX_YEAR}."
    if end_year is None:
        errors["end_year"] = "L'année de fin est obligatoire."
    elif not errors and end_year < start_year:
        errors["end_year"] = "L'année de fin ne peut pas précéder l'année de début."
    elif not errors and end_year - start_year + 1 > MAX_DURATION_YEARS:
        errors["end_year"] = (
            f"Une CTG dure de 1 à {MAX_DURATION_YEARS} ans : {start_year}-{end_year} "
            f"en compte {end_year - start_year + 1}."
        )
    if errors:
        raise ValidationError(errors)


def validate_fields(fields: Iterable[str]) -> list[str]:
    fields = list(dict.fromkeys(fields or []))
    if not fields:
        raise ValidationError({"fields": "Choisissez au moins un champ d'intervention."})
    unknown = [f for f in fields if f not in Field.values]
    if unknown:
        raise ValidationError({"fields": f"Champ d'intervention inconnu : {', '.join(unknown)}."})
    return fields
