"""Writes and reads of the CAF's yearly funding parameter table (issue 14).

Contract:
- `parameter_set` is the one path of every write (the page, a command, the demo): keyword-only, atomic; it
  validates first (a CAF, a year within `YEAR_MIN`–`YEAR_MAX`, a known key, a number ≥ 0, a percentage ≤ 100,
  a value that changes) and refuses with a French `ValidationError` without writing anything;
- a write MUST NOT change or delete an earlier version: it appends one (who, when, value before and after,
  comment); an empty value takes the CAF's value away, and the public value applies again;
- `parameters_for(caf, year)` gives every parameter's effective value with its origin: « valeur de la CAF »
  (who, when), else « valeur publique » (its source), else « valeur à renseigner par la CAF » (a gap);
- when an actor is given, they MUST hold `PlatformOp.EDIT_FUNDING_PARAMETERS` for the CAF's département.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.funding.models import ParameterVersion
from ctg.funding.parameters import (
    CAF_ORIGIN,
    MISSING_ORIGIN,
    PARAMETERS,
    YEAR_MAX,
    YEAR_MIN,
    Effective,
    public_effective,
)
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import PlatformOp, platform_allows, platform_scope
from ctg.text import clean_text

COMMENT_MAX = 2000
VALUE_MAX = Decimal("100000000")


def may_edit(user, caf: Organisation) -> bool:
    """Whether `user` reads and writes the funding parameters of `caf`: its own staff, the data managers."""
    if (
        caf is None
        or caf.kind != Organisation.Kind.CAF
        or not platform_allows(user, PlatformOp.EDIT_FUNDING_PARAMETERS)
    ):
        return False
    scope = platform_scope(user, PlatformOp.EDIT_FUNDING_PARAMETERS)
    if scope is None:  # a data manager: every CAF
        return True
    # A CAF's staff: their own CAF only (two CAFs may share a département), within their département.
    return caf.pk == user.organisation_id and caf.departement_id in scope


def check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int | str):
        raise ValidationError({"year": "L'année doit être un nombre entier."})
    try:
        year = int(year)
    except ValueError:
        raise ValidationError({"year": f"L'année doit être un nombre entier, pas « {year} »."}) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(
            {"year": f"L'année {year} est hors de la période couverte ({YEAR_MIN} à {YEAR_MAX})."}
        )
    return year


def parse_value(key: str, value) -> Decimal | None:
    """The value typed for `key` as a Decimal (None: empty), or a French refusal."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError({"value": "La valeur doit être un nombre."})
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError({"value": f"La valeur doit être un nombre, pas « {value} »."}) from None
    if not number.is_finite():
        raise ValidationError({"value": "La valeur doit être un nombre."})
    if number < 0:
        raise ValidationError({"value": "La valeur ne peut pas être négative."})
    if PARAMETERS[key].kind == "percent" and number > 100:
        raise ValidationError({"value": "Un pourcentage ne peut pas dépasser 100 %."})
    if number > VALUE_MAX:
        raise ValidationError({"value": "La valeur est trop grande."})
    if number != number.quantize(Decimal("0.0001")):
        raise ValidationError({"value": "Au plus quatre décimales."})
    return number.normalize() if number == number.to_integral_value() else number


def _check_caf(caf) -> None:
    if not isinstance(caf, Organisation) or caf.kind != Organisation.Kind.CAF:
        raise ValidationError("Les paramètres de financement appartiennent à une CAF.")


def current_versions(caf: Organisation, year: int) -> dict[str, ParameterVersion]:
    """The latest version of each key the CAF set for `year`."""
    latest: dict[str, ParameterVersion] = {}
    for version in (
        ParameterVersion.objects.filter(caf=caf, year=year)
        .select_related("created_by")
        .order_by("key", "-created_at", "-pk")
    ):
        latest.setdefault(version.key, version)
    return latest


def _normal(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@transaction.atomic
def parameter_set(*, caf, year, key, value, actor, comment: str = "") -> ParameterVersion:
    """Set (or, with an empty value, take away) the CAF's value of `key` for `year`: one new version."""
    _check_caf(caf)
    if actor is not None and not may_edit(actor, caf):
        raise ValidationError("Vous ne pouvez pas modifier les paramètres de financement de cette CAF.")
    year = check_year(year)
    if key not in PARAMETERS:
        raise ValidationError({"key": f"Paramètre inconnu « {key} »."})
    number = parse_value(key, value)
    comment = clean_text(comment or "", multiline=True)
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Le commentaire dépasse {COMMENT_MAX} caractères."})
    previous = current_versions(caf, year).get(key)
    before = _normal(previous.value) if previous is not None else None
    if before == number:
        raise ValidationError({"value": "La valeur est inchangée : rien n'est enregistré."})
    return ParameterVersion.objects.create(
        caf=caf,
        year=year,
        key=key,
        value=number,
        previous_value=before,
        comment=comment,
        created_by=actor,
    )


def _who(version: ParameterVersion) -> str:
    who = str(version.created_by) if version.created_by_id else "la plateforme"
    return f"{who}, le {version.created_at:%d/%m/%Y}"


def parameters_for(caf: Organisation | None, year: int) -> dict[str, Effective]:
    """Every parameter's effective value for `year`: the CAF's, else the public one, else a gap."""
    versions = current_versions(caf, year) if caf is not None else {}
    effective = {}
    for key in PARAMETERS:
        version = versions.get(key)
        if version is not None and version.value is not None:
            effective[key] = Effective(key, _normal(version.value), CAF_ORIGIN, f"{caf}, {_who(version)}")
        else:
            effective[key] = public_effective(key, year)
    return effective


def gaps(caf: Organisation | None, year: int) -> list[Effective]:
    """The parameters without a value for `year` (neither the CAF's nor a public one), by name."""
    return [e for e in parameters_for(caf, year).values() if e.origin == MISSING_ORIGIN]


def history(caf: Organisation, year: int | None = None, key: str | None = None):
    """The versions of the CAF's table, newest first (for a year and a key when given)."""
    versions = ParameterVersion.objects.filter(caf=caf).select_related("created_by")
    if year is not None:
        versions = versions.filter(year=year)
    if key is not None:
        versions = versions.filter(key=key)
    return versions.order_by("-created_at", "-pk")
