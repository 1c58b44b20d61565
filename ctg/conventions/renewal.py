"""What a renewal carries from a CTG into the next one: a registry the apps above this floor fill.

The dossier (`ctg.conventions`) is below the plan, the governance and the post, so it cannot copy them
itself. Each app that owns something worth carrying over registers, in its `AppConfig.ready`, a `Carrier`:

- `options(previous)` lists what it could carry over, as `Choice`s grouped under a title (the renew page
  shows one fieldset per group, every box checked by default; the command carries everything);
- `carry_over(previous=…, new=…, actor=…, chosen=…)` writes the chosen items into the new dossier through
  the app's own services (history in the new dossier, « repris de … », and in the previous one,
  « renouvelé en … »), and returns what it did, in French, one line per item.

A choice's key is `"<kind>:<id>"` (`"fiche:12"`), or `"<kind>"` for a single item (`"post"`): the keys the
person may send are exactly those the options list for this dossier, so a junk id, or the id of another
dossier's fiche, is refused before anything is written (`check_choices`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    detail: str = ""
    parent: str = ""  # the key of the choice this one depends on (an indicator: its fiche)


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    choices: list[Choice] = field(default_factory=list)
    help_text: str = ""


@dataclass(frozen=True)
class Carrier:
    name: str
    order: int
    options: Callable  # (previous) -> list[Group]
    carry_over: Callable  # (*, previous, new, actor, chosen: set[str]) -> list[str]


_CARRIERS: dict[str, Carrier] = {}


def register(name: str, *, order: int, options: Callable, carry_over: Callable) -> None:
    """Registers (or replaces: `ready` may run twice in tests) what an app carries over."""
    _CARRIERS[name] = Carrier(name=name, order=order, options=options, carry_over=carry_over)


def carriers() -> list[Carrier]:
    return sorted(_CARRIERS.values(), key=lambda c: (c.order, c.name))


def options(previous) -> list[Group]:
    """Every group of choices for renewing `previous`, in the registry's order."""
    groups = []
    for carrier in carriers():
        groups.extend(carrier.options(previous))
    return groups


def all_keys(groups: list[Group]) -> set[str]:
    return {choice.key for group in groups for choice in group.choices}


def check_choices(previous, chosen) -> set[str]:
    """The chosen keys, checked against what this dossier offers: a key it does not list (a junk id, another
    dossier's item) is refused; an item whose parent is not chosen (an indicator without its fiche) too."""
    groups = options(previous)
    offered = {choice.key: choice for group in groups for choice in group.choices}
    chosen = {str(key).strip() for key in chosen}
    unknown = sorted(key for key in chosen if key not in offered)
    if unknown:
        raise ValidationError(
            "Ces éléments ne peuvent pas être repris de ce dossier : " + ", ".join(unknown[:10]) + "."
        )
    orphans = sorted(
        offered[key].label for key in chosen if offered[key].parent and offered[key].parent not in chosen
    )
    if orphans:
        raise ValidationError(
            "Un indicateur n'est repris qu'avec sa fiche action : cochez la fiche de "
            + ", ".join(f"« {label} »" for label in orphans[:10])
            + "."
        )
    return chosen
