"""Import of the administrative map of France from the npm package `@etalab/decoupage-administratif`.

The contract is the one of every reference-data import: idempotent, create or update, never delete, mark
obsolete (`is_active=False`) what the source no longer lists. The source is read and checked whole before the
database is touched, and everything is written in one transaction: a bad file changes nothing.

Only the rows that differ are written (bulk upserts), so a second import of the same files costs a few reads;
and when the files have the hash of the last successful import, nothing is read at all unless `force`.
"""

import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from ctg.progress import tqdm
from ctg.territories.models import Commune, Departement, Epci, FormerCommuneCode, Region, TerritoryImport
from ctg.territories.text import normalize

__all__ = [
    "SOURCE_FILES",
    "ImportResult",
    "LevelCounts",
    "TerritoryImporter",
    "TerritorySourceError",
    "import_territories",
    "normalize",
]

REGIONS = "regions.json"
DEPARTEMENTS = "departements.json"
EPCI = "epci.json"
COMMUNES = "communes.json"
SOURCE_FILES = (REGIONS, DEPARTEMENTS, EPCI, COMMUNES)

CURRENT_COMMUNE = "commune-actuelle"
FORMER_COMMUNE_KINDS = {
    "commune-deleguee": FormerCommuneCode.Kind.DELEGUEE,
    "commune-associee": FormerCommuneCode.Kind.ASSOCIEE,
}
BATCH_SIZE = 1000
# Part of the hash that lets an import skip unchanged files: bump it when the rows built from the same files
# change (a new field, another normalize()), so that the next `load_territories` rewrites them.
IMPORTER_VERSION = "2"

LEVEL_LABELS = {
    "regions": "Régions",
    "departements": "Départements",
    "epci": "EPCI",
    "communes": "Communes",
    "former_codes": "Anciens codes",
}


class TerritorySourceError(Exception):
    """The source files cannot be imported; the message, in French, names the file and the faulty object."""


@dataclass
class LevelCounts:
    total: int = 0  # objects of this level in the source
    created: int = 0
    updated: int = 0
    obsoleted: int = 0  # marked is_active=False (territories) ...
    deleted: int = 0  # ... or deleted (former codes only: they are a mapping, not a territory)


@dataclass
class ImportResult:
    source: str
    source_hash: str
    skipped: bool = False
    duration: float = 0.0
    counts: dict[str, LevelCounts] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.obsoleted or c.deleted for c in self.counts.values())

    def counts_as_dict(self) -> dict:
        return {level: asdict(counts) for level, counts in self.counts.items()}


@dataclass
class _Source:
    """The checked content of the four files, as rows ready for the database."""

    regions: dict[str, dict] = field(default_factory=dict)
    departements: dict[str, dict] = field(default_factory=dict)
    epci: dict[str, dict] = field(default_factory=dict)
    communes: dict[str, dict] = field(default_factory=dict)
    # (former code, current commune code) -> {"name": …, "kind": …}
    former_codes: dict[tuple[str, str], dict] = field(default_factory=dict)


class _Reader:
    """Checks one file's objects and builds French error messages that point at the faulty object."""

    def __init__(self, filename: str, items):
        if not isinstance(items, list):
            raise TerritorySourceError(f"{filename} : le fichier doit contenir une liste d'objets JSON.")
        self.filename = filename
        self.items = items

    def error(self, index: int, obj, message: str) -> TerritorySourceError:
        code = obj.get("code") if isinstance(obj, dict) else None
        label = f" (code {code})" if isinstance(code, str) and code else ""
        return TerritorySourceError(f"{self.filename}, objet n° {index + 1}{label} : {message}")

    def objects(self):
        for index, obj in enumerate(self.items):
            if not isinstance(obj, dict):
                raise self.error(index, obj, "un objet JSON est attendu.")
            yield index, obj

    def text(self, index: int, obj: dict, key: str, max_length: int, *, required: bool = True) -> str:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                raise self.error(index, obj, f"clé obligatoire « {key} » absente ou vide.")
            return ""
        if not isinstance(value, str):
            raise self.error(index, obj, f"la valeur de « {key} » doit être une chaîne de caractères.")
        if len(value) > max_length:
            raise self.error(index, obj, f"la valeur de « {key} » dépasse {max_length} caractères.")
        return value

    def integer(self, index: int, obj: dict, key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(index, obj, f"la valeur de « {key} » doit être un entier positif.")
        return value

    def liaison(self, index: int, obj: dict) -> int | None:
        """The INSEE TNCC (`typeLiaison`, 0 to 8), None when the COG gives none (some overseas places)."""
        value = obj.get("typeLiaison")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 8:
            raise self.error(index, obj, "la valeur de « typeLiaison » doit être un entier de 0 à 8.")
        return value

    def strings(self, index: int, obj: dict, key: str) -> list[str]:
        value = obj.get(key) or []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(index, obj, f"la valeur de « {key} » doit être une liste de chaînes.")
        return value

    def unique(self, index: int, obj: dict, key: str, value: str, seen) -> None:
        if value in seen:
            raise self.error(index, obj, f"« {key} » {value} en double dans le fichier.")


def read_source(source: Path) -> tuple[dict[str, bytes], str]:
    """Read the raw bytes of the four files and their SHA-256 hash."""
    source = Path(source)
    if not source.is_dir():
        raise TerritorySourceError(f"Dossier source introuvable : {source}")
    raw = {}
    digest = hashlib.sha256(f"ctg-territories-importer-{IMPORTER_VERSION}\0".encode())
    for filename in SOURCE_FILES:
        path = source / filename
        if not path.is_file():
            raise TerritorySourceError(f"{filename} : fichier introuvable dans {source}")
        raw[filename] = path.read_bytes()
        digest.update(f"{filename}\0{len(raw[filename])}\0".encode())
        digest.update(raw[filename])
    return raw, digest.hexdigest()


def parse_json(filename: str, content: bytes):
    try:
        return json.loads(content)
    except UnicodeDecodeError:
        raise TerritorySourceError(f"{filename} : encodage invalide (UTF-8 attendu).") from None
    except json.JSONDecodeError as error:
        raise TerritorySourceError(
            f"{filename} : JSON invalide (ligne {error.lineno}, colonne {error.colno}) : {error.msg}."
        ) from None


def parse_source(raw: dict[str, bytes]) -> _Source:
    """Check the four files whole and turn them into rows; raise TerritorySourceError on any fault."""
    data = {filename: parse_json(filename, raw[filename]) for filename in SOURCE_FILES}
    source = _Source()
    _parse_regions(data[REGIONS], source)
    _parse_departements(data[DEPARTEMENTS], source)
    _parse_communes(data[COMMUNES], source)
    _parse_epci(data[EPCI], source)
    return source


def _parse_regions(data, source: _Source) -> None:
    reader = _Reader(REGIONS, data)
    for index, obj in reader.objects():
        code = reader.text(index, obj, "code", 3)
        reader.unique(index, obj, "code", code, source.regions)
        source.regions[code] = {"name": reader.text(index, obj, "nom", 200), "is_active": True}


def _parse_departements(data, source: _Source) -> None:
    reader = _Reader(DEPARTEMENTS, data)
    for index, obj in reader.objects():
        code = reader.text(index, obj, "code", 3)
        reader.unique(index, obj, "code", code, source.departements)
        name = reader.text(index, obj, "nom", 200)
        region = reader.text(index, obj, "region", 3)
        if region not in source.regions:
            raise reader.error(index, obj, f"la région {region} est absente de {REGIONS}.")
        source.departements[code] = {
            "name": name,
            "region_id": region,
            "search_name": normalize(name),
            "type_liaison": reader.liaison(index, obj),
            "is_active": True,
        }


def _parse_communes(data, source: _Source) -> None:
    """The communes actuelles, then the codes of the communes déléguées and associées."""
    reader = _Reader(COMMUNES, data)
    attached = []  # communes déléguées and associées, checked once every commune actuelle is known
    for index, obj in reader.objects():
        kind = reader.text(index, obj, "type", 50)
        code = reader.text(index, obj, "code", 5)
        if kind in FORMER_COMMUNE_KINDS:
            attached.append((index, obj, code, kind))
            continue
        if kind != CURRENT_COMMUNE:
            continue  # arrondissements municipaux of Paris, Lyon and Marseille
        reader.unique(index, obj, "code", code, source.communes)
        name = reader.text(index, obj, "nom", 200)
        departement = reader.text(index, obj, "departement", 3)
        region = reader.text(index, obj, "region", 3)
        if departement not in source.departements:
            raise reader.error(index, obj, f"le département {departement} est absent de {DEPARTEMENTS}.")
        if region not in source.regions:
            raise reader.error(index, obj, f"la région {region} est absente de {REGIONS}.")
        postal_codes = " ".join(reader.strings(index, obj, "codesPostaux"))
        if len(postal_codes) > 200:
            raise reader.error(index, obj, "la liste « codesPostaux » dépasse 200 caractères.")
        source.communes[code] = {
            "name": name,
            "departement_id": departement,
            "region_id": region,
            "epci_id": None,
            "population": reader.integer(index, obj, "population"),
            "postal_codes": postal_codes,
            "siren": reader.text(index, obj, "siren", 9, required=False),
            "search_name": normalize(name),
            "type_liaison": reader.liaison(index, obj),
            "is_active": True,
        }
        for former in reader.strings(index, obj, "anciensCodes"):
            if former != code:
                source.former_codes.setdefault(
                    (former, code), {"name": "", "kind": FormerCommuneCode.Kind.FORMER}
                )
    for index, obj, code, kind in attached:
        name = reader.text(index, obj, "nom", 200)
        chef_lieu = reader.text(index, obj, "chefLieu", 5)
        if chef_lieu not in source.communes:
            raise reader.error(index, obj, f"le chef-lieu {chef_lieu} n'est pas une commune actuelle.")
        if code != chef_lieu:  # the commune déléguée that kept the code of its commune nouvelle
            source.former_codes[(code, chef_lieu)] = {"name": name, "kind": FORMER_COMMUNE_KINDS[kind]}


def _parse_epci(data, source: _Source) -> None:
    """The EPCI, each commune being member of one at most; sets the communes' EPCI."""
    reader = _Reader(EPCI, data)
    membership = {}
    for index, obj in reader.objects():
        siren = reader.text(index, obj, "code", 9)
        reader.unique(index, obj, "code", siren, source.epci)
        name = reader.text(index, obj, "nom", 250)
        members = obj.get("membres")
        if members is None:
            raise reader.error(index, obj, "clé obligatoire « membres » absente.")
        if not isinstance(members, list):
            raise reader.error(index, obj, "la valeur de « membres » doit être une liste.")
        for member in members:
            member_code = member.get("code") if isinstance(member, dict) else None
            if not isinstance(member_code, str) or not member_code:
                raise reader.error(index, obj, "un membre n'a pas de clé « code ».")
            if member_code not in source.communes:
                raise reader.error(index, obj, f"la commune membre {member_code} est absente de {COMMUNES}.")
            if member_code in membership:
                raise reader.error(
                    index,
                    obj,
                    f"la commune {member_code} est déjà membre de l'EPCI {membership[member_code]}.",
                )
            membership[member_code] = siren
        source.epci[siren] = {
            "name": name,
            "nature": reader.text(index, obj, "type", 5),
            "financing": reader.text(index, obj, "modeFinancement", 10, required=False),
            "population": reader.integer(index, obj, "populationMunicipale"),
            "search_name": normalize(name),
            "is_active": True,
        }
    for commune_code, siren in membership.items():
        source.communes[commune_code]["epci_id"] = siren


def _batches(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class TerritoryImporter:
    """Imports the four JSON files of `@etalab/decoupage-administratif` found in `source`."""

    def __init__(self, source: Path | str | None = None, *, progress: bool | None = None):
        self.source = Path(source or settings.CTG_TERRITORIES_SOURCE)
        self.progress_enabled = sys.stderr.isatty() if progress is None else progress
        self.progress = None

    def run(self, *, force: bool = False) -> ImportResult:
        started = time.monotonic()
        raw, source_hash = read_source(self.source)
        result = ImportResult(source=str(self.source), source_hash=source_hash)
        last = TerritoryImport.objects.order_by("-imported_at", "-pk").first()
        if not force and last and last.source_hash == source_hash and Commune.objects.exists():
            result.skipped = True
            result.counts = {level: LevelCounts(total=c.get("total", 0)) for level, c in last.counts.items()}
            result.duration = time.monotonic() - started
            return result

        data = parse_source(raw)
        total = sum(len(rows) for rows in (data.regions, data.departements, data.epci, data.communes))
        total += len(data.former_codes)
        self.progress = tqdm(
            total=total, unit=" objets", file=sys.stderr, disable=not self.progress_enabled, leave=False
        )
        try:
            with transaction.atomic():
                result.counts = {
                    "regions": self.import_regions(data.regions),
                    "departements": self.import_departements(data.departements),
                    "epci": self.import_epci(data.epci),
                    "communes": self.import_communes(data.communes),
                    "former_codes": self.import_former_codes(data.former_codes),
                }
                _analyze((Region, Departement, Epci, Commune, FormerCommuneCode))
                result.duration = time.monotonic() - started
                TerritoryImport.objects.create(
                    source=str(self.source)[:500],
                    source_hash=source_hash,
                    duration=round(result.duration, 3),
                    counts=result.counts_as_dict(),
                )
        finally:
            self.progress.close()
        return result

    # One method per level, in the order of the foreign keys.

    def import_regions(self, rows: dict[str, dict]) -> LevelCounts:
        return self._upsert(Region, rows, ["name", "is_active"], "regions")

    def import_departements(self, rows: dict[str, dict]) -> LevelCounts:
        return self._upsert(
            Departement,
            rows,
            ["name", "region_id", "search_name", "type_liaison", "is_active"],
            "departements",
        )

    def import_epci(self, rows: dict[str, dict]) -> LevelCounts:
        fields = ["name", "nature", "financing", "population", "search_name", "is_active"]
        return self._upsert(Epci, rows, fields, "epci")

    def import_communes(self, rows: dict[str, dict]) -> LevelCounts:
        fields = [
            "name",
            "departement_id",
            "region_id",
            "epci_id",
            "population",
            "postal_codes",
            "siren",
            "search_name",
            "type_liaison",
            "is_active",
        ]
        return self._upsert(Commune, rows, fields, "communes")

    def import_former_codes(self, rows: dict[tuple[str, str], dict]) -> LevelCounts:
        """Make the former codes of the communes in the source exactly those the source gives."""
        self._describe("former_codes")
        counts = LevelCounts(total=len(rows))
        current_communes = set(Commune.objects.filter(is_active=True).values_list("code", flat=True))
        existing = {}
        to_delete = []
        for pk, code, commune_id, name, kind in FormerCommuneCode.objects.values_list(
            "pk", "code", "commune_id", "name", "kind"
        ):
            if (code, commune_id) in rows:
                existing[(code, commune_id)] = (pk, name, kind)
            elif commune_id in current_communes:
                to_delete.append(pk)  # a commune of the source that no longer claims this code
        to_create, to_update = [], []
        for (code, commune_id), values in rows.items():
            if (code, commune_id) not in existing:
                to_create.append(FormerCommuneCode(code=code, commune_id=commune_id, **values))
                continue
            pk, name, kind = existing[(code, commune_id)]
            if (name, kind) != (values["name"], values["kind"]):
                to_update.append(FormerCommuneCode(pk=pk, code=code, commune_id=commune_id, **values))
        for batch in _batches(to_delete):
            FormerCommuneCode.objects.filter(pk__in=batch).delete()
        for batch in _batches(to_update):
            FormerCommuneCode.objects.bulk_update(batch, ["name", "kind"])
        for batch in _batches(to_create):
            FormerCommuneCode.objects.bulk_create(batch)
        counts.created, counts.updated, counts.deleted = len(to_create), len(to_update), len(to_delete)
        self.progress.update(len(rows))
        return counts

    def _describe(self, level: str) -> None:
        if self.progress is not None:
            self.progress.set_description(LEVEL_LABELS[level])

    def _upsert(self, model, rows: dict[str, dict], attnames: list[str], level: str) -> LevelCounts:
        """Create or update the rows that differ from the database, mark obsolete the ones the source lost."""
        self._describe(level)
        counts = LevelCounts(total=len(rows))
        pk_name = model._meta.pk.attname
        existing = {row[0]: row[1:] for row in model.objects.values_list(pk_name, *attnames)}
        to_write = []
        for pk, values in rows.items():
            old = existing.get(pk)
            if old is None:
                counts.created += 1
            elif old != tuple(values[attname] for attname in attnames):
                counts.updated += 1
            else:
                continue
            to_write.append(model(**{pk_name: pk}, **values))
        update_fields = [model._meta.get_field(attname).name for attname in attnames]
        for batch in _batches(to_write):
            model.objects.bulk_create(
                batch, update_conflicts=True, unique_fields=[pk_name], update_fields=update_fields
            )
        is_active = attnames.index("is_active")
        obsolete = [pk for pk, old in existing.items() if pk not in rows and old[is_active]]
        for batch in _batches(obsolete):
            model.objects.filter(pk__in=batch).update(is_active=False)
        counts.obsoleted = len(obsolete)
        self.progress.update(len(rows))
        return counts


def _analyze(models) -> None:
    """PostgreSQL's planner statistics of the tables just loaded: tens of thousands of rows written in one
    transaction, which autovacuum sees only after it; until then the planner joins them as if they were
    empty (a join of the former codes with the communes took 13 s instead of 25 ms). ANALYZE may run inside
    the transaction and counts its own rows."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def import_territories(
    source: Path | str | None = None, *, force: bool = False, progress: bool | None = None
) -> ImportResult:
    """Import the COG files of `source` (default: settings.CTG_TERRITORIES_SOURCE)."""
    return TerritoryImporter(source, progress=progress).run(force=force)
