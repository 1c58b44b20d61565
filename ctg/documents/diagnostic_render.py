"""The diagnostic partagé document as PDF (WeasyPrint: key figures, SVG charts and the commune map) and as
DOCX (python-docx: headings, lists and tables, editable; the charts as the tables of their figures), both
from the structure of `ctg.documents.diagnostic.build`, set up by `ctg.rendering`. Every text typed by a
person is escaped by the template (PDF) or written as plain text (DOCX)."""

from ctg import rendering
from ctg.rendering import docx_table
from ctg.text import xml_clean

FIGURE_HEADERS = ["Indicateur", "Valeur", "Statut", "Année", "Source"]
NEEDS_HEADERS = ["Indicateur", "Valeur", "Statut", "Source"]
SURVEY_HEADERS = ["Réponse", "Répondants", "Part des répondants"]


def status_text(figure: dict) -> str:
    """« complet », or the status and coverage of a figure that is not complete."""
    return figure["caveat"] or figure["status_label"].lower()


def render_pdf(data: dict) -> bytes:
    # Control characters are dropped from every string; the SVG markup was built escaped by ctg.diagnostics.
    data = xml_clean(data)
    # css_name: escaped for CSS by the css_string filter
    return rendering.pdf("documents/diagnostic_pdf.html", data, css_name=data["ctg_title"])


def _blocks(document, items: list[dict]) -> None:
    for block in items:
        if block["kind"] == "list":
            for item in block["items"]:
                document.add_paragraph(item, style="List Bullet")
        else:
            document.add_paragraph(block["text"])


def _figures(document, figures: list[dict], *, with_year: bool = True) -> None:
    if not figures:
        document.add_paragraph("Aucun chiffre disponible.")
        return
    if with_year:
        rows = [[f["label"], f["value"], status_text(f), f["year"], f["source"]] for f in figures]
        docx_table(document, FIGURE_HEADERS, rows)
    else:
        rows = [[f["label"], f["value"], status_text(f), f["source"]] for f in figures]
        docx_table(document, NEEDS_HEADERS, rows)


def _chart(document, chart: dict | None) -> None:
    if not chart:
        return
    document.add_paragraph(chart["title"]).runs[0].bold = True
    docx_table(document, chart["headers"], chart["rows"])
    if chart["note"]:
        document.add_paragraph(f"{chart['note']}.")


def _findings(document, findings: list[dict] | None, empty: str) -> None:
    if findings is None:
        document.add_paragraph("Aucun constat enregistré : le module des constats n'est pas installé.")
        return
    if not findings:
        document.add_paragraph(empty)
        return
    for f in findings:
        text = f"{f['kind']} — {f['title']} ({f['weight'].lower()} ; {f['communes']})"
        if f["evidence"]:
            text += f" : {f['evidence']}"
        if f["source"]:
            text += f" [Source : {f['source']}]"
        document.add_paragraph(text, style="List Bullet")


def _survey_results(document, entries: list[dict]) -> None:
    """The masked results of the questionnaires' questions of a field: one table per question (answers,
    respondents, share), a sentence for a question under 5 respondents or a free text (never its texts)."""
    for entry in entries:
        fictitious = " (fictif)" if entry["fictitious"] else ""
        document.add_paragraph(
            f"Questionnaire « {entry['title']} »{fictitious} — public : {entry['audience'].lower()} ; "
            f"période : {entry['period']} ; {entry['respondents_text']} au total."
        ).runs[0].bold = True
        for q in entry["questions"]:
            if q["masked"]:
                document.add_paragraph(
                    f"« {q['label']} » ({q['kind'].lower()}) : moins de 5 réponses, résultats non diffusés."
                )
            elif q["free_text"]:
                document.add_paragraph(
                    f"« {q['label']} » (réponse libre) : {q['answers_text']}, non reproduites."
                )
            elif not q["lines"] and not q["stats"]:
                document.add_paragraph(f"« {q['label']} » ({q['kind'].lower()}) : {q['answers_text']}.")
            else:
                document.add_paragraph(f"« {q['label']} » ({q['kind'].lower()}) — {q['respondents_text']}")
                rows = [[line["label"], line["count"], line["percent"] or "—"] for line in q["lines"]]
                rows += [[stat["label"], stat["value"], ""] for stat in q["stats"]]
                docx_table(document, SURVEY_HEADERS, rows)


def _field_part(document, part: dict, masked_note: str = "") -> None:
    document.add_heading(part["label"], level=2)
    if not part["has_needs"]:
        document.add_paragraph("Pas d'indicateur de besoin ni d'offre de l'inventaire pour ce champ.")
    else:
        document.add_heading("Besoins", level=3)
        _figures(document, part["demand"], with_year=False)
        document.add_heading("Offre", level=3)
        _figures(document, part["offer"], with_year=False)
    document.add_heading("Écarts", level=3)
    if part["gaps"]:
        for gap in part["gaps"]:
            document.add_paragraph(
                f"{gap['label']} : {gap['text']} ({gap['communes']}).", style="List Bullet"
            )
    else:
        document.add_paragraph("Aucune zone blanche relevée pour les structures de ce champ.")
    if part["attention"]:
        document.add_heading("Points d'attention du portrait", level=3)
        for point in part["attention"]:
            document.add_paragraph(f"{point['label']} : {point['sentence']}", style="List Bullet")
    document.add_heading("Constats", level=3)
    _findings(document, part["findings"], "Aucun constat enregistré pour ce champ.")
    document.add_heading("Résultats des questionnaires", level=3)
    if part["questionnaire_findings"]:
        _findings(document, part["questionnaire_findings"], "")
    else:
        document.add_paragraph("Aucun constat tiré d'un questionnaire pour ce champ.")
    if part.get("questionnaire_results"):
        _survey_results(document, part["questionnaire_results"])
        if masked_note:
            document.add_paragraph(masked_note)
    else:
        document.add_paragraph("Aucune question de questionnaire n'est rattachée à ce champ.")


def _sources(document, data: dict) -> None:
    sources = data["sources"]
    document.add_heading("Jeux de données", level=2)
    if sources["datasets"]:
        docx_table(
            document,
            ["Jeu de données", "Millésime", "Source", "Données"],
            [
                [d["label"], str(d["year"]), d["source"], "fictives" if d["fictitious"] else "officielles"]
                for d in sources["datasets"]
            ],
        )
    else:
        document.add_paragraph("Aucun jeu de données statistiques n'est chargé.")
    document.add_heading("Offre de services", level=2)
    document.add_paragraph(f"{sources['offer']}.")
    document.add_paragraph(f"Zones blanches ({sources['distance']}) : {sources['white_zones']}")
    document.add_heading("Questionnaires", level=2)
    if not sources["questionnaires"]:
        document.add_paragraph("Aucun questionnaire enregistré.")
    else:
        docx_table(
            document,
            ["Questionnaire", "Public", "Statut", "Réponses", "Canaux"],
            [
                [
                    q["title"],
                    q["audience"],
                    q["status"] + (f" ({q['period']})" if q["period"] else ""),
                    str(q["answers"]),
                    ", ".join(f"{c['channel']} : {c['answers']}" for c in q["channels"]) or "—",
                ]
                for q in sources["questionnaires"]
            ],
        )
    document.add_heading("Ateliers", level=2)
    if not sources["ateliers"]:
        document.add_paragraph("Aucun atelier enregistré.")
    else:
        docx_table(
            document,
            ["Atelier", "Date", "Thèmes", "Participants"],
            [
                [
                    a["title"],
                    f"{a['date']} ({a['status'].lower()})",
                    ", ".join(a["themes"]) or "—",
                    "—" if a["participants"] is None else str(a["participants"]),
                ]
                for a in sources["ateliers"]
            ],
        )
    document.add_heading("Statut des chiffres", level=2)
    document.add_paragraph(sources["statuses"])


def render_docx(data: dict) -> bytes:
    data = xml_clean(data)
    titles = data["titles"]
    document = rendering.docx_document(data["title"], author=data["caf"])
    if data["fictitious_text"]:
        document.add_paragraph(data["fictitious_text"]).runs[0].bold = True
    document.add_heading(data["title"], level=0)
    document.add_paragraph(
        f"{data['caf']} — {data['territory']} — période {data['period']}. "
        f"Document édité le {data['generated']} pour la restitution au comité."
    )

    document.add_heading(titles["introduction"], level=1)
    _blocks(document, data["introduction"])

    document.add_heading(titles["chiffres_cles"], level=1)
    document.add_paragraph(f"{data['territory_name']} : {data['population']}, {data['communes_count']}.")
    if data["statistics_note"]:
        document.add_paragraph(data["statistics_note"])
    _figures(document, data["key_figures"])

    for section in data["sections"]:
        document.add_heading(section["title"], level=1)
        if section["reading"]:
            document.add_paragraph(section["reading"])
        _figures(document, section["figures"])
        _chart(document, section["chart"])
        if section["map"] is not None:
            if section["map"]["svg"]:
                document.add_paragraph(
                    f"Carte « {section['map']['title']} » : voir la version PDF (contours : "
                    f"{section['map']['source']})."
                )
            else:
                document.add_paragraph("Carte des communes non disponible : aucun contour n'est installé.")

    document.add_heading(titles["champs"], level=1)
    for part in data["fields"]:
        _field_part(document, part, data.get("masked_note", ""))

    document.add_heading(titles["transversaux"], level=1)
    cross = data["cross_cutting"]
    if cross["attention"]:
        for point in cross["attention"]:
            document.add_paragraph(
                f"{point['label']} ({point['fields']}) : {point['sentence']}", style="List Bullet"
            )
    else:
        document.add_paragraph("Aucun point d'attention commun à plusieurs champs du dossier.")
    _findings(document, cross["findings"], "Aucun constat commun à plusieurs champs.")
    for other in cross.get("questionnaire_results", []):
        document.add_heading(f"Questionnaires : {other['label']} (champ hors du dossier)", level=2)
        _survey_results(document, other["questionnaires"])
    if cross.get("questionnaire_results"):
        document.add_paragraph(data.get("masked_note", ""))

    document.add_heading(titles["enjeux"], level=1)
    if not data["enjeux"]:
        document.add_paragraph("Aucun enjeu n'est encore proposé.")
    for enjeu in data["enjeux"]:
        document.add_heading(f"Enjeu {enjeu['number']} — {enjeu['title']}", level=2)
        if enjeu["description"]:
            document.add_paragraph(enjeu["description"])
        if enjeu["fields"]:
            document.add_paragraph(f"Champs : {enjeu['fields']}.")
        if enjeu["indicators"]:
            document.add_paragraph("Indicateurs du portrait : " + ", ".join(enjeu["indicators"]) + ".")
        if enjeu["findings"]:
            document.add_paragraph("Constats : " + " ; ".join(enjeu["findings"]))
        for objective in enjeu["objectives"]:
            document.add_paragraph(objective, style="List Bullet")

    document.add_heading(titles["conclusions"], level=1)
    _blocks(document, data["conclusions"])

    document.add_heading(titles["sources"], level=1)
    _sources(document, data)
    return rendering.docx_bytes(document)
