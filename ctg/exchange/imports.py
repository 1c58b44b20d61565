"""The import of a whole plan into an empty one: parse (`parse`), check (`check`, with the rules of
`ctg.plans.rules`), write (`write`, through `services.plan_import`). The whole file is checked first,
and refused as a whole with every problem found, nothing being written."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg import datafiles
from ctg.conventions.models import Ctg
from ctg.exchange.check import check, where_json, where_sheet
from ctg.exchange.layout import PlanImportError, Row
from ctg.exchange.parse import read_workbook, rows_from_payload
from ctg.exchange.write import fiche_values, tree_values
from ctg.plans.services import plan_import

IMPORT_SUFFIXES = (".xlsx", ".json")


def _import(ctg: Ctg, sheets: dict[str, list[Row]], read_errors: list[str], actor, where) -> dict:
    with transaction.atomic():
        try:
            ctg = plan_import.plan_import_target(ctg)
        except ValidationError as error:
            raise PlanImportError(error.messages) from None
        if read_errors:
            # Missing sheets or columns: the rows that refer to them would only add noise.
            raise PlanImportError(read_errors)
        plan, errors = check(ctg, sheets, where)
        if errors:
            raise PlanImportError(errors)
        enjeux, strategic_order = tree_values(plan)
        try:
            n_enjeux, n_fiches = plan_import.plan_import_create(
                ctg=ctg, actor=actor, enjeux=enjeux, fiches=fiche_values(plan, strategic_order)
            )
        except ValidationError as error:  # what the checks above let through, the services refuse
            raise PlanImportError(error.messages) from None
    return {"enjeux": n_enjeux, "fiches": n_fiches}


def import_xlsx(ctg: Ctg, data: bytes, actor, name: str | None = None) -> dict:
    """Fills the empty plan of `ctg` from a workbook laid out as `export_xlsx` (`name`: the file's, for the
    messages). Returns the counts; raises `PlanImportError` with every problem found, nothing written."""
    try:
        sheets, errors = read_workbook(data, name)
    except datafiles.FileRefused as error:
        raise PlanImportError(error.messages) from None
    return _import(ctg, sheets, errors, actor, where_sheet)


def import_plan(ctg: Ctg, payload: dict, actor) -> dict:
    """Fills the empty plan of `ctg` from a dict laid out as `export_plan`. Same checks as `import_xlsx`, the
    messages naming the path of the value in the JSON (« fiches[1].status : statut inconnu… »)."""
    return _import(ctg, rows_from_payload(payload), [], actor, where_json)


def import_file(ctg: Ctg, data: bytes, name: str, actor) -> dict:
    """Fills the empty plan of `ctg` from an uploaded file (web form, `ctg plan_import`): a workbook (.xlsx)
    or a JSON export (.json), by the extension of `name`; the content must match it. Same result as
    `import_xlsx` and `import_plan`; every limit of `ctg.datafiles` is checked before parsing."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == ".json":
        try:
            payload = datafiles.load_json(data, name)
        except datafiles.FileRefused as error:
            raise PlanImportError(error.messages) from None
        return import_plan(ctg, payload, actor)
    if suffix == ".xlsx":
        return import_xlsx(ctg, data, actor, name=name)
    raise PlanImportError(
        [
            f"Le fichier « {name} » n'est ni un classeur Excel (.xlsx) ni un export JSON (.json) du plan "
            "d'action."
        ]
    )
