"""Reading an uploaded plan into rows (`Row`): the sheets of a workbook, or a JSON export laid out as the same
rows, so that both go through the same checks (`check`)."""

from ctg import datafiles
from ctg.exchange.layout import (
    ALL_COMMUNES,
    FORMAT,
    JSON_KEYS,
    LEVEL_OPERATIONAL,
    LEVEL_STRATEGIC,
    NO_COMMUNE,
    SHEETS,
    SUPPORTED_VERSIONS,
    VERSION,
    PlanImportError,
    Row,
    fold,
    versions,
)


def read_workbook(data: bytes, name: str | None = None) -> tuple[dict[str, list[Row]], list[str]]:
    workbook = datafiles.open_xlsx(data, name)
    try:
        return _read_sheets(workbook, name)
    finally:
        workbook.close()


def _read_sheets(workbook, name: str | None) -> tuple[dict[str, list[Row]], list[str]]:
    properties = workbook.properties
    if properties.identifier == FORMAT and properties.version not in {str(v) for v in SUPPORTED_VERSIONS}:
        raise PlanImportError(
            [
                f"Le classeur{f' « {name} »' if name else ''} est un export de plan d'action en version "
                f"« {str(properties.version)[:20]} », que la plateforme ne sait pas lire (versions prises en "
                f"charge : {versions()})."
            ]
        )
    errors = []
    sheets: dict[str, list[Row]] = {}
    names = {fold(sheet_name): sheet_name for sheet_name in workbook.sheetnames}
    for sheet_name, columns in SHEETS.items():
        actual = names.get(fold(sheet_name))
        if actual is None:
            errors.append(f"Feuille « {sheet_name} » absente du classeur.")
            continue
        rows = datafiles.xlsx_rows(workbook[actual], name)
        header = next(rows, None) or ()
        positions = {}
        for index, title in enumerate(header):
            if isinstance(title, datafiles.Formula | datafiles.CellError):
                continue
            if title is not None and str(title).strip():
                positions.setdefault(fold(title), index)
        missing = [title for title, _, required in columns if required and fold(title) not in positions]
        for title in missing:
            errors.append(
                f"Feuille « {sheet_name} », colonne « {title} » : colonne absente de la ligne d'en-tête."
            )
        if missing:
            continue
        sheets[sheet_name] = []
        for line, values in enumerate(rows, start=2):
            cells = {}
            for title, _, _ in columns:
                index = positions.get(fold(title))
                value = values[index] if index is not None and index < len(values) else None
                where = f"Feuille « {sheet_name} », ligne {line}, colonne « {title} »"
                if isinstance(value, datafiles.Formula):
                    errors.append(
                        f"{where} : formule « {value[:40]} » : les formules ne sont pas acceptées, saisissez "
                        "la valeur (dans Excel : copier, puis « Collage spécial › Valeurs »)."
                    )
                    value = None
                elif isinstance(value, datafiles.CellError):
                    errors.append(f"{where} : cellule en erreur « {value[:20]} », saisissez la valeur.")
                    value = None
                elif isinstance(value, str):
                    value = value.strip()
                    if not value:
                        value = None
                cells[title] = value
            if any(value is not None for value in cells.values()):
                sheets[sheet_name].append(Row(sheet_name, line, cells))
    return sheets, errors


def rows_from_payload(payload: dict) -> dict[str, list[Row]]:
    """The JSON export as the rows of the workbook, so that both go through the same checks. Each row knows
    its path in the JSON (« fiches[2].budget[0] ») and the JSON key of each column, for the messages."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise PlanImportError(
            [f"Le fichier JSON n'est pas un export de plan d'action (format « {FORMAT} »)."]
        )
    version = payload.get("version", VERSION)
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise PlanImportError(
            [
                f"Le fichier JSON est un export de plan d'action en version « {str(version)[:20]} », que la "
                f"plateforme ne sait pas lire (versions prises en charge : {versions()})."
            ]
        )
    sheets: dict[str, list[Row]] = {name: [] for name in SHEETS}

    def items(parent: dict, key: str) -> list[tuple[int, dict]]:
        values = parent.get(key) or []
        if not isinstance(values, list) or not all(isinstance(value, dict) for value in values):
            raise TypeError(key)
        return list(enumerate(values))

    def add(sheet: str, source: dict, path: str, **extra) -> None:
        keys = dict(JSON_KEYS[sheet])
        cells = {column: source.get(key) for column, key in keys.items()}
        for column, (key, value) in extra.items():
            keys[column] = key
            cells[column] = value
        row = Row(sheet, len(sheets[sheet]) + 1, cells)
        row.path, row.keys = path, keys
        sheets[sheet].append(row)

    try:
        for e, enjeu in items(payload, "enjeux"):
            e_path = f"enjeux[{e}]"
            add("Enjeux", enjeu, e_path)
            for s, strategic in items(enjeu, "objectives"):
                s_path = f"{e_path}.objectives[{s}]"
                add(
                    "Objectifs",
                    strategic,
                    s_path,
                    enjeu=("number", enjeu.get("number")),
                    niveau=("level", LEVEL_STRATEGIC),
                    parent=("parent", None),
                )
                for o, operational in items(strategic, "operational"):
                    add(
                        "Objectifs",
                        operational,
                        f"{s_path}.operational[{o}]",
                        enjeu=("number", enjeu.get("number")),
                        niveau=("level", LEVEL_OPERATIONAL),
                        parent=("number", strategic.get("number")),
                    )
        for f, fiche in items(payload, "fiches"):
            f_path = f"fiches[{f}]"
            number = fiche.get("number")
            all_communes = fiche.get("all_communes", True)
            communes = fiche.get("communes") or []
            if all_communes:
                # « toutes » and a list together reach the check, which refuses them (plans.rules).
                communes = [ALL_COMMUNES, *communes] if isinstance(communes, list) else ALL_COMMUNES
            else:
                communes = communes or NO_COMMUNE
            add("Fiches", fiche, f_path, communes=("communes", communes))
            for i, step in items(fiche, "steps"):
                add("Étapes", step, f"{f_path}.steps[{i}]", fiche=("number", number))
            for i, line in items(fiche, "budget"):
                add("Budget", line, f"{f_path}.budget[{i}]", fiche=("number", number))
            for i, indicator in items(fiche, "indicators"):
                i_path = f"{f_path}.indicators[{i}]"
                add("Indicateurs", indicator, i_path, fiche=("number", number))
                for v, value in items(indicator, "values"):
                    add(
                        "Valeurs",
                        value,
                        f"{i_path}.values[{v}]",
                        fiche=("number", number),
                        indicateur=("number", indicator.get("number")),
                    )
    except (AttributeError, TypeError):
        raise PlanImportError(
            ["Le fichier JSON n'a pas la structure d'un export de plan d'action."]
        ) from None
    for rows in sheets.values():
        for row in rows:
            for key, value in row.items():
                if isinstance(value, str):
                    row[key] = value.strip() or None
    return sheets
