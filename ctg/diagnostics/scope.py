"""Whose figures an import replaces, and whether the importer may replace them.

The store keeps one Parquet file per dataset and vintage for the whole of France, and an import merges its
territories into it (`ctg.diagnostics.store`): the figures of the other territories are kept. Who may import
is a platform operation of the permission table (`ctg.organisations.permissions.PlatformOp`): a platform data
manager (superuser, or a staff member with `diagnostics.manage_statistics`, e.g. through the group
« Gestionnaires des données ») imports any file. A CAF adviser imports only within the département of their
CAF: every row of the file must lie in it, and so do the stored rows the merge replaces or removes (checked
by `importers.save_datasets`). Nobody else imports. The same scope governs the undo of an import
(`can_undo`). An EPCI lies in a département when all its communes do.
"""

from collections.abc import Iterable

import duckdb

from ctg.diagnostics import store
from ctg.diagnostics.importers import DatasetError, PreparedDataset
from ctg.diagnostics.models import DatasetImport
from ctg.organisations.permissions import (
    MANAGE_STATISTICS_PERMISSION,
    PlatformOp,
    PlatformRole,
    platform_allows,
    platform_role,
    statistics_scope,
)
from ctg.territories.models import Commune

DATA_MANAGER_PERMISSION = MANAGE_STATISTICS_PERMISSION
SHOWN = 5  # codes or départements named in a message


def is_data_manager(user) -> bool:
    return platform_role(user) == PlatformRole.DATA_MANAGER


def import_scope(user) -> frozenset[str] | None:
    """The départements whose figures `user` may replace: None for all France; an empty set: none."""
    return statistics_scope(user, PlatformOp.IMPORT_STATISTICS)


def can_import_statistics(user) -> bool:
    return platform_allows(user, PlatformOp.IMPORT_STATISTICS)


def can_undo(user, record) -> bool:
    """Whether `user` may undo `record` (a DatasetImport): a data manager any; a CAF adviser an import whose
    figures all lie in their département (not one recorded before the journal kept them)."""
    if not platform_allows(user, PlatformOp.UNDO_IMPORT):
        return False
    scope = statistics_scope(user, PlatformOp.UNDO_IMPORT)
    if scope is None:
        return True
    return bool(record.departements) and set(record.departements) <= scope


def departements_of_records(dataset: PreparedDataset) -> list[str]:
    """The départements of the territories a prepared vintage writes, sorted (for the journal)."""
    found = _departements_of((record[0] for record in dataset.records), dataset.unit)
    return sorted({dep for deps in found.values() for dep in deps})


def _departements_of(codes: Iterable[str], unit: str) -> dict[str, set[str]]:
    """code → the départements of its territory (communes of an EPCI; a département is itself)."""
    codes = set(codes)
    if unit == "departement":
        return {code: {code} for code in codes}
    if unit == "iris":  # an IRIS lies in the département of its commune (its first five characters)
        communes = _departements_of({code[:5] for code in codes}, "commune")
        return {code: communes[code[:5]] for code in codes}
    found: dict[str, set[str]] = {code: set() for code in codes}
    # A national file names tens of thousands of codes: more than SQLite takes in one IN (…), so the whole
    # table is read instead.
    communes = Commune.objects.all()
    if unit == "epci":
        rows = (communes if len(codes) > 500 else communes.filter(epci_id__in=codes)).values_list(
            "epci_id", "departement_id"
        )
    else:
        rows = (communes if len(codes) > 500 else communes.filter(code__in=codes)).values_list(
            "code", "departement_id"
        )
    for code, departement in rows:
        if code in found:
            found[code].add(departement)
    for code in codes:
        if not found[code] and unit == "commune":
            # An arrondissement of Paris, Lyon or Marseille: the département of its commune.
            found[code].add("75" if code.startswith("751") else "69" if code.startswith("693") else "13")
    return found


# What a row of the store is, by kind; the other kinds: communes.
UNITS = {"caf_txcouv_epci": "epci", "caf_txcouv_dep": "departement", "filosofi_iris": "iris"}


def _file_codes(path) -> list[str]:
    if not path.exists():
        return []
    with duckdb.connect() as connection:
        rows = connection.execute("SELECT code FROM read_parquet(?)", [str(path)]).fetchall()
    return [row[0] for row in rows]


def _listed(items: list[str]) -> str:
    return ", ".join(items[:SHOWN]) + ("…" if len(items) > SHOWN else "")


def _plural(count: int) -> str:
    return "s" if count > 1 else ""


def check_scope(prepared: list[PreparedDataset], scope: frozenset[str] | None) -> None:
    """Refuses (DatasetError, nothing written) an import of figures outside `scope`; the stored rows that the
    merge would replace or remove are checked against it by `importers.save_datasets`, under the lock."""
    if scope is None:
        return
    if not scope:
        name = prepared[0].source.name if prepared else "import"
        raise DatasetError(
            f"{name} : vous n'avez pas le droit d'importer des statistiques (réservé aux gestionnaires des "
            "données de la plateforme et aux CAF, pour leur département)."
        )
    allowed = ", ".join(sorted(scope)) or "aucun"
    for dataset in prepared:
        name = dataset.source.name
        codes = [record[0] for record in dataset.records]
        outside = sorted(
            code for code, deps in _departements_of(codes, dataset.unit).items() if not deps or deps - scope
        )
        if outside:
            raise DatasetError(
                f"{name} : {len(outside)} territoire{_plural(len(outside))} hors de votre département "
                f"({allowed}) : {_listed(outside)}. Importez un fichier limité à votre département, ou "
                "demandez l'import à un·e gestionnaire des données de la plateforme."
            )


def check_undo_scope(batch: list, scope: frozenset[str] | None) -> None:
    """Refuses (DatasetError) to undo the imports of `batch` (DatasetImport rows of one file) outside `scope`:
    what they wrote, and what the undo would put back (the vintages they replaced), must lie in it."""
    if scope is None:
        return
    record = batch[0]
    written = {dep for item in batch for dep in item.departements}
    if not scope or not all(item.departements for item in batch) or written - scope:
        outside = sorted(written - scope)
        raise DatasetError(
            f"Annulation refusée : l'import n° {record.pk} ({record.source_name}) concerne des "
            f"départements hors de votre périmètre ({_listed(outside) or 'non enregistrés'}) : seul·e un·e "
            "gestionnaire des données peut l'annuler."
        )
    for item in batch:
        # An import merged into its vintage changed only the territories it wrote (in `written`): putting the
        # previous file back changes nothing else. An import that replaced the whole vintage (France-wide, or
        # made before the merge) would put back every département's figures.
        if not item.previous_sha256 or item.coverage == DatasetImport.Coverage.TERRITORIES:
            continue
        codes = _file_codes(store.data_path(item.previous_path))
        found = _departements_of(codes, UNITS.get(item.kind, "commune"))
        others = sorted({dep for deps in found.values() for dep in deps} - scope)
        if others or any(not deps for deps in found.values()):
            raise DatasetError(
                f"Annulation refusée : le millésime {item.year} ({item.get_kind_display()}) d'avant l'import "
                f"n° {item.pk} contient aussi les chiffres de {len(others)} autre{_plural(len(others))} "
                f"département{_plural(len(others))} ({_listed(others)}) : seul·e un·e gestionnaire des "
                "données peut le remettre en place (hors de votre périmètre)."
            )
