"""The IRIS of the IRIS-split communes of a territory: Insee FiLoSoFi, declared income (``filosofi_iris``).

The figures are shown as published, per IRIS (medians, deciles and rates of IRIS never add up to a commune):
``s`` reads « secret », the other markers of the file as Insee writes them (« ns » non significatif, « nd »
non disponible, « so » sans objet), each with its meaning for screen readers. Only the store is read (DuckDB):
no database query, whatever the number of communes.
"""

from dataclasses import dataclass, field

from ctg.diagnostics import reader
from ctg.diagnostics.catalogue import FILOSOFI_IRIS, SOURCES
from ctg.diagnostics.readings import format_value

# (column, with the vintage's two digits; label; unit; decimals)
COLUMNS = (
    ("DEC_MED{yy}", "Revenu déclaré médian par unité de consommation", "€", 0),
    ("DEC_D1{yy}", "1er décile du revenu déclaré", "€", 0),
    ("DEC_D9{yy}", "9e décile du revenu déclaré", "€", 0),
    ("DEC_TP60{yy}", "Taux de bas revenus déclarés (seuil à 60 %)", "%", 1),
    ("DEC_PIMP{yy}", "Part des ménages fiscaux imposés", "%", 1),
    ("DEC_PTSA{yy}", "Part des salaires dans le revenu déclaré", "%", 1),
    ("DEC_PCHO{yy}", "Part des indemnités de chômage dans le revenu déclaré", "%", 1),
)
MARKERS = {
    "ns": "non significatif",
    "nd": "non disponible",
    "so": "sans objet",
}
NOTE = (
    "Revenus déclarés aux impôts, avant prestations sociales : le taux de bas revenus déclarés n'est pas le "
    "taux de pauvreté (revenu disponible), qu'Insee ne publie pas par IRIS. « secret » : valeur couverte par "
    "le secret statistique ; « ns » : non significatif ; « nd » : non disponible ; « so » : sans objet."
)


@dataclass
class IrisTable:
    commune: str
    rows: list[dict]  # the store's rows, one per IRIS, ordered by IRIS code


@dataclass
class IrisTables:
    year: int
    tables: list[IrisTable] = field(default_factory=list)


def iris_tables(communes: list[str]) -> IrisTables | None:
    """The IRIS of `communes` in the latest vintage of FiLoSoFi IRIS, grouped by commune; None when the
    vintage is absent or none of the communes is split into IRIS."""
    years = reader.available_vintages(FILOSOFI_IRIS)
    if not years or not communes:
        return None
    rows = reader.read_iris(FILOSOFI_IRIS, years[-1], communes)
    if not rows:
        return None
    tables: dict[str, IrisTable] = {}
    for row in rows:
        tables.setdefault(row["commune"], IrisTable(row["commune"], [])).rows.append(row)
    return IrisTables(years[-1], [tables[code] for code in sorted(tables)])


def _cell(row: dict, column: str, unit: str, decimals: int, markers: dict[str, str]) -> dict:
    if column not in row:
        return {"text": "—", "note": "colonne absente du fichier publié"}
    if row[column] is not None:
        return {"text": format_value(row[column], unit, decimals), "note": ""}
    if row[column + "_secret"]:
        return {"text": "secret", "note": "secret statistique"}
    marker = markers.get(column)
    if marker in MARKERS:
        return {"text": marker, "note": MARKERS[marker]}
    return {"text": "—", "note": "non disponible"}


def iris_context(tables: IrisTables | None, commune_name) -> dict | None:
    """The IRIS tables as the portrait shows them; `commune_name`: code → name."""
    if tables is None:
        return None
    yy = f"{tables.year % 100:02d}"
    columns = [(column.format(yy=yy), label, unit, decimals) for column, label, unit, decimals in COLUMNS]
    items = []
    for table in tables.tables:
        body = []
        for row in table.rows:
            markers = dict(item.split("=", 1) for item in (row.get("markers") or "").split() if "=" in item)
            cells = [
                _cell(row, column, unit, decimals, markers) for column, _label, unit, decimals in columns
            ]
            body.append({"code": row["code"], "cells": cells})
        items.append({"code": table.commune, "name": commune_name(table.commune), "rows": body})
    return {
        "year": tables.year,
        "columns": [{"label": label, "unit": unit} for _column, label, unit, _decimals in columns],
        "tables": items,
        "source": SOURCES[FILOSOFI_IRIS].format(year=tables.year),
        "note": NOTE,
    }
