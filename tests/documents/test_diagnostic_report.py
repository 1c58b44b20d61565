"""The diagnostic partagé document (issue 13, item 4): its sections in order, a partial figure with its
coverage in the PDF and the DOCX, the fictitious banner, the enjeux, the sources with their vintages, the
findings of a field; the texts and the versions kept with their history; the page and its downloads; the
command `ctg diagnostic_report` and its refusals, which change nothing."""

import io
import pathlib
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pypdf import PdfReader

from ctg.core.models import Action, HistoryEntry
from ctg.documents import diagnostic, diagnostic_render, services
from ctg.documents.models import DiagnosticReport, DiagnosticReportVersion
from tests.security.test_xss_surfaces import docx_texts

pytestmark = pytest.mark.django_db

PARTIAL = "partiel : 1 commune sur 3, 67 % de la population"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def pdf_text(content: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def _finding(ctg, **values):
    from ctg.findings.models import Finding

    return Finding.objects.create(ctg=ctg, **values)


def _version_files(version) -> tuple[str, str]:
    with version.pdf.open("rb") as handle:
        pdf = pdf_text(handle.read())
    with version.docx.open("rb") as handle:
        docx = flat(docx_texts(handle.read()))
    return pdf, docx


def _files(root: pathlib.Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- the content --------------------------------------------------------------------------------------------


def test_sections_in_order_with_partial_figures_enjeux_sources_and_findings(diagnostic_dossier, settings):
    ctg = diagnostic_dossier.ctg
    _finding(
        ctg,
        kind="besoin",
        title="Manque de places d'accueil le mercredi",
        fields=["petite_enfance"],
        evidence="Trois familles sur quatre le disent.",
        source_kind="question",
        source_label="Questionnaire aux familles, question 4",
        weight=3,
    )
    _finding(ctg, kind="atout", title="Un tissu associatif dense", fields=[], weight=2)
    services.diagnostic_texts_set(
        ctg=ctg,
        actor=diagnostic_dossier.users["coordination"],
        introduction="Le diagnostic a été conduit de janvier à juin 2025.\n- portrait\n- ateliers",
        conclusions="Le comité retient trois enjeux.",
    )
    data = diagnostic.build(ctg)
    assert [s["key"] for s in data["outline"]] == [
        "introduction",
        "chiffres_cles",
        "territoire",
        "familles",
        "revenus",
        "champs",
        "transversaux",
        "enjeux",
        "conclusions",
        "sources",
    ]
    assert [p["field"] for p in data["fields"]] == ["petite_enfance", "jeunesse", "parentalite"]
    households = next(f for f in data["key_figures"] if f["id"] == "allocataires")
    assert households["status"] == "partiel" and flat(households["caveat"]).startswith(PARTIAL)

    pdf = pdf_text(diagnostic_render.render_pdf(data))
    docx = flat(docx_texts(diagnostic_render.render_docx(data)))
    for text in (pdf, docx):
        # The sections, in order.
        start = text.find("Le diagnostic a été conduit")
        assert text.rfind("Introduction", 0, start) >= 0
        positions = [text.find(title, start) for _key, title in diagnostic.OUTLINE[1:]]
        assert all(p > start for p in positions), positions
        assert positions == sorted(positions), positions
        # A partial figure with its coverage; a figure that cannot be computed says why.
        assert f"Foyers allocataires 1 731 foyers {PARTIAL}" in text or PARTIAL in text
        assert "Ne s'agrège pas sur plusieurs communes" in text
        # The fictitious banner, the enjeu, the sources with their vintages, the texts, the findings.
        assert "Données fictives (démonstration) : statistiques générées" in text
        assert "Enjeu 1 — Soutenir les jeunes familles" in text
        assert "Recensement de la population (dossier complet) 2022" in text
        assert "Insee, recensement de la population (RP 2022)" in text
        assert "Insee-Cnaf, allocataires CAF au 31/12/2021" in text
        assert "Le comité retient trois enjeux." in text
        assert "Manque de places d'accueil le mercredi" in text
        assert "Questionnaire aux familles, question 4" in text
        assert "Un tissu associatif dense" in text  # a finding of no field: cross-cutting
        assert "Aucun questionnaire enregistré." in text
        assert "Aucun atelier enregistré." in text
    # The PDF draws the charts (SVG) and lists the key figures first.
    html = diagnostic_render.rendering.render_to_string(
        "documents/diagnostic_pdf.html", {**data, "fonts_dir": "", "css_name": ""}
    )
    assert html.count("<svg") >= 2
    assert "Structure par âge de la population" in html
    # Introduction: paragraphs and bullets.
    assert "Le diagnostic a été conduit de janvier à juin 2025." in docx and "portrait" in docx
    assert data["snapshot"]["partial"] and data["snapshot"]["enjeux"] == ["Soutenir les jeunes familles"]


def test_no_banner_without_fictitious_data_and_figures_said_absent(world):
    data = diagnostic.build(world.ctg)
    assert data["fictitious"] == [] and data["fictitious_text"] == ""
    docx = flat(docx_texts(diagnostic_render.render_docx(data)))
    assert "Données fictives" not in docx
    assert "Introduction à rédiger." in docx and "Conclusions à rédiger." in docx
    assert "Aucun enjeu n'est encore proposé." in docx


def test_map_and_gaps_when_contours_are_installed(diagnostic_dossier, monkeypatch):
    """With the communes' contours (three squares 40 km apart): the commune map in the PDF, and the white zone
    of the only crèche's type in the petite enfance part (the two other communes are too far)."""
    from ctg.diagnostics import maps
    from ctg.offer import needs
    from ctg.offer.services import structure_create

    ctg = diagnostic_dossier.ctg
    communes = list(ctg.communes.order_by("code"))
    squares = {
        c.code: [[[(2.0 + i, 43.0), (2.1 + i, 43.0), (2.1 + i, 43.1), (2.0 + i, 43.1), (2.0 + i, 43.0)]]]
        for i, c in enumerate(communes)
    }

    def contours(wanted):
        return {c: squares[c] for c in wanted if c in squares}, "contours de test"

    monkeypatch.setattr(maps, "load_contours", contours)
    monkeypatch.setattr(needs, "load_contours", contours)
    monkeypatch.setattr(needs, "_centroids", {})
    values = {"type": "eaje_creche", "name": "Crèche du Test", "commune": communes[0], "capacity": 20}
    structure_create(actor=None, values={**values, "latitude": 43.05, "longitude": 2.05, "source": "saisie"})
    data = diagnostic.build(ctg)
    territory = data["sections"][0]
    assert territory["map"]["svg"].startswith("<svg") and territory["map"]["source"] == "contours de test"
    petite = next(p for p in data["fields"] if p["field"] == "petite_enfance")
    [gap] = [g for g in petite["gaps"] if "2 communes sur 3" in g["text"]]
    assert gap["communes"] == f"{communes[1].name}, {communes[2].name}" or set(
        gap["communes"].split(", ")
    ) == {
        communes[1].name,
        communes[2].name,
    }
    places = next(f for f in petite["offer"] if f["label"] == "Places")
    assert places["value"] == "20 places" and places["status"] == "ok"
    docx = flat(docx_texts(diagnostic_render.render_docx(data)))
    assert "2 communes sur 3 sans structure à moins de 10 km" in docx
    html = diagnostic_render.rendering.render_to_string(
        "documents/diagnostic_pdf.html", {**data, "fonts_dir": "", "css_name": ""}
    )
    assert "Source des contours : contours de test" in html and 'class="map"' in html


# --- texts, versions, history -------------------------------------------------------------------------------


def test_texts_are_kept_with_their_history_and_too_long_a_text_changes_nothing(world):
    ctg, actor = world.ctg, world.users["coordination"]
    report = services.diagnostic_texts_set(ctg=ctg, actor=actor, introduction="Intro\x07 ", conclusions="")
    assert report.introduction == "Intro" and report.created_by == actor
    services.diagnostic_texts_set(ctg=ctg, actor=actor, introduction="Intro", conclusions="Fin")
    services.diagnostic_texts_set(ctg=ctg, actor=actor, introduction="Intro", conclusions="Fin")  # no change
    lines = HistoryEntry.objects.filter(ctg=ctg, action=Action.DIAGNOSTIC_REPORT).order_by("pk")
    assert [line.summary for line in lines] == [
        "Textes du document du diagnostic rédigés",
        "Textes du document du diagnostic modifiés",
    ]
    with pytest.raises(services.ValidationError):
        services.diagnostic_texts_set(
            ctg=ctg, actor=actor, introduction="x" * (services.MAX_DIAGNOSTIC_TEXT + 1), conclusions=""
        )
    assert DiagnosticReport.objects.get(ctg=ctg).conclusions == "Fin" and lines.count() == 2


def test_each_generation_is_kept_as_a_version(diagnostic_dossier, settings):
    ctg, actor = diagnostic_dossier.ctg, diagnostic_dossier.users["pilote_caf"]
    first = services.diagnostic_generate(ctg=ctg, actor=actor)
    services.diagnostic_texts_set(ctg=ctg, actor=actor, introduction="Nouvelle introduction", conclusions="")
    second = services.diagnostic_generate(ctg=ctg, actor=actor)
    assert [v.number for v in ctg.diagnostic_versions.all()] == [2, 1]
    assert first.pdf.name.endswith("diagnostic-ctg-du-test-2025-2028-v1.pdf")
    assert second.generated_by == actor and second.snapshot["introduction"] is True
    assert first.snapshot["introduction"] is False
    pdf, docx = _version_files(first)
    assert PARTIAL in pdf and PARTIAL in docx
    pdf, docx = _version_files(second)
    assert "Nouvelle introduction" in pdf and "Nouvelle introduction" in docx
    lines = HistoryEntry.objects.filter(ctg=ctg, action=Action.DIAGNOSTIC_REPORT).order_by("pk")
    assert [line.summary for line in lines] == [
        "Document du diagnostic partagé généré (version 1)",
        "Textes du document du diagnostic rédigés",
        "Document du diagnostic partagé généré (version 2)",
    ]
    assert lines.last().item_id == second.pk


def test_a_failed_generation_keeps_nothing(world, monkeypatch, settings):
    def broken(data):
        raise OSError("disque plein")

    monkeypatch.setattr(diagnostic_render, "render_docx", broken)
    before = HistoryEntry.objects.count()
    with pytest.raises(OSError):
        services.diagnostic_generate(ctg=world.ctg, actor=None)
    assert not DiagnosticReportVersion.objects.exists() and HistoryEntry.objects.count() == before
    assert _files(pathlib.Path(settings.MEDIA_ROOT)) == []


# --- the page and its downloads -----------------------------------------------------------------------------


def test_page_texts_generation_and_downloads(client, world):
    ctg = world.ctg
    url = reverse("documents:diagnostic", args=[ctg.pk])
    client.force_login(world.users["lecture"])
    page = client.get(url).content.decode()
    assert "Document du diagnostic" in page and "Introduction à rédiger." in page
    assert "Générer le document du diagnostic" not in page and 'name="introduction"' not in page
    assert f'href="{url}"' in page and 'aria-current="page"' in page  # the diagnostic's sub-navigation

    client.force_login(world.users["coordination"])
    response = client.post(url, {"introduction": "Conduit en 2025.", "conclusions": "Trois enjeux."})
    assert response.status_code == 302
    assert DiagnosticReport.objects.get(ctg=ctg).introduction == "Conduit en 2025."
    response = client.post(url, {"introduction": "x" * 20_001, "conclusions": ""})
    assert response.status_code == 400
    assert DiagnosticReport.objects.get(ctg=ctg).introduction == "Conduit en 2025."

    response = client.post(reverse("documents:diagnostic_generate", args=[ctg.pk]))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Le document du diagnostic est généré (version 1)." in page
    pdf = reverse("documents:diagnostic_version_pdf", args=[ctg.pk, 1])
    docx = reverse("documents:diagnostic_version_docx", args=[ctg.pk, 1])
    assert pdf in page and docx in page

    client.force_login(world.users["partenaire"])
    response = client.get(pdf)
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and "Conduit en 2025." in pdf_text(body)
    assert 'filename="diagnostic-ctg-du-test-2025-2028-v1.pdf"' in response["Content-Disposition"]
    response = client.get(docx)
    assert "Trois enjeux." in docx_texts(b"".join(response.streaming_content))
    assert client.get(reverse("documents:diagnostic_version_pdf", args=[ctg.pk, 2])).status_code == 404
    client.force_login(world.users["other_member"])
    assert client.get(pdf).status_code == 404


# --- the command --------------------------------------------------------------------------------------------


def test_command_writes_the_pdf_and_the_docx(diagnostic_dossier, tmp_path, capsys):
    ctg = diagnostic_dossier.ctg
    pdf, docx = tmp_path / "diagnostic.pdf", tmp_path / "diagnostic.docx"
    call_command("diagnostic_report", str(ctg.pk), "--pdf", str(pdf), "--docx", str(docx))
    assert "version 1" in capsys.readouterr().out
    assert PARTIAL in pdf_text(pdf.read_bytes())
    assert PARTIAL in flat(docx_texts(docx.read_bytes()))
    version = ctg.diagnostic_versions.get()
    assert version.generated_by is None


@pytest.mark.parametrize("dossier", ["999999", "abc"])
def test_command_refuses_an_unknown_dossier(world, tmp_path, dossier, settings):
    with pytest.raises(CommandError, match="Aucun dossier CTG n°"):
        call_command("diagnostic_report", dossier, "--pdf", str(tmp_path / "d.pdf"))
    assert not DiagnosticReportVersion.objects.exists() and not (tmp_path / "d.pdf").exists()


def test_command_refuses_an_unwritable_path_and_keeps_nothing(world, tmp_path, settings, monkeypatch):
    ctg = world.ctg
    before = HistoryEntry.objects.count()
    with pytest.raises(CommandError, match="Dossier inexistant"):
        call_command("diagnostic_report", str(ctg.pk), "--pdf", str(tmp_path / "absent" / "d.pdf"))
    with pytest.raises(CommandError, match="est un dossier"):
        call_command("diagnostic_report", str(ctg.pk), "--docx", str(tmp_path))

    # Writing fails once the document is built (a full disk, no permission): nothing is kept.
    real_write = pathlib.Path.write_bytes

    def write_bytes(self, data):
        if self.suffix == ".docx":
            raise PermissionError(13, "Permission non accordée")
        return real_write(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    pdf, docx = tmp_path / "d.pdf", tmp_path / "d.docx"
    with pytest.raises(CommandError, match="Écriture impossible de .*d.docx : Permission non accordée"):
        call_command("diagnostic_report", str(ctg.pk), "--pdf", str(pdf), "--docx", str(docx))
    assert not DiagnosticReportVersion.objects.exists()
    assert HistoryEntry.objects.count() == before
    assert not pdf.exists() and not docx.exists()
    assert _files(pathlib.Path(settings.MEDIA_ROOT)) == []


def test_sources_list_questionnaires_with_answers_and_channels_and_ateliers_with_dates(world):
    import datetime

    from ctg.ateliers.models import Atelier, Attendance
    from ctg.conventions.models import DatePrecision
    from ctg.surveys.models import Questionnaire, Response

    ctg = world.ctg
    questionnaire = Questionnaire.objects.create(
        ctg=ctg, title="Questionnaire aux familles", audience="familles"
    )
    for channel, count in (("mail CAF", 7), ("école", 6), ("saisie papier", 2), ("marché", 1)):
        for _ in range(count):
            Response.objects.create(questionnaire=questionnaire, channel=channel, respondent_type="familles")
    Response.objects.create(
        questionnaire=questionnaire, channel="mail CAF", respondent_type="familles", is_test=True
    )
    held = Atelier.objects.create(
        ctg=ctg,
        title="Petite enfance",
        themes=["petite_enfance"],
        date=datetime.date(2024, 5, 1),
        date_precision=DatePrecision.MONTH,
        status=Atelier.Status.HELD,
    )
    for name in ("Ana", "Bruno", "Chloé"):
        Attendance.objects.create(atelier=held, person_name=name)
    Atelier.objects.create(
        ctg=ctg, title="Jeunesse", themes=["jeunesse"], date=datetime.date(2024, 6, 12), status="annule"
    )
    data = diagnostic.build(ctg)
    [row] = data["sources"]["questionnaires"]
    assert row["answers"] == "16"
    assert row["channels"] == [
        {"channel": "mail CAF", "answers": "7"},
        # Fewer than 5 answers: grouped, never shown alone; the group takes the smallest channel with it, so
        # that it holds 5 answers or more and nothing is found by subtraction.
        {"channel": "autres canaux (saisie papier, marché, école)", "answers": "9"},
    ]
    assert [a["title"] for a in data["sources"]["ateliers"]] == ["Petite enfance"]  # cancelled left out
    docx = flat(docx_texts(diagnostic_render.render_docx(data)))
    assert "Questionnaire aux familles" in docx and "mail CAF : 7, autres canaux" in docx
    assert "Petite enfance" in docx and "mai 2024 (tenu)" in docx and "3" in docx
    pdf = pdf_text(diagnostic_render.render_pdf(data))
    assert "mai 2024 (tenu)" in pdf and "mail CAF : 7" in pdf
