"""The CSV and xlsx exports of the départemental dashboard: the table of the EPCI (with its filters), and in
the workbook the headline figures, the fiches by field and the budget by funder. Written through
`ctg.datafiles` (a text that a spreadsheet would run gets a leading « ' »; xlsx text is a string cell, never a
formula). A dossier's title and link are given as on the page: the link only for a dossier the person may
open; the CTG of an EPCI attached to another département is named only when the person may open it."""

import io

from ctg.datafiles import csv_writer, xlsx_append
from ctg.rendering import attachment

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    "EPCI",
    "SIREN",
    "Nature",
    "Département de rattachement",
    "EPCI interdépartemental",
    "Communes",
    "Communes du département",
    "Population municipale",
    "Population partielle",
    "État",
    "CTG",
    "Lien du dossier",
    "Période",
    "Date de signature",
    "Phase",
    "Échéance",
    "CAF pilote",
    "Communes couvertes par la CTG",
    "Renouvellement en préparation",
    "Dossier fictif (démonstration)",
]


def ctg_label(row, visible_ids) -> str:
    """The CTG of an EPCI row as the page names it."""
    if row.ctg is None:
        return ""
    if row.flagged and row.ctg.pk not in visible_ids:
        return f"CTG suivie au tableau de bord du département de rattachement ({row.home_name})"
    return row.ctg.title


def _yes(value: bool) -> str:
    return "oui" if value else "non"


def table_rows(data, visible_ids, request=None, *, dates_as_text=True):
    """The cells of the EPCI table, one list per row (in the order of `COLUMNS`)."""
    from django.urls import reverse

    for row in data["table"]:
        ctg = row.ctg
        link = ""
        if ctg is not None and ctg.pk in visible_ids:
            path = reverse("conventions:detail", args=[ctg.pk])
            link = request.build_absolute_uri(path) if request is not None else path
        signed = ctg.signed_on if ctg else None
        expiry = ctg.expiry if ctg else None
        if dates_as_text:
            signed = signed.strftime("%d/%m/%Y") if signed else ""
            expiry = expiry.strftime("%d/%m/%Y") if expiry else ""
        renewal = ""
        if row.renewal is not None:
            renewal = (
                row.renewal.title
                if (not row.flagged or row.renewal.pk in visible_ids)
                else f"oui ({row.renewal.period})"
            )
        yield [
            row.name,
            row.siren,
            row.nature,
            f"{row.home_name} ({row.home})" if row.home else "",
            _yes(row.interdepartemental),
            row.communes_total,
            row.communes_here,
            row.population,
            _yes(row.population_partial),
            row.state_label,
            ctg_label(row, visible_ids),
            link,
            ctg.period if ctg else "",
            signed or "",
            ctg.phase_label if ctg else "",
            expiry or "",
            ctg.caf_name if ctg else "",
            row.covered_communes if ctg else "",
            renewal,
            _yes(ctg.is_fictitious) if ctg else "",
        ]


def _name(data, extension: str) -> str:
    return f"caf-tableau-de-bord-{data['departement'].code}-{data['year']}.{extension}"


def csv_response(data, visible_ids, request):
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(table_rows(data, visible_ids, request))
    content = "\ufeff" + buffer.getvalue()
    return attachment(content.encode("utf-8"), "text/csv; charset=utf-8", _name(data, "csv"))


def xlsx_response(data, visible_ids, request):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "EPCI"
    xlsx_append(sheet, COLUMNS)
    for cells in table_rows(data, visible_ids, request, dates_as_text=False):
        xlsx_append(sheet, cells)

    figures = workbook.create_sheet("Chiffres clés")
    coverage = data["coverage"]
    xlsx_append(figures, ["Chiffre", "Valeur", "Sur", "Part (%)", "Note"])
    partial = (
        f"partiel : {coverage['without_population']} commune(s) sans population connue"
        if coverage["without_population"]
        else ""
    )
    xlsx_append(
        figures,
        [
            "Communes couvertes par une CTG signée en vigueur",
            coverage["communes_covered"],
            coverage["communes"],
            coverage["communes_percent"],
            "",
        ],
    )
    xlsx_append(
        figures,
        [
            "Population couverte par une CTG signée en vigueur",
            coverage["population_covered"],
            coverage["population"],
            coverage["population_percent"],
            partial,
        ],
    )
    renewals = data["renewals"]
    for key, year in (("this_year", renewals["year"]), ("next_year", renewals["next"])):
        xlsx_append(figures, [f"CTG à renouveler (échéance {year})", len(renewals[key]), "", "", ""])
    xlsx_append(figures, ["Postes de chargé·e de coopération", len(data["posts"]["rows"]), "", "", ""])
    if data["fictitious"]:
        xlsx_append(figures, ["Dossiers fictifs (démonstration) comptés", data["fictitious"], "", "", ""])

    fiches = workbook.create_sheet("Fiches par champ")
    xlsx_append(fiches, ["Champ d'intervention", "Fiches action", "CTG concernées"])
    for row in data["fiches"]["rows"]:
        xlsx_append(fiches, [row["label"], row["fiches"], row["ctgs"]])

    budget = workbook.create_sheet("Budget par financeur")
    years = data["budget"]["years"]
    xlsx_append(budget, ["Financeur", *[f"Prévu {y} (€)" for y in years], "Total prévu (€)", "Réalisé (€)"])
    for row in data["budget"]["rows"]:
        xlsx_append(budget, [row["label"], *row["years"], row["planned"], row["spent"]])

    output = io.BytesIO()
    workbook.save(output)
    return attachment(output.getvalue(), XLSX_TYPE, _name(data, "xlsx"))
