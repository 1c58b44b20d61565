"""Helpers of the plan's services: who acts, how values are written in the history, the checks of
single values (texts, choices, years of the CTG, amounts, numbers) and the saving of changed fields."""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Max, Model, QuerySet

from ctg.conventions.models import Ctg, Field
from ctg.core.history import decimal_text, history_value, person, same_value
from ctg.diagnostics.catalogue import BY_ID
from ctg.plans import rules
from ctg.text import clean_text


def item_type(instance: Model) -> str:
    return instance._meta.model_name


_person = person  # the user recorded as author: None for an anonymous or missing actor


_display = history_value


_decimal_text = decimal_text


def _fields_display(values: Iterable[str]) -> list[str]:
    labels = dict(Field.choices)
    return [labels.get(v, v) for v in values]


def _labels_display(value) -> str:
    """A value as the history writes it, the codes of a list (champs d'intervention, indicators of the
    portrait) by their labels."""
    if isinstance(value, list | tuple):
        labels = dict(Field.choices)
        return _display([labels.get(v, BY_ID[v].label if v in BY_ID else v) for v in value])
    return _display(value)


def _text(value, *, field: str, label: str, required: bool = False, max_length: int | None = None) -> str:
    # Control characters removed for the callers without a form too (imports, decisions); see ctg.text.
    value = clean_text(value or "", multiline=True).strip()
    if required and not value:
        raise ValidationError({field: f"{label} est obligatoire."})
    if max_length and len(value) > max_length:
        raise ValidationError({field: f"{label} ne doit pas dépasser {max_length} caractères."})
    return value


def _raise(problem: rules.Problem | None) -> None:
    if problem is not None:
        raise ValidationError({problem.field: problem.message})


def _check_fields(fields: Iterable[str] | None) -> list[str]:
    fields = list(dict.fromkeys(fields or []))
    _raise(rules.fields_problem(fields))
    return fields


def _check_attention_indicators(ids: Iterable[str] | None) -> list[str]:
    ids = list(dict.fromkeys(ids or []))
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        raise ValidationError(
            {"attention_indicators": f"Indicateur du portrait inconnu : {', '.join(map(str, unknown))}."}
        )
    return ids


def _check_choice(value, choices, *, field: str, label: str) -> str:
    _raise(rules.choice_problem(value, choices, field=field, label=label))
    return value


def period_bounds(ctg: Ctg) -> tuple[datetime.date, datetime.date]:
    period = rules.Period.of(ctg)
    return period.first, period.last


def check_year_in_period(ctg: Ctg, year, *, field: str = "year") -> int:
    _raise(rules.year_problem(year, rules.Period.of(ctg), field=field))
    return int(year)


def parse_amount(value, *, field: str, label: str) -> Decimal:
    if value is None or value == "":
        return Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError({field: f"{label} : « {value} » n'est pas un montant."}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"{label} : « {value} » n'est pas un montant."})
    if amount < 0:
        raise ValidationError({field: f"{label} ne peut pas être négatif."})
    if amount.as_tuple().exponent < -2:
        raise ValidationError({field: f"{label} : deux décimales au plus."})
    if abs(amount) >= Decimal("1e10"):
        raise ValidationError({field: f"{label} : montant trop élevé."})
    return amount


def _number(value, *, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError({field: f"{label} : « {value} » n'est pas un nombre."}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({field: f"{label} : « {value} » n'est pas un nombre valide."})
    return number.quantize(Decimal("0.0001"))


def _next_position(queryset: QuerySet) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1 if queryset.exists() else 0


DIRECTION_LABELS = {"up": "vers le haut", "down": "vers le bas"}


def _update(instance, *, actor, values: dict, editable: dict, display=_display) -> dict:
    """Applies the values that differ; returns {label: [before, after]}."""
    unknown = set(values) - set(editable)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    changes = {}
    for name, value in values.items():
        before = getattr(instance, name)
        if not same_value(before, value):
            changes[editable[name]] = [display(name, before), display(name, value)]
            setattr(instance, name, value)
    if changes:
        instance.updated_by = _person(actor)
        instance.save()
    return changes


def _person_name(user) -> str:
    if user is None:
        return "une personne (compte supprimé)"
    return user.get_full_name() or user.email
