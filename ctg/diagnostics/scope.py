"""Whose figures an import replaces, and whether the importer may replace them.

The store keeps one Parquet file per dataset and vintage for the whole of France: an import replaces the
figures of every territory of that vintage. A platform data manager (superuser, or a staff member given in
the admin the permission to add « import de données statistiques », `diagnostics.add_datasetimport`) imports
any file. A CAF adviser imports only within the département of their CAF: every row of
the file must lie in it, and the vintage it replaces must hold no figure of another département (until the
store merges départements, replacing a national vintage is a data manager's work). Nobody else imports.
"""

from collections import Counter
from collections.abc import Iterable

import duckdb

from ctg.diagnostics import store
from ctg.diagnostics.importers import DatasetError, PreparedDataset
from ctg.territories.models import Commune

DATA_MANAGER_PERMISSION = "diagnostics.add_datasetimport"
SHOWN = 5  # codes or départements named in a message


def is_data_manager(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and user.has_perm(DATA_MANAGER_PERMISSION)))
    )


def import_scope(user) -> frozenset[str] | None:
    """The départements whose figures `user` may replace: None for all France; an empty set: none."""
    if is_data_manager(user):
        return None
    if user and user.is_authenticated and user.is_active and user.is_caf_adviser:
        departement = user.organisation.departement_id
        if departement:
            return frozenset({departement})
    return frozenset()


def can_import_statistics(user) -> bool:
    scope = import_scope(user)
    return scope is None or bool(scope)


def _departements_of(codes: Iterable[str], unit: str) -> dict[str, set[str]]:
    """code → the départements of its territory (communes of an EPCI; a département is itself)."""
    codes = set(codes)
    if unit == "departement":
        return {code: {code} for code in codes}
    found: dict[str, set[str]] = {code: set() for code in codes}
    if unit == "epci":
        rows = Commune.objects.filter(epci_id__in=codes).values_list("epci_id", "departement_id")
    else:
        rows = Commune.objects.filter(code__in=codes).values_list("code", "departement_id")
    for code, departement in rows:
        found[code].add(departement)
    for code in codes:
        if not found[code] and unit == "commune":
            # An arrondissement of Paris, Lyon or Marseille: the département of its commune.
            found[code].add("75" if code.startswith("751") else "69" if code.startswith("693") else "13")
    return found


def _stored_codes(dataset: PreparedDataset) -> list[str]:
    path = store.dataset_path(dataset.kind, dataset.year)
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
    """Refuses (DatasetError, nothing written) an import that would replace figures outside `scope`."""
    if scope is None:
        return
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
        stored = _departements_of(_stored_codes(dataset), dataset.unit)
        others = Counter(dep for deps in stored.values() for dep in deps if dep not in scope)
        if others:
            listed = sorted(others)
            raise DatasetError(
                f"{name} : le millésime {dataset.year} ({dataset.label}) contient aussi les chiffres de "
                f"{len(listed)} autre{_plural(len(listed))} département{_plural(len(listed))} "
                f"({_listed(listed)}) : l'import les effacerait. Seul·e un·e gestionnaire des données de la "
                "plateforme peut remplacer ce millésime."
            )
