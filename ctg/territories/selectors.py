"""Reads of the territorial reference data. Everything here is public: no user scoping."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.urls import reverse

from ctg.territories.models import Commune, Departement, Epci, FormerCommuneCode
from ctg.territories.text import normalize

SEARCH_LIMIT = 10
# INSEE codes ("81004", "2A004", "975"), postal codes and SIREN: letters and digits, no space.
_CODE_LIKE = re.compile(r"^[0-9][0-9AB][0-9]{0,7}$", re.IGNORECASE)


class Rank:
    """Lower ranks come first."""

    EXACT_CODE = 0
    EXACT_NAME = 1
    PREFIX = 2  # the name starts with the query, or a code does
    WORD_PREFIX = 3  # a word of the name starts with the query: "jean" in "Saint-Jean-de-Luz"
    CONTAINS = 4


@dataclass(frozen=True)
class SearchResult:
    kind: str  # "commune", "epci" or "departement"
    code: str
    name: str
    detail: str
    population: int | None
    url: str
    rank: int

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


KIND_LABELS = {"departement": "Département", "epci": "EPCI", "commune": "Commune"}
_KIND_ORDER = {"departement": 0, "epci": 1, "commune": 2}


def _postal_code_q(value: str, *, prefix: bool) -> Q:
    """Match one of the space-separated postal codes, exactly or by its beginning."""
    if prefix:
        return Q(postal_codes__startswith=value) | Q(postal_codes__contains=f" {value}")
    return (
        Q(postal_codes=value)
        | Q(postal_codes__startswith=f"{value} ")
        | Q(postal_codes__endswith=f" {value}")
        | Q(postal_codes__contains=f" {value} ")
    )


def _name_filters(rank: int, text: str) -> Q | None:
    if rank == Rank.EXACT_NAME:
        return Q(search_name=text)
    if rank == Rank.PREFIX:
        return Q(search_name__startswith=text) & ~Q(search_name=text)
    if rank == Rank.WORD_PREFIX:
        return Q(search_name__contains=f" {text}") & ~Q(search_name__startswith=text)
    if rank == Rank.CONTAINS:
        return (
            Q(search_name__contains=text)
            & ~Q(search_name__contains=f" {text}")
            & ~Q(search_name__startswith=text)
        )
    return None


def _filters(kind: str, rank: int, code: str | None, text: str) -> Q | None:
    """The condition that puts a territory of `kind` at `rank` for the query (None: nothing can)."""
    # Names have no digits to speak of: a number is looked for among codes only.
    name_q = _name_filters(rank, text) if len(text) >= 2 and not text.isdigit() else None
    code_q = None
    if code and rank == Rank.EXACT_CODE:
        code_q = {
            "commune": Q(code=code) | _postal_code_q(code, prefix=False),
            "epci": Q(siren=code),
            "departement": Q(code=code),
        }[kind]
    elif code and rank == Rank.PREFIX and len(code) >= 2:
        code_q = {
            "commune": (Q(code__startswith=code) & ~Q(code=code))
            | (_postal_code_q(code, prefix=True) & ~_postal_code_q(code, prefix=False)),
            "epci": Q(siren__startswith=code) & ~Q(siren=code),
            "departement": Q(code__startswith=code) & ~Q(code=code),
        }[kind]
    if name_q is not None and code_q is not None:
        return name_q | code_q
    return name_q if name_q is not None else code_q


def _results(kind: str, rank: int, condition: Q, limit: int) -> list[SearchResult]:
    if kind == "commune":
        rows = (
            Commune.objects.filter(condition, is_active=True)
            .select_related("departement")
            .order_by("-population", "name", "code")[:limit]
        )
        return [
            SearchResult(
                "commune",
                c.code,
                c.name,
                f"{c.departement.name} ({c.departement_id})"
                + (f" · {', '.join(c.postal_code_list)}" if c.postal_codes else ""),
                c.population,
                reverse("territories:commune", args=[c.code]),
                rank,
            )
            for c in rows
        ]
    if kind == "epci":
        rows = Epci.objects.filter(condition, is_active=True).order_by("-population", "name")[:limit]
        return [
            SearchResult(
                "epci",
                e.siren,
                e.name,
                f"{e.get_nature_display()} · SIREN {e.siren}",
                e.population,
                reverse("territories:epci", args=[e.siren]),
                rank,
            )
            for e in rows
        ]
    rows = (
        Departement.objects.filter(condition, is_active=True)
        .select_related("region")
        .annotate(population=Sum("communes__population", filter=Q(communes__is_active=True)))
        .order_by("code")[:limit]
    )
    return [
        SearchResult(
            "departement",
            d.code,
            d.name,
            f"Département {d.code} · {d.region.name}",
            d.population,
            reverse("territories:departement", args=[d.code]),
            rank,
        )
        for d in rows
    ]


def search_territories(q: str, limit: int = SEARCH_LIMIT) -> list[SearchResult]:
    """Communes (name, INSEE or postal code), EPCI (name, SIREN) and départements (name, code) matching `q`.

    Exact codes come first, then exact names, names starting with `q`, names with a word starting with `q`,
    and names containing `q`; within a rank, départements, then EPCI, then communes, the most populated first.
    Only territories in force. The comparison ignores case, accents, hyphens and apostrophes.
    """
    q = (q or "").strip()[:100]
    text = normalize(q, partial=True)
    code = q.upper() if _CODE_LIKE.match(q) else None
    if not text and not code:
        return []
    found: list[SearchResult] = []
    seen: set[tuple[str, str]] = set()
    for rank in (Rank.EXACT_CODE, Rank.EXACT_NAME, Rank.PREFIX, Rank.WORD_PREFIX, Rank.CONTAINS):
        level = []
        for kind in ("departement", "epci", "commune"):
            condition = _filters(kind, rank, code, text)
            if condition is not None:
                level.extend(_results(kind, rank, condition, limit - len(found)))
        level.sort(key=lambda r: (_KIND_ORDER[r.kind], -(r.population or 0), r.name))
        for result in level:
            if (result.kind, result.code) not in seen:
                seen.add((result.kind, result.code))
                found.append(result)
        if len(found) >= limit:
            break
    return found[:limit]


def _clean_code(code) -> str:
    code = str(code or "").strip().upper()
    # Spreadsheets drop the leading zero of the codes of Ain to Ariège: 1001 is 01001.
    if code.isdigit() and len(code) == 4:
        code = code.zfill(5)
    return code


def resolve_commune_code(code) -> Commune | None:
    """The commune in force today for an INSEE code of any recent COG vintage, or None.

    A current code gives its commune; a former one (commune déléguée, associée or merged) gives the commune
    that absorbed it; failing that, an obsolete commune of that code is returned as is.
    """
    code = _clean_code(code)
    if not code:
        return None
    commune = Commune.objects.filter(code=code).first()
    if commune is not None and commune.is_active:
        return commune
    former = (
        FormerCommuneCode.objects.filter(code=code, commune__is_active=True)
        .select_related("commune")
        .order_by(_former_kind_case(), "commune_id")
        .first()
    )
    if former is not None:
        return former.commune
    return commune


def _former_kind_case():
    # A déléguée or associée still lies inside its chef-lieu: prefer it to an "ancien code" that history may
    # have given to another commune too (55273 is both).
    return Case(
        When(kind=FormerCommuneCode.Kind.FORMER, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def resolve_commune_codes(codes: Iterable[str]) -> dict[str, str]:
    """Map each of `codes` to the code of the commune in force today, as `resolve_commune_code` does.

    Codes that resolve to nothing are left out. For statistics imports: three queries for any number of codes.
    """
    cleaned = {code: _clean_code(code) for code in codes}
    active = set(Commune.objects.filter(is_active=True).values_list("code", flat=True))
    former = {}
    rows = FormerCommuneCode.objects.filter(commune__is_active=True).values_list("code", "kind", "commune_id")
    # Same preference as resolve_commune_code: déléguées and associées first, then the lowest commune code.
    for former_code, _kind, commune_id in sorted(
        rows, key=lambda r: (r[1] == FormerCommuneCode.Kind.FORMER, r[2])
    ):
        former.setdefault(former_code, commune_id)
    inactive = set(Commune.objects.filter(is_active=False).values_list("code", flat=True))
    mapping = {}
    for original, code in cleaned.items():
        if code in active:
            mapping[original] = code
        elif code in former:
            mapping[original] = former[code]
        elif code in inactive:
            mapping[original] = code
    return mapping


def commune_detail(code: str) -> Commune | None:
    return (
        Commune.objects.select_related("departement", "region", "epci")
        .prefetch_related("former_codes")
        .filter(code=code)
        .first()
    )


def epci_members(epci: Epci):
    return epci.communes.filter(is_active=True).select_related("departement").order_by("name", "code")


def epci_departements(epci: Epci):
    """The départements the EPCI spans, with its number of member communes and population in each."""
    members = Q(communes__epci=epci, communes__is_active=True)
    return (
        Departement.objects.filter(code__in=epci_members(epci).values("departement"))
        .annotate(
            member_count=Count("communes", filter=members),
            member_population=Sum("communes__population", filter=members),
        )
        .order_by("code")
    )


def departement_communes(departement: Departement):
    return departement.communes.filter(is_active=True).select_related("epci").order_by("name", "code")


def departement_totals(departement: Departement) -> dict:
    return departement.communes.filter(is_active=True).aggregate(
        count=Count("code"), population=Sum("population")
    )


def departement_epcis(departement: Departement):
    """The EPCI with at least one commune in the département; `member_count` counts those communes only."""
    communes = departement_communes(departement).filter(epci__isnull=False)
    return (
        Epci.objects.filter(siren__in=communes.values("epci"), is_active=True)
        .annotate(
            member_count=Count(
                "communes", filter=Q(communes__departement=departement, communes__is_active=True)
            ),
            total_count=Count("communes", filter=Q(communes__is_active=True)),
        )
        .order_by("name")
    )
