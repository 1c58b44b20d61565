"""The portrait social de territoire of a commune, an EPCI, a département or a dossier's list of communes."""

import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Q, Sum

from ctg.diagnostics import engine, reader, store
from ctg.diagnostics.catalogue import (
    BY_ID,
    FILOSOFI_IRIS,
    INDICATORS,
    THEME_ORDER,
    Indicator,
    Kind,
    Theme,
    source_label,
)
from ctg.diagnostics.engine import ABSENT, NON_DISPONIBLE, OK, PARTIEL, SECRET, Value
from ctg.diagnostics.iris import IrisTables, iris_tables
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.readings import attention_points, compare_sentence, format_number, theme_reading
from ctg.territories import french
from ctg.territories.models import Commune, Departement, Epci, FormerCommuneCode, Region


class TerritoryNotFound(LookupError):
    pass


@dataclass
class Territory:
    code: str
    kind: str  # commune | epci | departement | communes
    name: str
    communes: list[str]
    population: int
    departements: list[str]  # by decreasing population share
    region: str | None
    commune_names: dict[str, str] = field(default_factory=dict)  # code → name, read with the codes

    def commune_name(self, code: str) -> str:
        return self.commune_names.get(code, code)

    @property
    def kind_label(self) -> str:
        return {
            "commune": "Commune",
            "epci": "Intercommunalité",
            "departement": "Département",
            "communes": "Communes",
        }[self.kind]


@dataclass
class Reference:
    level: str  # departement | region | france
    code: str | None
    name: str
    value: float | None
    status: str
    reason: str = ""
    # The reason without the level, for a note under a table, in the words of the status lines: « 13 communes
    # absentes du fichier (communes non découpées en IRIS) ; 1 commune soumise au secret statistique ».
    detail: str = ""


@dataclass
class IndicatorResult:
    indicator: Indicator
    value: Value
    source: str
    references: dict[str, Reference] = field(default_factory=dict)
    previous: Value | None = None  # same indicator, previous vintage, when both are loaded
    comparison: str = ""

    @property
    def evolution(self) -> float | None:
        if self.previous is None or self.previous.value is None or self.value.value is None:
            return None
        return self.value.value - self.previous.value


class CommuneValues:
    """The values of each commune of the territory, from the rows the portrait read for the territory's own
    figures (`engine.read_territory`): no second pass over the store; computed per indicator when asked."""

    def __init__(self, rows: dict[str, engine.TerritoryRows] | None = None, indicators=()):
        self._rows = rows or {}  # dataset kind → rows of its latest vintage
        self._indicators = {ind.id: ind for ind in indicators}  # as computed (fallback dataset applied)
        self._columns: dict[str, dict[str, Value]] = {}

    def available(self, indicator_id: str) -> bool:
        """Whether the store holds the indicator's columns (its components' columns, for a derived one)."""
        declared = BY_ID[indicator_id]
        if declared.kind == Kind.DERIVED:
            return all(self.available(i) for i in declared.derived_from)
        ind = self._indicators.get(indicator_id)
        rows = self._rows.get(ind.dataset) if ind is not None else None
        pair = rows.resolution(indicator_id) if rows is not None else None
        return pair is not None and pair[1] is not None

    def column(self, indicator_id: str) -> dict[str, Value]:
        """{commune code: Value}; a commune without a value for the indicator is absent."""
        if indicator_id not in self._columns:
            self._columns[indicator_id] = self._compute(indicator_id)
        return self._columns[indicator_id]

    def _compute(self, indicator_id: str) -> dict[str, Value]:
        declared = BY_ID[indicator_id]
        if declared.kind == Kind.DERIVED:
            top, bottom = (self.column(i) for i in declared.derived_from)
            return {code: _derived_value(declared, value, bottom.get(code)) for code, value in top.items()}
        ind = self._indicators.get(indicator_id)
        if ind is None or ind.dataset not in self._rows:
            return {}
        return engine.commune_values(self._rows[ind.dataset], indicator_id)

    def of(self, code: str, indicator_ids) -> dict[str, Value]:
        """{indicator id: Value} of one commune."""
        values = {}
        for indicator_id in indicator_ids:
            value = self.column(indicator_id).get(code)
            if value is not None:
                values[indicator_id] = value
        return values


@dataclass
class Portrait:
    territory: Territory
    results: list[IndicatorResult]
    datasets: dict[str, int]  # kind → vintage used
    attention: list[dict] = field(default_factory=list)
    fictitious_datasets: list[str] = field(default_factory=list)  # labels of generated (demo) datasets used
    communes: CommuneValues = field(default_factory=CommuneValues)
    # Generated (demo) datasets among all the catalogue's datasets in the store (latest vintages), by kind.
    fictitious_in_store: list[str] = field(default_factory=list)
    # The names of the départements and regions, by code, read for the references (empty without them).
    level_names: dict[str, dict[str, str]] = field(default_factory=dict)
    # The IRIS of the territory's IRIS-split communes (FiLoSoFi IRIS), for the full portrait only.
    iris: IrisTables | None = None

    @property
    def is_fictitious(self) -> bool:
        return bool(self.fictitious_datasets)

    def by_theme(self) -> list[dict]:
        groups = []
        for theme in THEME_ORDER:
            items = [r for r in self.results if r.indicator.theme == theme]
            if items:
                groups.append(
                    {
                        "theme": theme,
                        "label": Theme(theme).label,
                        "results": items,
                        "reading": theme_reading(items),
                    }
                )
        return groups

    def result(self, indicator_id: str) -> IndicatorResult:
        return next(r for r in self.results if r.indicator.id == indicator_id)


# --- territories ---------------------------------------------------------------------------------------


def _departements_by_weight(codes: list[str]) -> list[str]:
    rows = (
        Commune.objects.filter(code__in=codes)
        .values("departement_id")
        .annotate(pop=Sum("population"))
        .order_by("-pop", "departement_id")
    )
    return [r["departement_id"] for r in rows]


def _territory(code, kind, name, communes_qs) -> Territory:
    names = dict(communes_qs.filter(is_active=True).values_list("code", "name"))
    codes = list(names)
    population = communes_qs.filter(is_active=True).aggregate(p=Sum("population"))["p"] or 0
    departements = _departements_by_weight(codes)
    region = None
    if departements:
        region = Departement.objects.filter(code=departements[0]).values_list("region_id", flat=True).first()
    return Territory(code, kind, name, codes, population, departements, region, names)


def resolve_territory(code: str) -> Territory:
    """A commune (INSEE code, also a former one), an EPCI (SIREN) or a département (code)."""
    code = (code or "").strip().upper()
    if re.fullmatch(r"\d{9}", code):
        epci = Epci.objects.filter(siren=code).first()
        if epci is None:
            raise TerritoryNotFound(f"EPCI inconnu : {code}.")
        return _territory(epci.siren, "epci", epci.name, epci.communes.all())
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", code):
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            former = FormerCommuneCode.objects.filter(code=code).select_related("commune").first()
            if former is None:
                raise TerritoryNotFound(f"Commune inconnue : {code}.")
            commune = former.commune
        return _territory(commune.code, "commune", commune.name, Commune.objects.filter(pk=commune.pk))
    if re.fullmatch(r"\d{2,3}|2[AB]", code):
        departement = Departement.objects.filter(code=code).first()
        if departement is None:
            raise TerritoryNotFound(f"Département inconnu : {code}.")
        return _territory(departement.code, "departement", departement.name, departement.communes.all())
    raise TerritoryNotFound(
        f"Code de territoire non reconnu : « {code} » "
        "(code Insee de commune, SIREN d'EPCI ou code de département)."
    )


def of_territory(territory: Territory) -> str:
    """« de » and the territory's name with its article, as the COG writes it (TNCC): « de la Haute-Vienne »,
    « du Tarn », « du Vigen », « de la CC Tarn-Agout », « de Limoges Métropole »."""
    if territory.kind == "departement":
        departement = Departement.objects.filter(code=territory.code).first()
        if departement is not None:
            return french.departement_of(departement)
    if territory.kind == "commune":
        commune = Commune.objects.filter(code=territory.code).first()
        if commune is not None:
            return french.of(commune.name, commune.type_liaison)
    if territory.kind == "epci":
        return french.epci_of(territory.name)
    return french.contract("de", territory.name)


def territory_of_ctg(ctg) -> Territory:
    """The dossier's territory: its EPCI when it covers every commune of it, otherwise its communes (a list,
    or an EPCI minus some communes: « Limoges Métropole, communes membres hors Limoges »)."""
    if ctg.covers_whole_epci:
        return resolve_territory(ctg.epci_id)
    qs = ctg.communes.all()
    if qs.count() == 1:
        return resolve_territory(qs.first().code)
    return _territory(ctg.territory_code, "communes", ctg.territory_name, Commune.objects.filter(ctgs=ctg))


# --- portrait ------------------------------------------------------------------------------------------


def datasets_in_use() -> dict[str, list[int]]:
    kinds = {ind.dataset for ind in INDICATORS}
    kinds |= {ind.fallback[0] for ind in INDICATORS if ind.fallback}
    kinds |= {dataset for ind in INDICATORS for _kind, dataset, _columns in ind.levels}
    kinds &= set(store.KINDS)
    return {kind: years for kind in sorted(kinds) if (years := engine.available_vintages(kind))}


LEVEL_NAMES = {"departement": "département", "region": "région", "france": "France"}


def _reference(level, code, name, value: Value | None, ind: Indicator) -> Reference:
    if value is None:
        return Reference(
            level,
            code,
            name,
            None,
            NON_DISPONIBLE,
            "Aucune donnée pour ce niveau.",
            "aucune donnée à ce niveau",
        )
    if value.status == OK:
        return Reference(level, code, name, value.value, OK)
    if ind.kind == Kind.NOT_AGGREGATABLE:
        reason = engine.NOT_AGGREGATABLE_NOTE
        detail = (
            "ne s'agrège pas sur plusieurs communes, et le fichier officiel de ce niveau n'est pas chargé"
        )
    elif value.communes:
        detail = _missing_detail(value)
        reason = f"Référence non calculée ({LEVEL_NAMES[level]}) : {detail}."
    elif value.status == SECRET:  # the figure published for the level, blanked by the source
        detail = "valeur du niveau masquée par la source (secret statistique)"
        reason = f"Référence non calculée ({LEVEL_NAMES[level]}) : {detail}."
    elif value.status == ABSENT:  # the level is not in the file published for it
        detail = "niveau absent du fichier publié"
        reason = f"Référence non calculée ({LEVEL_NAMES[level]}) : {detail}."
    else:
        reason = "Aucune donnée pour ce niveau."
        detail = "aucune donnée à ce niveau"
    return Reference(level, code, name, None, value.status, reason, detail)


def _missing_detail(value: Value) -> str:
    """Why a reference has no figure, in the words of the figures' status lines: the communes absent from the
    file (and why) apart from those whose value the source withheld (« 13 communes absentes du fichier
    (communes non découpées en IRIS) ; 1 commune soumise au secret statistique »), never all « sans donnée
    (secret statistique) »."""
    cov = value.detail
    phrases = engine.missing_phrases(cov) if cov is not None else []
    if cov is not None and cov.secret_parts:
        phrases.append(
            f"{format_number(cov.secret_parts, 0)} IRIS sur {format_number(cov.parts, 0)} soumis au secret"
        )
    if phrases:
        return " ; ".join(phrases)
    missing = value.communes - value.communes_with_data
    return (
        f"{format_number(missing, 0)} commune{'s' if missing > 1 else ''} sur "
        f"{format_number(value.communes, 0)} sans donnée"
    )


def effective_indicators(available: dict[str, list[int]]) -> list[Indicator]:
    """The catalogue as it can be computed now: an indicator whose dataset has no vintage in the store uses
    its fallback dataset when it has one (BPE counts from the census dossier complet)."""
    items = []
    for ind in INDICATORS:
        if ind.kind == Kind.DERIVED:
            continue
        if ind.fallback and available.get(ind.fallback[0]) and not _computable(ind, available):
            ind = replace(ind, dataset=ind.fallback[0], numerator=ind.fallback[1])
        items.append(ind)
    return items


def _computable(ind: Indicator, available: dict[str, list[int]]) -> bool:
    """Whether the latest vintage of the indicator's own dataset carries its columns."""
    years = available.get(ind.dataset)
    if not years:
        return False
    return engine.resolve(ind, set(engine.dataset_columns(ind.dataset, years[-1])), years[-1]) is not None


def _level_value(ind: Indicator, level_kind: str, code: str, available) -> Value | None:
    """The figure published for an upper level (EPCI, département), when its official file is loaded."""
    for kind, dataset, columns in ind.levels:
        if kind != level_kind or not available.get(dataset):
            continue
        year = available[dataset][-1]
        present = set(engine.dataset_columns(dataset, year))
        if not all(c in present for c in columns):
            return Value(
                None, NON_DISPONIBLE, None, year, note="Le fichier publié ne contient pas cette variable."
            )
        rows = reader.read_dataset(dataset, year, codes=[code], columns=columns)
        if not rows:
            return Value(
                None, ABSENT, None, year, note="absent du fichier : territoire absent du fichier publié"
            )
        row = rows[0]
        if any(row[c] is None for c in columns):
            if any(row[c + store.SECRET_SUFFIX] for c in columns):
                return Value(
                    None, SECRET, None, year, note="secret statistique : valeur masquée par la source"
                )
            return Value(None, NON_DISPONIBLE, None, year, note="non disponible : valeur non publiée")
        return Value(sum(row[c] for c in columns), OK, 1.0, year, note="Valeur publiée pour ce niveau.")
    return None


def _derived(ind: Indicator, numerator: IndicatorResult | None, denominator: IndicatorResult | None):
    a = numerator.value if numerator else None
    return _derived_value(ind, a, denominator.value if denominator else None)


def _derived_value(ind: Indicator, a: Value | None, b: Value | None) -> Value:
    if a is None or b is None or a.value is None or not b.value:
        status = a.status if a is not None and a.status != OK else NON_DISPONIBLE
        return Value(None, status, None, a.year if a else None, note="Composantes non disponibles.")
    worst = PARTIEL if PARTIEL in (a.status, b.status) else OK
    coverage = min(x for x in (a.coverage, b.coverage) if x is not None) if a.coverage or b.coverage else None
    return Value(a.value / b.value * ind.scale, worst, coverage, a.year, note=a.note or b.note)


def build_portrait(
    territory: Territory, *, with_references: bool = True, indicators: Collection[str] | None = None
) -> Portrait:
    """The portrait of `territory`; its communes' values come with it (`Portrait.communes`), from the same
    read of the store. `indicators`: only those figures of the territory (the CSV's key figures); the store is
    read as for the whole portrait, so that DuckDB keeps one table per dataset for both."""
    engine.refresh()
    available = datasets_in_use()
    results: dict[str, IndicatorResult] = {}
    used: dict[str, int] = {}
    names = _level_names() if with_references else {}
    groups: dict[str, list[Indicator]] = {}
    effective = effective_indicators(available)
    for ind in effective:
        groups.setdefault(ind.dataset, []).append(ind)
    commune_rows: dict[str, engine.TerritoryRows] = {}
    for kind, group in groups.items():
        computed = [ind for ind in group if indicators is None or ind.id in indicators]
        if not computed:
            continue
        years = available.get(kind, [])
        if not years:
            results.update(_level_results(territory, computed, available, names, with_references))
            continue
        used[kind] = years[-1]
        # One read of the communes' rows: the territory's figures, and each commune's (table, map, CSV).
        commune_rows[kind] = engine.read_territory(kind, years[-1], group, territory.communes)
        results.update(
            _dataset_results(
                territory, kind, years, group, computed, commune_rows[kind], available, names, with_references
            )
        )
    _add_derived_results(results, indicators)
    iris = iris_tables(territory.communes) if with_references and indicators is None else None
    if iris is not None:
        used[FILOSOFI_IRIS] = iris.year
    for result in results.values():
        result.comparison = compare_sentence(result)
    ordered = [results[ind.id] for ind in INDICATORS if ind.id in results]
    latest = {kind: years[-1] for kind, years in available.items()}
    fictitious = _fictitious_labels(latest)
    portrait = Portrait(
        territory,
        ordered,
        used,
        fictitious_datasets=[fictitious[kind] for kind in used if kind in fictitious],
        communes=CommuneValues(commune_rows, effective),
        fictitious_in_store=[fictitious[kind] for kind in latest if kind in fictitious],
        level_names=names,
        iris=iris,
    )
    portrait.attention = attention_points(ordered, thresholds=attention_thresholds())
    return portrait


def _level_names() -> dict[str, dict[str, str]]:
    """The names of the départements and regions, by code, for the references."""
    return {
        "departement": dict(Departement.objects.values_list("code", "name")),
        "region": dict(Region.objects.values_list("code", "name")),
    }


def _dataset_results(
    territory: Territory,
    kind: str,
    years: list[int],
    group: list[Indicator],
    computed: list[Indicator],
    rows: engine.TerritoryRows,
    available: dict[str, list[int]],
    names: dict,
    with_references: bool,
) -> dict[str, IndicatorResult]:
    """The results of the `computed` indicators of one dataset, from its latest vintage (`rows`, read for
    the territory's communes), with the previous vintage and, when asked, the references."""
    year = years[-1]
    own = engine.territory_values(rows, computed)
    previous = {}
    if len(years) > 1:
        older = engine.read_territory(kind, years[-2], group, territory.communes)
        previous = engine.territory_values(older, computed)
    refs = {}
    if with_references:
        refs = {
            level: engine.aggregate_cached(kind, year, computed, group=level, fresh=True)
            for level in ("departement", "region", "france")
        }
    results = {}
    for ind in computed:
        value = own.get(ind.id) or Value(None, NON_DISPONIBLE, None, year, note="Aucune donnée.")
        published = _level_value(ind, territory.kind, territory.code, available)
        if published is not None:
            value = published
        source = _result_source(ind, value, year, kind)
        result = IndicatorResult(ind, value, source, previous=previous.get(ind.id))
        if with_references:
            _add_references(result, ind, territory, refs, names, available)
        results[ind.id] = result
    return results


def _level_results(
    territory: Territory, computed: list[Indicator], available, names: dict, with_references: bool
) -> dict[str, IndicatorResult]:
    """The indicators of a dataset not imported: « Fichier source non importé », except the figures published
    for an upper level whose own file is loaded (the Cnaf coverage rate of the département, say): the
    territory's own when it is of that level, and the references."""
    results = {}
    for ind in computed:
        value = _level_value(ind, territory.kind, territory.code, available)
        dataset = next((d for level, d, _c in ind.levels if level == territory.kind), None)
        if value is None:
            value = Value(None, NON_DISPONIBLE, None, None, note="Fichier source non importé.")
            dataset = None
        result = IndicatorResult(ind, value, source_label(ind, value.year, dataset))
        if with_references and ind.levels:
            _add_references(
                result, ind, territory, {"departement": {}, "region": {}, "france": {}}, names, available
            )
            if all(reference.value is None for reference in result.references.values()):
                result.references = {}
        results[ind.id] = result
    return results


def _result_source(ind: Indicator, value: Value, year: int, kind: str) -> str:
    source = source_label(ind, value.year or year, kind)
    declared = BY_ID[ind.id]
    if declared.dataset != kind and declared.fallback_keeps_source:
        # BPE counts read in the dossier complet: the source is still the BPE.
        source = (
            source_label(declared, value.year or year)
            + f" (colonnes du fichier : {source_label(ind, year, kind)})"
        )
    return source


def _add_references(
    result: IndicatorResult, ind: Indicator, territory: Territory, refs: dict, names: dict, available
) -> None:
    """The département, region and France references of `result` (not the territory's own level)."""
    departement = territory.departements[0] if territory.departements else None
    for level, code in (
        ("departement", departement),
        ("region", territory.region),
        ("france", "FR"),
    ):
        if level == territory.kind or code is None:
            continue
        name = names.get(level, {}).get(code, "France")
        reference = refs[level].get(code, {}).get(ind.id)
        level_published = _level_value(ind, level, code, available) if level != "france" else None
        result.references[level] = _reference(
            level, code if level != "france" else None, name, level_published or reference, ind
        )


def _add_derived_results(results: dict[str, IndicatorResult], indicators: Collection[str] | None) -> None:
    """Adds to `results` the derived indicators (a ratio of two others), with their references."""
    for ind in INDICATORS:
        if ind.kind != Kind.DERIVED or (indicators is not None and ind.id not in indicators):
            continue
        top, bottom = (results.get(i) for i in ind.derived_from)
        result = IndicatorResult(
            ind, _derived(ind, top, bottom), top.source if top else source_label(ind, None)
        )
        if top is not None and bottom is not None:
            for level in set(top.references) & set(bottom.references):
                a, b = top.references[level], bottom.references[level]
                value = a.value / b.value * ind.scale if a.value is not None and b.value else None
                reason = a.reason or b.reason if value is None else ""
                detail = a.detail or b.detail if value is None else ""
                result.references[level] = Reference(level, a.code, a.name, value, a.status, reason, detail)
        results[ind.id] = result


def fictitious_datasets(used: dict[str, int]) -> list[str]:
    """The datasets in use whose file in the store was generated for the demonstration."""
    labels = _fictitious_labels(used)
    return [labels[kind] for kind in used if kind in labels]


def _fictitious_labels(vintages: dict[str, int]) -> dict[str, str]:
    """{kind: label} of the vintages whose latest import was generated for the demonstration (one query)."""
    if not vintages:
        return {}
    wanted = Q()
    for kind, year in vintages.items():
        wanted |= Q(kind=kind, year=year)
    labels: dict[str, str] = {}
    seen = set()
    for record in DatasetImport.objects.filter(wanted).order_by("-imported_at", "-pk"):
        if (record.kind, record.year) in seen:
            continue
        seen.add((record.kind, record.year))  # the latest import of that vintage is the file in the store
        if record.is_fictitious:
            labels[record.kind] = f"{record.get_kind_display()} {record.year}"
    return labels


def attention_thresholds() -> dict:
    return {
        "points": float(getattr(settings, "CTG_ATTENTION_POINTS", 2.0)),
        "relative": float(getattr(settings, "CTG_ATTENTION_RELATIVE", 0.10)),
    }


def portrait_as_json(portrait: Portrait) -> dict:
    t = portrait.territory
    items = []
    for r in portrait.results:
        refs = r.references
        dep, reg, fr = refs.get("departement"), refs.get("region"), refs.get("france")
        items.append(
            {
                "id": r.indicator.id,
                "label": r.indicator.label,
                "theme": r.indicator.theme,
                "unit": r.indicator.unit,
                "year": r.value.year,
                "value": _round(r.value.value),
                "status": r.value.status,
                "source": r.source,
                "coverage": None if r.value.coverage is None else round(r.value.coverage, 4),
                # A figure that is not complete: its status and coverage, as the page and the PDF say it.
                "caveat": r.value.caveat,
                "completeness": _completeness_json(r.value.detail),
                "references": {
                    "departement": {
                        "code": dep.code if dep else None,
                        "value": _round(dep.value) if dep else None,
                    },
                    "region": {
                        "code": reg.code if reg else None,
                        "value": _round(reg.value) if reg else None,
                    },
                    "france": {"value": _round(fr.value) if fr else None},
                },
            }
        )
    data = {
        "territory": {
            "code": t.code,
            "kind": t.kind,
            "name": t.name,
            "population": t.population,
            "communes": len(t.communes),
        },
        "indicators": items,
    }
    if portrait.is_fictitious:
        data["fictitious_datasets"] = portrait.fictitious_datasets
    return data


def _completeness_json(detail: engine.Coverage | None) -> dict | None:
    if detail is None:
        return None
    return {
        "communes": detail.communes,
        "communes_counted": detail.with_data,
        "communes_absent": [{"reason": several, "communes": n} for (_one, several), n in detail.absent],
        "communes_secret": detail.secret,
        "communes_unpublished": detail.unpublished,
        "population_share": None if detail.population_share is None else round(detail.population_share, 4),
        "communes_partly_secret": detail.partial_communes,
        "iris_secret": detail.secret_parts,
        "iris": detail.parts,
    }


def _round(value):
    return None if value is None else round(value, 4)
