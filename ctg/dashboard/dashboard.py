"""The figures of the CAF's départemental dashboard (issue 14), computed once, outside of the views: the page,
its CSV and xlsx exports and `bench/caf.py` read `build_dashboard`.

Contract:
- `build_dashboard` MUST read a fixed number of queries whatever the number of CTGs (no query per dossier,
  per EPCI or per commune; `tests/dashboard/test_dashboard_queries.py`), and MUST NOT write anything.
- It MUST NOT know who asks: the views check the permission (`PlatformOp.VIEW_CAF_DASHBOARD` within
  `platform_scope`) and decide which dossiers the person may open (the dossier links).

**The state of a CTG** (`ctg_state`, pure): read from the signature (`Ctg.is_signed`: every signatory has
signed), the end of its period (31 December of `end_year`) and its phase only when it is « terminée »:
- « échue »: the phase is « terminée », or the CTG is signed and its period ended before the reference date;
- « en préparation »: not every signatory has signed, whatever its phase of work (an accord-cadre in
  « diagnostic » is signed; a convention complète in « mise en œuvre » without every signature is not in
  force): the rules tied to the signature read `is_signed`, never the phase (docs/architecture.md);
- « arrivant à échéance dans les 12 mois »: signed, and its period ends within twelve months of the
  reference date (the reference date itself up to the same day a year later, both included);
- « signée »: signed, in force or about to start (a renewal signed before its first year).

**The state of an EPCI** (`current_ctg`, pure) is that of the CTG that stands for it among the CTGs on its
territory (on the EPCI, or on some of its communes): a CTG in force (signée or arrivant à échéance; the one
whose period holds the reference year, else the next to start); otherwise a CTG en préparation (so an EPCI
whose CTG ended and whose renewal is being prepared shows the renewal); otherwise the last échue; otherwise
« pas de CTG ». A renewal in preparation beside a CTG in force is named in the row.

**The CTGs of a département** are those with a commune in it, or on an EPCI with a commune in it. An EPCI
whose communes lie in several départements belongs to one, its département of attachment
(`home_departement`): the référentiel has no seat of the EPCI, so it is the département written in the SIREN
of an EPCI created before 2009 (« 24 » + département + rank, the département of its seat at its creation)
when some member commune lies there, otherwise the département that holds most of its population
municipale (ties: most communes, then the smallest code). A CTG on communes only belongs to the département
holding most of its population. An EPCI attached elsewhere still shows, flagged « interdépartemental », in
the table and map of the other départements it covers; its CTG's fiches, budget, post and renewal count in
the dashboard of its département of attachment only. The coverage counts every commune of the département
covered by a CTG in force, whoever follows the CTG.

**Population**: the population municipale of the communes in the territorial référentiel (COG), as the
portrait; a commune without one makes the figure partial, and the figure says so.
"""

from __future__ import annotations

import datetime
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone

from ctg.conventions.models import Ctg, Field, Phase
from ctg.diagnostics.maps import load_contours, projection, svg_path
from ctg.plans.models import BudgetLine, FicheAction, Funder
from ctg.plans.summary import FUNDER, budget_summary
from ctg.post.models import CoordinatorPost, PostFunding
from ctg.post.selectors import funding_convention_stages
from ctg.territories.models import Commune, Departement, Epci

YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only (str.isdigit takes « ２０２６ »)
MIN_YEAR = 2000
MAX_YEAR = 2100
EXPIRY_MONTHS = 12


class State(models.TextChoices):
    """The state of a CTG, or of an EPCI by its CTG; in the order of the legend."""

    NONE = "aucune", "Pas de CTG"
    PREPARATION = "preparation", "En préparation"
    SIGNED = "signee", "Signée"
    EXPIRING = "echeance", "Arrivant à échéance dans les 12 mois"
    EXPIRED = "echue", "Échue"


IN_FORCE = (State.SIGNED, State.EXPIRING)
FILTER_NAMES = ("etat", "echeance", "champ")


class UnknownDepartement(LookupError):
    """No département has this code."""


class BadFilter(ValueError):
    """A filter or a year the dashboard does not take; the message is French."""


# --- pure rules ------------------------------------------------------------------------------------------


def period_end(end_year: int) -> datetime.date:
    return datetime.date(end_year, 12, 31)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the last day of the month when it has no such day: 29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def ctg_state(*, signed: bool, end_year: int, phase: str, today: datetime.date) -> State:
    """The state of one CTG at the date `today` (see the module's docstring)."""
    if phase == Phase.CLOSE:
        return State.EXPIRED
    if not signed:
        return State.PREPARATION
    end = period_end(end_year)
    if end < today:
        return State.EXPIRED
    if end <= add_months(today, EXPIRY_MONTHS):
        return State.EXPIRING
    return State.SIGNED


@dataclass(frozen=True)
class Candidate:
    """What `current_ctg` needs of a CTG: its state and period (and anything as `ref`)."""

    state: str
    start_year: int
    end_year: int
    ref: object = None


def current_ctg(candidates: list[Candidate], year: int) -> tuple[Candidate | None, Candidate | None]:
    """The CTG that stands for a territory at the reference `year`, and a renewal en préparation beside a CTG
    in force (None otherwise); see the module's docstring."""
    in_force = [c for c in candidates if c.state in IN_FORCE]
    preparing = [c for c in candidates if c.state == State.PREPARATION]
    expired = [c for c in candidates if c.state == State.EXPIRED]
    if in_force:
        running = [c for c in in_force if c.start_year <= year]
        if running:
            chosen = max(running, key=lambda c: (c.end_year, c.start_year))
        else:
            chosen = min(in_force, key=lambda c: (c.start_year, c.end_year))
        renewal = max(preparing, key=lambda c: (c.start_year, c.end_year)) if preparing else None
        return chosen, renewal
    if preparing:
        return max(preparing, key=lambda c: (c.start_year, c.end_year)), None
    if expired:
        return max(expired, key=lambda c: (c.end_year, c.start_year)), None
    return None, None


def home_departement(members: list[tuple[str, int | None]], siren: str = "") -> str | None:
    """The département of attachment of a territory from its communes' (département, population): the one
    written in an EPCI's SIREN « 24DD… » when a member lies there, else the most populated, then the one with
    most communes, then the smallest code."""
    if not members:
        return None
    departements = {dep for dep, _population in members}
    if siren.startswith("24") and siren[2:4] in departements:
        return siren[2:4]
    population: Counter = Counter()
    count: Counter = Counter()
    for dep, inhabitants in members:
        population[dep] += inhabitants or 0
        count[dep] += 1
    return min(departements, key=lambda dep: (-population[dep], -count[dep], dep))


def clean_filters(filters: dict | None) -> dict:
    """The filters of the table, checked: `etat` a state code, `echeance` a year (the end of the period),
    `champ` a CTG field; empty values dropped, any other name ignored. Raises `BadFilter`."""
    filters = filters or {}
    clean: dict = {}
    state = filters.get("etat") or ""
    if state:
        if state not in State.values:
            raise BadFilter("État inconnu.")
        clean["etat"] = state
    expiry = filters.get("echeance")
    if expiry not in (None, ""):
        clean["echeance"] = check_year(expiry, "L'année d'échéance")
    field_code = filters.get("champ") or ""
    if field_code:
        if field_code not in Field.values:
            raise BadFilter("Champ d'intervention inconnu.")
        clean["champ"] = field_code
    return clean


def check_year(value, what: str = "L'année") -> int:
    """`value` as a year between `MIN_YEAR` and `MAX_YEAR`; raises `BadFilter`."""
    text = str(value).strip()
    if not YEAR.fullmatch(text):
        raise BadFilter(f"{what} doit être une année sur quatre chiffres.")
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadFilter(f"{what} doit être comprise entre {MIN_YEAR} et {MAX_YEAR}.")
    return year


def percent(part, whole) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


# --- the dashboard ---------------------------------------------------------------------------------------


@dataclass
class CtgLine:
    """A CTG of the dashboard, as the rows and lists show it."""

    pk: int
    title: str
    caf_name: str
    epci_id: str | None
    start_year: int
    end_year: int
    period: str
    phase: str
    phase_label: str
    signed_on: datetime.date | None
    state: str
    state_label: str
    fields: list[str]
    field_labels: list[str]
    is_fictitious: bool
    home: str | None  # département of attachment
    is_home: bool  # attached to the dashboard's département
    communes: set[str] = field(default_factory=set)
    renewal_pk: int | None = None
    previous_id: int | None = None

    @property
    def expiry(self) -> datetime.date:
        return period_end(self.end_year)


@dataclass
class EpciRow:
    siren: str
    name: str
    nature: str
    communes_total: int
    communes_here: int
    population: int
    population_partial: bool
    home: str | None
    home_name: str
    interdepartemental: bool
    flagged: bool  # attached to another département
    state: str
    state_label: str
    ctg: CtgLine | None = None
    renewal: CtgLine | None = None
    covered_communes: int = 0  # communes of the EPCI covered by `ctg`
    other_ctgs: int = 0

    @property
    def partial_coverage(self) -> bool:
        return self.ctg is not None and self.covered_communes < self.communes_total


def _reference_date(year: int | None) -> tuple[int, datetime.date]:
    today = timezone.localdate()
    if year is None:
        return today.year, today
    year = check_year(year)
    return year, today if year == today.year else datetime.date(year, 1, 1)


def build_dashboard(departement_code: str, *, year: int | None = None, filters: dict | None = None) -> dict:
    """Every figure of the dashboard of `departement_code` at the reference `year` (this year by default;
    another year reads the states at its 1 January). `filters` (`clean_filters`) narrow the table only.
    Raises `UnknownDepartement`, `BadFilter`."""
    year, today = _reference_date(year)
    filters = clean_filters(filters)
    departement = Departement.objects.filter(code=departement_code).first()
    if departement is None:
        raise UnknownDepartement(departement_code)
    code = departement.code

    # The communes of the département and every member of the EPCI that cover one of them (1 query).
    local_epcis = Commune.objects.filter(departement_id=code, is_active=True, epci__isnull=False).values(
        "epci_id"
    )
    communes = {
        c[0]: c
        for c in Commune.objects.filter(
            Q(departement_id=code) | Q(epci_id__in=local_epcis), is_active=True
        ).values_list("code", "name", "departement_id", "epci_id", "population")
    }
    members: dict[str, list[tuple]] = defaultdict(list)
    for c in communes.values():
        if c[3]:
            members[c[3]].append(c)
    epcis = {
        siren: (name, nature)
        for siren, name, nature in Epci.objects.filter(siren__in=list(members)).values_list(
            "siren", "name", "nature"
        )
    }
    epci_home = {
        siren: home_departement([(c[2], c[4]) for c in rows], siren) for siren, rows in members.items()
    }

    # The CTGs on the territory (2 queries: dossiers with their CAF, signatories prefetched), their communes
    # with their département and population (1 query).
    ctgs = list(
        Ctg.objects.filter(Q(communes__departement_id=code) | Q(epci_id__in=list(members)))
        .distinct()
        .select_related("caf")
        .prefetch_related("signatories")
        .order_by("pk")
    )
    ctg_communes: dict[int, list[tuple]] = defaultdict(list)
    for ctg_id, commune, dep, population in Ctg.communes.through.objects.filter(
        ctg_id__in=[c.pk for c in ctgs]
    ).values_list("ctg_id", "commune_id", "commune__departement_id", "commune__population"):
        ctg_communes[ctg_id].append((commune, dep, population))
    field_labels = dict(Field.choices)
    lines: dict[int, CtgLine] = {}
    for ctg in ctgs:
        places = ctg_communes[ctg.pk]
        if ctg.epci_id and ctg.epci_id in epci_home:
            home = epci_home[ctg.epci_id]
        else:
            home = home_departement([(dep, population) for _c, dep, population in places])
        state = ctg_state(signed=ctg.is_signed, end_year=ctg.end_year, phase=ctg.phase, today=today)
        lines[ctg.pk] = CtgLine(
            pk=ctg.pk,
            title=ctg.title,
            caf_name=ctg.caf.name,
            epci_id=ctg.epci_id,
            start_year=ctg.start_year,
            end_year=ctg.end_year,
            period=ctg.period_label,
            phase=ctg.phase,
            phase_label=ctg.get_phase_display(),
            signed_on=ctg.signature_date,
            state=state,
            state_label=State(state).label,
            fields=list(ctg.fields),
            field_labels=[field_labels.get(f, f) for f in ctg.fields],
            is_fictitious=ctg.is_fictitious,
            home=home,
            is_home=home == code,
            communes={c for c, _dep, _population in places},
            previous_id=ctg.previous_id,
        )
    for line in lines.values():
        if line.previous_id in lines:
            lines[line.previous_id].renewal_pk = line.pk

    # The EPCI rows: the CTGs on each EPCI (on it, or on some of its communes).
    by_epci: dict[str, list[CtgLine]] = defaultdict(list)
    for line in lines.values():
        if line.epci_id and line.epci_id in members:
            by_epci[line.epci_id].append(line)
        else:
            for siren in {communes[c][3] for c in line.communes if c in communes and communes[c][3]}:
                by_epci[siren].append(line)
    homes = {h for h in epci_home.values() if h} | {line.home for line in lines.values() if line.home}
    departement_names = dict(Departement.objects.filter(code__in=homes).values_list("code", "name"))
    rows = []
    for siren, epci_members in members.items():
        name, nature = epcis.get(siren, (siren, ""))
        candidates = [Candidate(c.state, c.start_year, c.end_year, c) for c in by_epci[siren]]
        chosen, renewal = current_ctg(candidates, year)
        ctg_line = chosen.ref if chosen else None
        state = ctg_line.state if ctg_line else State.NONE
        home = epci_home[siren]
        member_codes = {c[0] for c in epci_members}
        rows.append(
            EpciRow(
                siren=siren,
                name=name,
                nature=nature,
                communes_total=len(epci_members),
                communes_here=sum(1 for c in epci_members if c[2] == code),
                population=sum(c[4] or 0 for c in epci_members),
                population_partial=any(c[4] is None for c in epci_members),
                home=home,
                home_name=departement_names.get(home, home or ""),
                interdepartemental=len({c[2] for c in epci_members}) > 1,
                flagged=home != code,
                state=state,
                state_label=State(state).label,
                ctg=ctg_line,
                renewal=renewal.ref if renewal else None,
                covered_communes=len(member_codes & ctg_line.communes) if ctg_line else 0,
                other_ctgs=len(candidates) - 1 if candidates else 0,
            )
        )
    rows.sort(key=lambda r: (r.flagged, _sort_key(r.name)))

    home_lines = [line for line in lines.values() if line.is_home]
    home_ids = [line.pk for line in home_lines]
    return {
        "departement": departement,
        "year": year,
        "today": today,
        "filters": filters,
        "rows": rows,
        "table": [r for r in rows if _matches(r, filters)],
        "state_counts": [
            (state, label, sum(1 for r in rows if r.state == state)) for state, label in State.choices
        ],
        "ctgs": sorted(home_lines, key=lambda line: (_sort_key(line.title), line.pk)),
        "ctg_ids": home_ids,
        "fictitious": sum(1 for line in lines.values() if line.is_fictitious),
        "coverage": _coverage(communes, code, lines),
        "renewals": _renewals(home_lines, lines, year),
        "posts": _posts([c for c in ctgs if c.pk in set(home_ids)], lines, year),
        "fiches": _fiches(home_ids),
        "budget": _budget(home_ids),
        "commune_epci": {c[0]: c[3] for c in communes.values() if c[2] == code},
        "commune_names": {c[0]: c[1] for c in communes.values() if c[2] == code},
    }


def _sort_key(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)).casefold()


def _matches(row: EpciRow, filters: dict) -> bool:
    if "etat" in filters and row.state != filters["etat"]:
        return False
    if "echeance" in filters and (row.ctg is None or row.ctg.end_year != filters["echeance"]):
        return False
    return not ("champ" in filters and (row.ctg is None or filters["champ"] not in row.ctg.fields))


def _coverage(communes: dict, code: str, lines: dict[int, CtgLine]) -> dict:
    """Communes and population of the département covered by a CTG in force (signée or arrivant à
    échéance)."""
    here = [c for c in communes.values() if c[2] == code]
    covered = set()
    for line in lines.values():
        if line.state in IN_FORCE:
            covered |= line.communes
    covered_rows = [c for c in here if c[0] in covered]
    population = sum(c[4] or 0 for c in here)
    population_covered = sum(c[4] or 0 for c in covered_rows)
    return {
        "communes": len(here),
        "communes_covered": len(covered_rows),
        "communes_percent": percent(len(covered_rows), len(here)),
        "population": population,
        "population_covered": population_covered,
        "population_percent": percent(population_covered, population),
        "without_population": sum(1 for c in here if c[4] is None),
    }


def _renewals(home_lines: list[CtgLine], lines: dict[int, CtgLine], year: int) -> dict:
    """The CTGs in force of the département whose period ends this year or next, with their renewal dossier
    when one exists."""
    due = {year: [], year + 1: []}
    for line in sorted(home_lines, key=lambda line: (line.end_year, _sort_key(line.title))):
        if line.state in IN_FORCE and line.end_year in due:
            renewal = lines.get(line.renewal_pk) if line.renewal_pk else None
            due[line.end_year].append({"ctg": line, "renewal": renewal})
    return {"this_year": due[year], "next_year": due[year + 1], "year": year, "next": year + 1}


def _posts(ctgs: list[Ctg], lines: dict[int, CtgLine], year: int) -> dict:
    """The coordinator posts of the département's CTGs, the CAF's funding of `year` and where each stands
    in its yearly funding convention (`ctg.post.selectors.funding_convention_stages`; absent: « aucune
    information »)."""
    ids = [c.pk for c in ctgs]
    posts = list(CoordinatorPost.objects.filter(ctg_id__in=ids).select_related("employer"))
    fundings = {f.post_id: f for f in PostFunding.objects.filter(post__in=[p.pk for p in posts], year=year)}
    stages = funding_convention_stages(ctgs, year) if posts else {}
    rows = []
    for post in sorted(posts, key=lambda p: _sort_key(lines[p.ctg_id].title)):
        funding = fundings.get(post.pk)
        rows.append(
            {
                "ctg": lines[post.ctg_id],
                "employer": post.employer.name,
                "fte": post.fte,
                "start_date": post.start_date,
                "end_date": post.end_date,
                "funding": funding,
                "stages": [s for s in stages.get(post.ctg_id, []) if _stage_of(s, post)],
            }
        )
    without = [line for line in lines.values() if line.is_home and line.state in IN_FORCE]
    with_post = {p.ctg_id for p in posts}
    return {
        "rows": rows,
        "year": year,
        "agreed": sum((r["funding"].amount_agreed for r in rows if r["funding"]), Decimal("0")),
        "to_renew": sum(1 for r in rows if r["funding"] is None and r["end_date"] is None),
        "in_force_without_post": sorted(
            (line for line in without if line.pk not in with_post), key=lambda line: _sort_key(line.title)
        ),
    }


def _stage_of(stage: dict, post) -> bool:
    """A stage of `post` (the contract gives the post in each stage; one without it is the dossier's)."""
    owner = stage.get("post") if isinstance(stage, dict) else None
    return owner is None or getattr(owner, "pk", owner) == post.pk


def _fiches(ctg_ids: list[int]) -> dict:
    """The fiches action of the département's CTGs by CTG field (a fiche of several fields counts under
    each), with the number of CTGs that have fiches in the field."""
    counts: Counter = Counter()
    ctgs: dict[str, set] = defaultdict(set)
    total = without = 0
    for ctg_id, fields in FicheAction.objects.filter(ctg_id__in=ctg_ids).values_list("ctg_id", "fields"):
        total += 1
        if not fields:
            without += 1
        for f in set(fields or ()):
            counts[f] += 1
            ctgs[f].add(ctg_id)
    rows = [
        {"code": value, "label": label, "fiches": counts[value], "ctgs": len(ctgs[value])}
        for value, label in Field.choices
        if counts[value]
    ]
    return {"rows": rows, "total": total, "without_field": without}


def _budget(ctg_ids: list[int]) -> dict:
    """The budget lines of the département's plans summed by funder and year (planned and spent)."""
    sums = list(
        BudgetLine.objects.filter(fiche__ctg_id__in=ctg_ids)
        .values("funder", "year")
        .annotate(planned=Sum("planned"), spent=Sum("spent"))
        .order_by("funder", "year")
    )
    years = sorted({s["year"] for s in sums})
    summary = budget_summary(sums, FUNDER)
    cells = {(s["funder"], s["year"]): s["planned"] for s in sums}
    labels = dict(Funder.choices)
    rows = [
        {
            "funder": row.key,
            "label": labels.get(row.key, row.key),
            "years": [cells.get((row.key, y)) or Decimal("0") for y in years],
            "planned": row.planned,
            "spent": row.spent,
        }
        for row in summary.rows
    ]
    year_totals = [sum((cells.get((r["funder"], y)) or 0 for r in rows), Decimal("0")) for y in years]
    return {
        "years": years,
        "rows": rows,
        "year_totals": year_totals,
        "planned": summary.planned,
        "spent": summary.spent,
    }


# --- the map ---------------------------------------------------------------------------------------------

# Each state has a colour and a pattern (hatching, dots, cross-hatching), so that the legend does not rely
# on colour alone; the patterns are defined in the page's SVG (templates/dashboard/_map.html).
STATE_FILLS = {
    State.NONE: "#f6f6f6",
    State.PREPARATION: "url(#ctg-state-preparation)",
    State.SIGNED: "#18753c",
    State.EXPIRING: "url(#ctg-state-echeance)",
    State.EXPIRED: "url(#ctg-state-echue)",
}
STATE_PATTERNS = {
    State.NONE: "fond gris clair uni",
    State.PREPARATION: "hachures obliques sur fond jaune",
    State.SIGNED: "vert foncé uni",
    State.EXPIRING: "points sur fond orange",
    State.EXPIRED: "quadrillage sur fond gris",
}
MAP_WIDTH = 640
MAP_HEIGHT = 520
# Below this share of commune edges shared by two communes, the contours do not fit edge to edge (simplified
# apart): the EPCI outlines are not drawn rather than drawn wrong.
SHARED_EDGES_MIN = 0.25


def state_map(data: dict) -> dict:
    """The map of the communes of the département coloured by the state of their EPCI, for the template:
    the SVG's size, one path per commune (fill, state, « commune — EPCI : état » title), the EPCI outlines
    when the contours fit edge to edge, the legend with counts, the contours' source and the communes
    without contour. `svg` is False when no contour is available."""
    names = data["commune_names"]
    shapes, source = load_contours(sorted(names))
    state_of = {r.siren: r for r in data["rows"]}
    legend = [
        {
            "state": state,
            "label": label,
            "count": count,
            "fill": STATE_FILLS[state],
            "pattern": STATE_PATTERNS[state],
        }
        for state, label, count in data["state_counts"]
    ]
    result = {"svg": bool(shapes), "legend": legend, "source": source, "missing": len(names) - len(shapes)}
    if not shapes:
        return result
    width, height, drawn, outline = _drawing(shapes, source, data["commune_epci"])
    paths = []
    for commune in sorted(shapes):
        row = state_of.get(data["commune_epci"].get(commune))
        state = row.state if row else State.NONE
        where = f"{row.name} : {State(state).label.lower()}" if row else "sans EPCI"
        paths.append(
            {
                "code": commune,
                "d": drawn[commune],
                "fill": STATE_FILLS[state],
                "state": state,
                "title": f"{names.get(commune, commune)} — {where}",
            }
        )
    result.update(
        width=round(width),
        height=round(height),
        paths=paths,
        outline=outline,
        desc=(
            f"Carte des {len(shapes)} communes du département colorées selon l'état de la CTG de leur EPCI : "
            + " ; ".join(f"{e['label']} ({e['pattern']}) : {e['count']} EPCI" for e in legend)
            + ". Le tableau des EPCI sous la carte donne les mêmes informations."
        ),
    )
    return result


_drawings: dict = {}
_drawings_lock = threading.Lock()
DRAWINGS_KEPT = 8


def _drawing(shapes: dict, source: str, epci_of: dict) -> tuple[float, float, dict[str, str], str]:
    """The projected contours of the communes and the EPCI outlines: they change only with the contours and
    the communes' EPCI, not with the states, so the last `DRAWINGS_KEPT` are kept in memory (the contours'
    own cache keeps the shape objects, whose ids are part of the key)."""
    key = (
        source,
        tuple((code, id(shapes[code]), epci_of.get(code)) for code in sorted(shapes)),
    )
    with _drawings_lock:
        found = _drawings.get(key)
    if found is not None:
        return found
    project, width, height = projection(shapes, MAP_WIDTH, MAP_HEIGHT)
    drawn = {code: svg_path(shape, project) for code, shape in shapes.items()}
    found = (width, height, drawn, epci_outline(shapes, epci_of, project))
    with _drawings_lock:
        if len(_drawings) >= DRAWINGS_KEPT:
            _drawings.pop(next(iter(_drawings)))
        _drawings[key] = found
    return found


def epci_outline(shapes: dict, epci_of: dict[str, str | None], project) -> str:
    """The `d` of the EPCI boundaries: the commune edges between two EPCI (or on the map's edge), drawn
    once; "" when the contours do not share their edges (`SHARED_EDGES_MIN`)."""

    def key(a, b):
        a, b = (round(a[0], 5), round(a[1], 5)), (round(b[0], 5), round(b[1], 5))
        return (a, b) if a <= b else (b, a)

    owners: dict[tuple, set] = defaultdict(set)
    seen: Counter = Counter()
    for code, shape in shapes.items():
        owner = epci_of.get(code) or f"commune:{code}"
        for polygon in shape:
            for ring in polygon:
                for a, b in zip(ring, ring[1:], strict=False):
                    if a != b:
                        k = key(a, b)
                        owners[k].add(owner)
                        seen[k] += 1
    if not seen or sum(1 for n in seen.values() if n >= 2) < SHARED_EDGES_MIN * len(seen):
        return ""
    drawn: set = set()
    parts = []
    for shape in shapes.values():
        for polygon in shape:
            for ring in polygon:
                run: list = []
                for a, b in zip(ring, ring[1:], strict=False):
                    k = key(a, b) if a != b else None
                    boundary = k is not None and k not in drawn and (seen[k] == 1 or len(owners[k]) > 1)
                    if boundary:
                        drawn.add(k)
                        if not run:
                            run.append(project(*a))
                        run.append(project(*b))
                    elif run:
                        parts.append(_polyline(run))
                        run = []
                if run:
                    parts.append(_polyline(run))
    return "".join(parts)


def _polyline(points) -> str:
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)
