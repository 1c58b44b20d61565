"""The final evaluation's report as PDF (WeasyPrint, `evaluation/final_pdf.html`) and DOCX (python-docx),
through `ctg.rendering`; both read `final.compute(ctg)`. User text goes through the template's escaping (PDF)
and python-docx's text runs (DOCX): never as markup."""

from django.utils import timezone

from ctg import rendering
from ctg.evaluation.final import QUESTIONS
from ctg.rendering import docx_bytes, docx_document, docx_table


def _conclusions(data: dict) -> dict:
    evaluation = data["evaluation"]
    return {key: (getattr(evaluation, key) if evaluation else "") for key, _t, _q in QUESTIONS}


def render_pdf(data: dict) -> bytes:
    context = {**data, "conclusions": _conclusions(data), "generated": timezone.localdate()}
    return rendering.pdf("evaluation/final_pdf.html", context, css_name=data["ctg"].title)


def _budget(document, budget: dict) -> None:
    if budget["empty"]:
        document.add_paragraph("Aucune ligne de budget : dépenses non mesurables.")
        return
    docx_table(
        document,
        ["Financeur", *[f"{y} prévu / réalisé" for y in budget["years"]], "Prévu", "Réalisé", "Taux"],
        [
            [
                r["label"],
                *[f"{c['planned']} / {c['spent']}" for c in r["years"]],
                r["planned"],
                r["spent"],
                r["rate"],
            ]
            for r in budget["rows"]
        ]
        + [["Total", *["" for _ in budget["years"]], budget["planned"], budget["spent"], budget["rate"]]],
    )


def render_docx(data: dict) -> bytes:
    ctg = data["ctg"]
    conclusions = _conclusions(data)
    document = docx_document(f"Évaluation finale — {ctg.title}")
    document.add_heading("Évaluation finale de la CTG", level=0)
    document.add_paragraph(ctg.title)
    document.add_paragraph(f"Période de la CTG : {ctg.period_label}")
    document.add_paragraph(data["validation"]["text"])

    titles = {key: (title, question) for key, title, question in QUESTIONS}

    def conclusion(key):
        title, question = titles[key]
        document.add_heading(f"{title} — {question}", level=1)
        document.add_heading("Conclusion", level=2)
        document.add_paragraph(conclusions[key] or "Conclusion non rédigée.")

    conclusion("coherence")
    document.add_heading("Constats et besoins auxquels chaque enjeu répond", level=2)
    if data["tree"]:
        docx_table(
            document,
            ["Enjeu", "Constats du diagnostic", "Besoins et offre", "Fiches"],
            [
                [
                    row["enjeu"].title,
                    "; ".join(f.title for f in row["findings"]) or "aucun constat cité",
                    "; ".join(f"{n['label']} : {n['text']}" for n in row["needs"]) or "aucune ligne citée",
                    str(row["fiches_count"]),
                ]
                for row in data["tree"]
            ],
        )
    else:
        document.add_paragraph("Aucun enjeu.")
    document.add_heading("Constats auxquels aucune fiche n'a répondu", level=2)
    if data["unanswered_findings"]:
        docx_table(
            document,
            ["Constat", "Pourquoi"],
            [[row["finding"].title, row["reason"]] for row in data["unanswered_findings"]],
        )
    else:
        document.add_paragraph("Aucun : chaque constat est cité par un enjeu doté de fiches action.")

    conclusion("achievement")
    document.add_paragraph(data["rule"])
    docx_table(
        document, ["Résultat", "Fiches"], [[r["label"], str(r["count"])] for r in data["verdict_summary"]]
    )
    for row in data["tree"]:
        document.add_heading(f"Enjeu : {row['enjeu'].title} — {row['verdict_label']}", level=2)
        for objective in row["objectives"]:
            document.add_paragraph(
                f"Objectif stratégique : {objective['objective'].title} — {objective['verdict_label']}"
            )
            for op in objective["operational"]:
                document.add_paragraph(
                    f"Objectif opérationnel : {op['objective'].title} — {op['verdict_label']}"
                )
                for fiche in op["fiches"]:
                    _fiche_docx(document, fiche, data["years"])
    if data["unattached"]:
        document.add_heading("Fiches rattachées à aucun objectif", level=2)
        for fiche in data["unattached"]:
            _fiche_docx(document, fiche, data["years"])

    conclusion("means")
    means = data["means"]
    document.add_heading("Poste de coordination", level=2)
    if means["post"] is None:
        document.add_paragraph("Aucun poste de coordination enregistré : non mesurable.")
    else:
        document.add_paragraph(
            f"{means['post'].person_name} ({means['post'].employer}) — {means['fte']} ETP ; "
            f"années financées : {', '.join(str(y) for y in means['years_funded']) or 'aucune'}."
        )
        if means["fundings"]:
            docx_table(
                document,
                ["Année", "Demandé", "Accordé"],
                [[str(f["year"]), f["requested"], f["agreed"]] for f in means["fundings"]],
            )
    document.add_heading("Budget du plan par financeur et par année", level=2)
    _budget(document, means["budget"])
    document.add_heading("Partenaires mobilisés", level=2)
    if means["partners"]:
        docx_table(
            document,
            ["Partenaire", "Partenaire du dossier", "Fiches pilotées", "Fiches en partenariat"],
            [
                [
                    p["organisation"].name,
                    "oui" if p["dossier_partner"] else "non",
                    str(p["pilot"]),
                    str(p["partner"]),
                ]
                for p in means["partners"]
            ],
        )
    else:
        document.add_paragraph("Aucun partenaire enregistré.")

    conclusion("durability")
    durability = data["durability"]
    document.add_heading("Engagements de pérennité", level=2)
    if durability["commitments"]:
        docx_table(
            document,
            ["Pour", "Engagement"],
            [[f"{c['kind']} : {c['label']}", c["text"]] for c in durability["commitments"]],
        )
    else:
        document.add_paragraph("Aucun engagement saisi.")
    document.add_heading("Questionnaire aux partenaires", level=2)
    survey = durability["survey"]
    if survey is None:
        document.add_paragraph("Aucun questionnaire choisi : résultats absents.")
    else:
        document.add_paragraph(f"{survey['questionnaire'].title} — répondants : {survey['respondents']}.")
        for q in survey["questions"]:
            document.add_paragraph(f"{q['number']}. {q['label']}")
            if q["hidden"]:
                document.add_paragraph("Moins de 5 répondants : résultat masqué.")
            elif q["lines"]:
                docx_table(
                    document,
                    ["Réponse", "Nombre", "Part"],
                    [[x["label"], x["count"], x["percent"]] for x in q["lines"]],
                )
            elif q["stats"]:
                docx_table(document, ["Mesure", "Valeur"], [list(s) for s in q["stats"]])
            else:
                document.add_paragraph("Réponses libres : non reprises dans l'évaluation.")
    return docx_bytes(document)


def _fiche_docx(document, row: dict, years) -> None:
    fiche = row["fiche"]
    document.add_heading(f"Fiche : {fiche.title} — {row['verdict_label']}", level=3)
    document.add_paragraph(
        "Statut en fin d'année : " + " ; ".join(f"{s['year']} : {s['status']}" for s in row["statuses"])
    )
    if row["indicators"]:
        docx_table(
            document,
            ["Indicateur", "Référence", "Cibles", "Réalisé", "Dernière valeur", "Résultat"],
            [
                [
                    i["label"],
                    f"{i['baseline']} ({i['baseline_year']})",
                    i["targets"],
                    i["realised"],
                    f"{i['last']} ({i['last_year'] or '—'})",
                    i["verdict_label"],
                ]
                for i in row["indicators"]
            ],
        )
    else:
        document.add_paragraph("Aucun indicateur : non mesurable.")
    _budget(document, row["budget"])
    if row["decisions"]:
        docx_table(
            document,
            ["Réunion", "Décision"],
            [
                [f"{d.meeting.body.name}, {timezone.localtime(d.meeting.starts_at):%d/%m/%Y}", d.text]
                for d in row["decisions"]
            ],
        )
