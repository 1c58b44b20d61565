"""How a value is written in the dossier's history (`HistoryEntry.changes`): one formatter for every app, so
that the same kind of value reads the same whatever service recorded it."""

import datetime
from decimal import Decimal

from django.db.models import Model
from django.utils import timezone


def decimal_text(value: Decimal, decimals: int | None = None) -> str:
    """A decimal with a comma and no grouping, as typed (« 3,5 », « 12000 »); with `decimals`, a fixed number
    of decimals (amounts of the coordinator post: « 22500,00 »)."""
    if decimals is not None:
        return f"{value:.{decimals}f}".replace(".", ",")
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return text.replace(".", ",")


def history_value(value, *, decimals: int | None = None) -> str:
    """None → empty; booleans → oui/non; date-times in local time « 10/03/2026 15:00 »; dates « 10/03/2026 »;
    decimals with a comma; model instances by their name; lists joined by commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return decimal_text(value, decimals)
    if isinstance(value, list | tuple):
        return ", ".join(history_value(v, decimals=decimals) for v in value)
    if isinstance(value, Model):
        return str(value)
    return str(value)


def same_value(before, after) -> bool:
    """Whether a field keeps its value. A multi-valued field (champs d'intervention, communes…) is a set: the
    same items in another order are no change."""
    collections = list | tuple | set | frozenset
    if isinstance(before, collections) and isinstance(after, collections):
        return sorted(map(repr, before)) == sorted(map(repr, after))
    return before == after
