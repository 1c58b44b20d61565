"""The convention document as DOCX (python-docx: real headings, lists and tables, editable) and as PDF
(WeasyPrint), both from the structure of `ctg.documents.content.build`, set up by `ctg.rendering`."""

from ctg import rendering
from ctg.rendering import docx_table
from ctg.text import xml_clean

# Characters XML (hence DOCX) cannot hold: a control character stored before the forms cleaned the text must
# not prevent the document. `xml_clean` removes them from every string of the content.
_clean = xml_clean


ANNEX_TITLES = (
    "Annexe 1 — Portrait social du territoire : chiffres clés et points d'attention",
    "Annexe 2 — Enjeux et objectifs",
    "Annexe 3 — Fiches action",
    "Annexe 4 — Indicateurs et cibles annuelles",
)


def _indicator_label(row: dict) -> str:
    return row["label"] + (f" ({row['unit']})" if row["unit"] else "")


def render_pdf(content: dict) -> bytes:
    content = _clean(content)
    context = {
        **content,
        "annex_titles": ANNEX_TITLES,
        "indicator_rows": [
            {
                **row,
                "full_label": _indicator_label(row),
                "target_list": [row["targets"][y] for y in content["years"]],
            }
            for row in content["indicators"]
        ],
    }
    # css_name: escaped for CSS by the css_string filter
    return rendering.pdf("documents/convention_pdf.html", context, css_name=content["ctg_title"])


def _blocks(document, blocks: list[dict]) -> None:
    for block in blocks:
        if block["kind"] == "list":
            for item in block["items"]:
                document.add_paragraph(item, style="List Bullet")
        else:
            document.add_paragraph(block["text"])


def _docx_preamble(document, content: dict) -> None:
    """The title, the parties and, for an avenant, its subject and changes."""
    if content["fictitious"]:
        document.add_paragraph(content["fictitious_label"]).runs[0].bold = True
    document.add_heading(content["title"], level=0)
    document.add_paragraph(f"Période {content['period']} — {content['territory']}")
    if content["signed_text"]:
        document.add_paragraph(content["signed_text"]).runs[0].bold = True

    document.add_heading("Entre les soussignés", level=1)
    document.add_paragraph("Entre :")
    for line in content["parties"]:
        document.add_paragraph(line)
    document.add_paragraph("Il est convenu ce qui suit.")

    if content["is_avenant"]:
        document.add_heading("Objet de l'avenant", level=1)
        document.add_paragraph(content["subject"])
        document.add_heading(content["changes_title"], level=1)
        if content["changes"]:
            for line in content["changes"]:
                document.add_paragraph(line, style="List Bullet")
        else:
            document.add_paragraph(content["no_changes_text"])
        document.add_paragraph(content["consolidated_text"])


def _docx_signatures(document, content: dict) -> None:
    document.add_heading("Signatures", level=1)
    if content["signatures"]:
        docx_table(
            document,
            ["Organisation", "Signataire", "Qualité", "Date"],
            [[s["organisation"], s["name"], s["capacity"], s["date"]] for s in content["signatures"]],
        )
    else:
        document.add_paragraph("Aucun signataire n'est encore désigné.")


def _docx_portrait_annex(document, portrait: dict) -> None:
    """Annex 1: portrait."""
    document.add_heading(ANNEX_TITLES[0], level=1)
    if not portrait["available"]:
        document.add_paragraph(portrait["reason"])
        return
    if portrait["fictitious"]:
        document.add_paragraph(
            "Jeux de données fictifs (démonstration) : " + ", ".join(portrait["fictitious"]) + "."
        ).runs[0].bold = True
    document.add_paragraph(f"{portrait['territory']} — population : {portrait['population']} habitants.")
    document.add_heading("Chiffres clés", level=2)
    if portrait["figures"]:
        docx_table(
            document,
            ["Indicateur", "Valeur", "Statut", "Source"],
            [[f["label"], f["value"], f["status"], f["source"]] for f in portrait["figures"]],
        )
    else:
        document.add_paragraph("Aucun chiffre clé disponible.")
    for item in portrait.get("left_out", ()):
        document.add_paragraph(f"{item['label']} : non repris — {item['reason']}.")
    document.add_heading("Points d'attention", level=2)
    if portrait["attention"]:
        for point in portrait["attention"]:
            document.add_paragraph(f"{point['label']} : {point['sentence']}", style="List Bullet")
    else:
        document.add_paragraph("Aucun écart notable avec les territoires de référence.")


def _docx_enjeux_annex(document, content: dict) -> None:
    """Annex 2: enjeux and objectives."""
    document.add_heading(ANNEX_TITLES[1], level=1)
    if not content["enjeux"]:
        document.add_paragraph("Aucun enjeu n'est encore défini.")
    for enjeu in content["enjeux"]:
        document.add_heading(f"Enjeu {enjeu['number']} — {enjeu['title']}", level=2)
        for strategic in enjeu["objectives"]:
            document.add_heading(f"Objectif {strategic['number']} — {strategic['title']}", level=3)
            for operational in strategic["operational"]:
                document.add_paragraph(
                    f"Objectif opérationnel {operational['number']} — {operational['title']}",
                    style="List Bullet",
                )


def _docx_fiches_annex(document, content: dict) -> None:
    """Annex 3: fiches."""
    document.add_heading(ANNEX_TITLES[2], level=1)
    if content["fiches"]:
        docx_table(
            document,
            ["N°", "Fiche action", "Pilote", "Calendrier", "Budget prévu sur la période"],
            [
                [
                    f["number"],
                    f["title"],
                    f["pilot"],
                    f"{f['start']} – {f['end']}",
                    "\n".join(f"{b['funder']} : {b['text']}" for b in f["budget"])
                    + ("\n" if f["budget"] else "")
                    + f"Total : {f['budget_total']}",
                ]
                for f in content["fiches"]
            ],
        )
    else:
        document.add_paragraph("Aucune fiche action n'est encore définie.")


def _docx_indicators_annex(document, content: dict) -> None:
    """Annex 4: indicators."""
    document.add_heading(ANNEX_TITLES[3], level=1)
    if content["indicators"]:
        docx_table(
            document,
            ["Fiche", "Indicateur", "Référence", *[f"Cible {y}" for y in content["years"]]],
            [
                [
                    row["fiche"],
                    _indicator_label(row),
                    row["baseline"],
                    *[row["targets"][y] for y in content["years"]],
                ]
                for row in content["indicators"]
            ],
        )
    else:
        document.add_paragraph("Aucun indicateur n'est encore défini.")


def render_docx(content: dict) -> bytes:
    content = _clean(content)
    document = rendering.docx_document(content["title"], author=content["caf"])
    _docx_preamble(document, content)
    for article in content["articles"]:
        document.add_heading(article["title"], level=1)
        _blocks(document, article["blocks"])
    _docx_signatures(document, content)
    _docx_portrait_annex(document, content["portrait"])
    _docx_enjeux_annex(document, content)
    _docx_fiches_annex(document, content)
    _docx_indicators_annex(document, content)
    return rendering.docx_bytes(document)
