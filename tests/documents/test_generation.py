"""Generation of the convention: content of the DOCX and PDF (parties, period, communes, signatories,
articles, annexes), versions and avenants with their changes, history, the tab and downloads, the command,
LibreOffice."""

import datetime
import io
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from ctg.conventions.models import Avenant
from ctg.core.models import Action, HistoryEntry
from ctg.demo.convention import load_demo_convention
from ctg.documents import content, defaults, services
from ctg.documents.models import ConventionVersion
from ctg.plans.models import BudgetLine, IndicatorValue
from tests.conftest import PASSWORD
from tests.plans.factories import FicheFactory


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def docx_text(path) -> str:
    document = Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return _flat("\n".join(parts))


def pdf_pages(path) -> list[str]:
    return [_flat(page.extract_text()) for page in PdfReader(path).pages]


def _generate(world, **kw):
    return services.convention_generate(ctg=world.ctg, actor=world.users["pilote_caf"], **kw)


def _avenant(ctg, title, number=None) -> Avenant:
    """A recorded avenant of the dossier (its document is what is tested here)."""
    number = number or ctg.avenants.count() + 1
    return Avenant.objects.create(ctg=ctg, number=number, title=title)


def _communes(world) -> list[str]:
    return [c.name for c in world.ctg.communes.order_by("name")]


def _check_document(text: str, world):
    # Parties, with the real names, in order.
    assert (
        "CAF du Tarn, représentée par Claire Martin, Directrice, ci-après dénommée « la CAF »,"
        " Communauté de communes du Test, représentée par Jean Dupuy, Président, ci-après dénommée "
        "« la collectivité », et Conseil départemental du Tarn, représenté par Sophie Bernard, Présidente."
    ) in text
    assert "Période 2025-2028" in text
    assert "pour une durée de 4 ans, du 1er janvier 2025 au 31 décembre 2028" in text
    a, b, c = _communes(world)
    assert f"soit 3 communes et 6 000 habitants : {a}, {b} et {c}" in text
    assert "petite enfance (0-3 ans), jeunesse (11-25 ans)" in text
    assert "Léa Coordinatrice, employé·e par la Communauté de communes du Test, 0,8 ETP" in text
    assert "Comité de pilotage (Deux fois par an) : Claire Martin, Directrice (CAF du Tarn)" in text
    assert "Mission locale Tarn Nord" in text
    for article in defaults.ARTICLES:
        assert article.title in text
    # Signatures: dates or a blank line.
    assert "Signé le 10/03/2025" in text and "Signé le 14/03/2025" in text and "Le ____________" in text
    # Annexes.
    assert "Aucune statistique n'est chargée" in text
    assert "Enjeu 1 — Soutenir les jeunes familles" in text
    assert "Objectif 1.1 — Développer l'accueil du jeune enfant" in text
    assert "Objectif opérationnel 1.1.1 — Créer des places en crèche" in text
    assert "Relais petite enfance itinérant" in text and "Micro-crèche intercommunale" in text
    assert "Communauté de communes du Test, Léa Coordinatrice" in text
    assert "CAF : 20 000,00 €" in text and "EPCI : 5 500,00 €" in text and "Total : 25 500,00 €" in text
    assert "Communes : 30 000,00 €" in text
    assert "999" not in text  # a budget line outside the period
    assert "Familles accompagnées (familles)" in text and "40 (2024)" in text


def test_docx_content(world, convention_data):
    version = _generate(world)
    text = docx_text(version.docx.path)
    _check_document(text, world)
    assert "Convention territoriale globale « CTG du Test 2025-2028 »" in text
    assert (
        "1.1.1 | Relais petite enfance itinérant | Communauté de communes du Test, Léa Coordinatrice" in text
    )
    assert "1.1.1 | Familles accompagnées (familles) | 40 (2024) | 50 | 65 | 80 | —" in text
    assert "Convention signée le" not in text
    document = Document(version.docx.path)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Annexe 3 — Fiches action" in headings and "Article 8 — Gouvernance" in headings
    assert len(document.tables) == 3  # signatures, fiches, indicators
    assert document.core_properties.title == "Convention territoriale globale « CTG du Test 2025-2028 »"


def test_pdf_content(world, convention_data):
    version = _generate(world)
    pages = pdf_pages(version.pdf.path)
    text = " ".join(pages)
    _check_document(text, world)
    assert "Convention territoriale globale « CTG du Test 2025-2028 »" in pages[0]
    assert "50 65 80 —" in text


def test_signed_convention_says_so_on_the_first_page(world, convention_data):
    last = convention_data.signatories[2]
    last.signed_on = datetime.date(2025, 4, 2)
    last.save()
    version = _generate(world)
    assert "Convention signée le 2 avril 2025" in pdf_pages(version.pdf.path)[0]
    first_paragraphs = " ".join(p.text for p in Document(version.docx.path).paragraphs[:4])
    assert "Convention signée le 2 avril 2025" in first_paragraphs


def test_the_cafs_model_is_used(world, convention_data):
    caf = world.ctg.caf
    rows = [{"key": a.key, "title": a.title, "body": a.body} for a in defaults.ARTICLES]
    rows[1]["title"] = "Article 1 — Objet ({{ periode }})"
    services.template_save(
        caf=caf,
        actor=world.users["pilote_caf"],
        articles=rows,
        new={"title": "Article 11 — Communication", "body": "Mention du soutien de la {{ caf.nom }}."},
    )
    text = docx_text(_generate(world).docx.path)
    assert "Article 1 — Objet (2025-2028)" in text
    assert "Article 11 — Communication Mention du soutien de la CAF du Tarn." in text


def test_fictitious_dossier_is_labelled(world, convention_data):
    world.ctg.is_fictitious = True
    world.ctg.save()
    version = _generate(world)
    assert "Document fictif (démonstration)" in docx_text(version.docx.path)
    assert "Document fictif (démonstration)" in pdf_pages(version.pdf.path)[0]


def test_portrait_annex_with_fictitious_statistics(world, convention_data, monkeypatch):
    from ctg.diagnostics import portrait as portrait_module
    from ctg.diagnostics.engine import Value

    indicator = SimpleNamespace(id="taux_pauvrete", label="Taux de pauvreté", unit="%", decimals=1)
    fake = SimpleNamespace(
        datasets={"filosofi_com": 2021},
        territory=SimpleNamespace(name="CC du Test", population=6000),
        results=[
            SimpleNamespace(indicator=indicator, value=Value(17.25, "ok", 1.0, 2021), source="FiLoSoFi 2021")
        ],
        attention=[
            {"indicator": indicator, "sentence": "Le taux de pauvreté est supérieur à celui du Tarn."}
        ],
        fictitious_datasets=["FiLoSoFi 2021"],
    )
    monkeypatch.setattr(portrait_module, "build_portrait", lambda territory: fake)
    version = _generate(world)
    for text in (docx_text(version.docx.path), " ".join(pdf_pages(version.pdf.path))):
        assert "Jeux de données fictifs (démonstration) : FiLoSoFi 2021." in text
        assert "Taux de pauvreté" in text and "17,2 %" in text
        assert "Le taux de pauvreté est supérieur à celui du Tarn." in text


def test_a_broken_portrait_does_not_prevent_the_convention(world, convention_data, monkeypatch):
    from ctg.diagnostics import portrait as portrait_module

    def broken(territory):
        raise OSError("store absent")

    monkeypatch.setattr(portrait_module, "build_portrait", broken)
    text = docx_text(_generate(world).docx.path)
    assert "Le portrait social du territoire n'a pas pu être calculé." in text


def test_empty_dossier_still_generates(world):
    version = services.convention_generate(ctg=world.other_ctg, actor=None)
    text = docx_text(version.docx.path)
    assert "Aucun enjeu n'est encore défini." in text
    assert "Aucune fiche action n'est encore définie." in text
    assert "Aucun signataire n'est encore désigné." in text
    assert "CAF de l'Aude, ci-après dénommée « la CAF »" in text
    assert version.generated_by is None


def test_versions_snapshot_history_and_changes(world, convention_data):
    first = _generate(world)
    assert (first.number, first.kind, first.changes) == (1, "convention", [])
    assert first.generated_by == world.users["pilote_caf"]
    assert first.snapshot["period"] == "2025-2028"
    assert first.snapshot["communes"] == _communes(world)
    assert first.snapshot["signatories"][0] == {
        "organisation": "CAF du Tarn",
        "signer": "Claire Martin",
        "capacity": "Directrice",
        "signed_on": "2025-03-10",
    }
    assert first.snapshot["fiches"][0]["budget"] == {"CAF": "20000.00", "EPCI": "5500.00"}
    assert first.snapshot["indicators"][0]["targets"] == {"2025": "50", "2026": "65", "2027": "80"}
    entry = HistoryEntry.objects.get(ctg=world.ctg, action=Action.CONVENTION)
    assert entry.summary == "Convention générée (version 1)"
    assert (entry.item_type, entry.item_id, entry.actor) == (
        "conventionversion",
        first.pk,
        world.users["pilote_caf"],
    )

    ctg = world.ctg
    ctg.end_year = 2029
    ctg.save()
    relais = convention_data.fiches[0]
    line = BudgetLine.objects.get(fiche=relais, year=2025, funder="caf")
    line.planned = 15000
    line.save()
    IndicatorValue.objects.filter(indicator=convention_data.indicator, year=2026).update(value=70)
    FicheFactory(ctg=ctg, objectives=list(relais.objectives.all()), title="Ludothèque mobile")
    convention_data.signatories[2].delete()

    prolongation = _avenant(ctg, "Prolongation d'un an et nouvelle fiche")
    second = _generate(world, avenant=prolongation)
    assert (second.number, second.kind, second.avenant_number) == (2, "avenant", 1)
    assert (second.avenant, second.subject) == (prolongation, "Prolongation d'un an et nouvelle fiche")
    assert "Période : 2025-2028 → 2025-2029" in second.changes
    assert "Fiche action ajoutée : 1.1.3 Ludothèque mobile" in second.changes
    assert (
        "Budget de la fiche 1.1.1 « Relais petite enfance itinérant » (CAF) : "
        "20\u202f000,00 € → 23\u202f000,00 €" in second.changes
    )
    assert "Cible 2026 de l'indicateur « Familles accompagnées » : 65 → 70" in second.changes
    assert "Signataire retiré : Conseil départemental du Tarn" in second.changes
    text = docx_text(second.docx.path)
    assert "Avenant n° 1 à la convention territoriale globale « CTG du Test 2025-2028 »" in text
    assert "Objet de l'avenant Prolongation d'un an et nouvelle fiche" in text
    assert "Période : 2025-2028 → 2025-2029" in text
    pdf = " ".join(pdf_pages(second.pdf.path))
    assert "Avenant n° 1 à la convention territoriale globale" in pdf and "Fiche action ajoutée" in pdf
    entry = HistoryEntry.objects.filter(action=Action.CONVENTION).first()
    assert entry.summary == (
        "Document de l'avenant n° 1 généré (version 2) : Prolongation d'un an et nouvelle fiche"
    )
    assert (entry.item_id, entry.actor) == (second.pk, world.users["pilote_caf"])

    third = _generate(world, avenant=_avenant(ctg, "Signature du département"))
    assert (third.number, third.avenant_number, third.changes) == (3, 2, [])
    fourth = _generate(world)
    assert (fourth.number, fourth.kind, fourth.avenant_number) == (4, "convention", None)


def test_signatory_changes(world, convention_data):
    _generate(world)
    caf_signatory = convention_data.signatories[0]
    caf_signatory.signer_name = "Paul Durand"
    caf_signatory.save()
    third = convention_data.signatories[2]
    third.signed_on = datetime.date(2025, 5, 6)
    third.save()
    world.ctg.fields = ["petite_enfance", "parentalite"]
    world.ctg.save()
    changes = _generate(world, avenant=_avenant(world.ctg, "Changement de directeur")).changes
    assert "Signataire de la CAF du Tarn : Claire Martin, Directrice → Paul Durand, Directrice" in changes
    assert "Signature du Conseil départemental du Tarn : — → 06/05/2025" in changes
    assert "Champ d'intervention ajouté : Parentalité" in changes
    assert "Champ d'intervention retiré : Jeunesse (11-25 ans)" in changes


def test_a_renamed_fiche_or_indicator_is_followed_not_removed_and_added(world, convention_data):
    _generate(world)
    relais = convention_data.fiches[0]
    relais.title = "Relais petite enfance itinérant et familles"
    relais.save()
    indicator = convention_data.indicator
    indicator.label = "Familles accompagnées par le relais"
    indicator.save()
    changes = _generate(world, avenant=_avenant(world.ctg, "Intitulés")).changes
    assert changes == [
        "Intitulé de la fiche 1.1.1 : « Relais petite enfance itinérant » → "
        "« Relais petite enfance itinérant et familles »",
        "Intitulé de l'indicateur : « Familles accompagnées » → « Familles accompagnées par le relais »",
    ]


def test_versions_generated_before_ids_are_compared_by_title():
    before = {
        "fiches": [{"number": "1.1.1", "title": "Relais", "pilot": "EPCI", "budget": {}}],
        "indicators": [{"fiche": "Relais", "label": "Familles", "baseline": "10", "targets": {}}],
    }
    after = {
        "fiches": [{"id": 7, "number": "1.1.1", "title": "Relais", "pilot": "CAF", "budget": {}}],
        "indicators": [{"id": 3, "fiche": "Relais", "label": "Familles", "baseline": "12", "targets": {}}],
    }
    assert content.compare(before, after) == [
        "Pilote de la fiche 1.1.1 « Relais » : EPCI → CAF",
        "Valeur de référence de l'indicateur « Familles » : 10 → 12",
    ]


def test_an_avenant_document_needs_a_previous_version_and_an_avenant_of_the_dossier(world, convention_data):
    avenant = _avenant(world.ctg, "Ajout du plan d'action")
    with pytest.raises(ValidationError) as error:
        _generate(world, avenant=avenant)
    assert error.value.message_dict == {
        "kind": ["Un avenant suppose une convention déjà générée : générez d'abord la convention."],
    }
    _generate(world)
    elsewhere = _avenant(world.other_ctg, "Avenant d'un autre dossier")
    with pytest.raises(ValidationError, match="n'est pas un avenant de ce dossier"):
        _generate(world, avenant=elsewhere)
    assert ConventionVersion.objects.count() == 1
    assert HistoryEntry.objects.filter(action=Action.CONVENTION).count() == 1
    assert not elsewhere.documents.exists() and not avenant.documents.exists()


def test_demo_convention_is_generated_once(world, convention_data):
    first = load_demo_convention(world.ctg, world.users["pilote_caf"])
    again = load_demo_convention(world.ctg, world.users["pilote_caf"])
    assert first.pk == again.pk and first.number == 1
    assert ConventionVersion.objects.count() == 1


# --- the tab and downloads --------------------------------------------------------------------------------


def _client(client, world, role):
    client.login(email=world.users[role].email, password=PASSWORD)
    return client


def test_tab_generate_and_download(client, world, convention_data):
    _client(client, world, "coordination")
    url = reverse("documents:convention", args=[world.ctg.pk])
    page = client.get(url).content.decode()
    assert (
        "Aucune version n&#x27;a encore été générée." in page
        or "Aucune version n'a encore été générée." in page
    )
    assert "Générer la convention" in page
    assert "Aucun avenant n'est enregistré" in page
    assert "Modifier le modèle de convention de ma CAF" not in page  # not a CAF person

    response = client.post(reverse("documents:generate", args=[world.ctg.pk]))
    assert response.status_code == 302 and response.url == url
    page = client.get(url).content.decode()
    assert "La convention est générée (version 1)." in page
    assert "Première version" in page

    response = client.get(reverse("documents:version_pdf", args=[world.ctg.pk, 1]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="convention-ctg-du-test-2025-2028-v1.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(reverse("documents:version_docx", args=[world.ctg.pk, 1]))
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="convention-ctg-du-test-2025-2028-v1.docx"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert "Relais petite enfance itinérant" in docx_text(io.BytesIO(body))
    assert client.get(reverse("documents:version_pdf", args=[world.ctg.pk, 9])).status_code == 404

    avenant = _avenant(world.ctg, "Ajout d'une fiche")
    assert "Générer le document de l'avenant n° 1" in client.get(url).content.decode()
    response = client.post(reverse("documents:avenant_generate", args=[world.ctg.pk, avenant.pk]))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Le document de l&#x27;avenant n° 1 est généré (version 2)." in page
    assert "Document de l'" in page and "avenant n° 1 enregistré</a>" in page
    assert avenant.documents.get().number == 2
    response = client.get(reverse("documents:version_docx", args=[world.ctg.pk, 2]))
    assert 'filename="avenant-1-ctg-du-test-2025-2028-v2.docx"' in response["Content-Disposition"]


def test_an_avenant_of_another_dossier_is_not_found_and_nothing_is_generated(client, world, convention_data):
    _generate(world)
    elsewhere = _avenant(world.other_ctg, "Avenant d'un autre dossier")
    _client(client, world, "pilote_caf")
    count = HistoryEntry.objects.count()
    response = client.post(reverse("documents:avenant_generate", args=[world.ctg.pk, elsewhere.pk]))
    assert response.status_code == 404
    assert ConventionVersion.objects.count() == 1 and HistoryEntry.objects.count() == count
    # Nor through the other dossier, which this person does not belong to.
    response = client.post(reverse("documents:avenant_generate", args=[world.other_ctg.pk, elsewhere.pk]))
    assert response.status_code == 404 and not elsewhere.documents.exists()


def test_avenant_before_any_version_is_refused_on_the_tab(client, world, convention_data):
    avenant = _avenant(world.ctg, "Objet")
    _client(client, world, "pilote_caf")
    response = client.post(reverse("documents:avenant_generate", args=[world.ctg.pk, avenant.pk]))
    assert response.status_code == 400
    assert "générez d&#x27;abord la convention" in response.content.decode()
    assert "Modifier le modèle de convention de ma CAF" in response.content.decode()
    assert not ConventionVersion.objects.exists()


def test_readers_see_versions_but_cannot_generate(client, world, convention_data):
    _generate(world)
    _client(client, world, "lecture")
    page = client.get(reverse("documents:convention", args=[world.ctg.pk])).content.decode()
    assert 'PDF<span class="fr-sr-only"> de la version 1</span>' in page
    assert "Générer la convention</button>" not in page
    assert client.post(reverse("documents:generate", args=[world.ctg.pk])).status_code == 403
    assert client.get(reverse("documents:version_pdf", args=[world.ctg.pk, 1])).status_code == 200
    assert ConventionVersion.objects.count() == 1


def test_outsiders_cannot_download(client, world, convention_data):
    _generate(world)
    _client(client, world, "other_caf")
    assert client.get(reverse("documents:version_pdf", args=[world.ctg.pk, 1])).status_code == 404
    client.logout()
    response = client.get(reverse("documents:version_pdf", args=[world.ctg.pk, 1]))
    assert response.status_code == 302


# --- the command ------------------------------------------------------------------------------------------


def test_command_writes_the_files(world, convention_data, tmp_path):
    out = io.StringIO()
    call_command(
        "convention",
        str(world.ctg.pk),
        "--docx",
        str(tmp_path / "c.docx"),
        "--pdf",
        str(tmp_path / "c.pdf"),
        stdout=out,
    )
    assert "Convention (version 1) de « CTG du Test 2025-2028 » générée." in out.getvalue()
    assert "Relais petite enfance itinérant" in docx_text(tmp_path / "c.docx")
    assert "Relais petite enfance itinérant" in " ".join(pdf_pages(tmp_path / "c.pdf"))
    assert ConventionVersion.objects.get().generated_by is None

    world.ctg.end_year = 2029
    world.ctg.save()
    out = io.StringIO()
    avenant = _avenant(world.ctg, "Prolongation")
    call_command("convention", str(world.ctg.pk), "--avenant", "1", stdout=out)
    assert "Avenant n° 1 (version 2) de « CTG du Test 2025-2028 » générée." in out.getvalue()
    assert avenant.documents.get().subject == "Prolongation"
    assert "- Période : 2025-2028 → 2025-2029" in out.getvalue()


def test_command_errors(world, convention_data, tmp_path):
    with pytest.raises(CommandError, match="Aucun dossier CTG n° 999999."):
        call_command("convention", "999999")
    with pytest.raises(CommandError, match="Aucun avenant n° 1 n'est enregistré dans ce dossier."):
        call_command("convention", str(world.ctg.pk), "--avenant", "1")
    _avenant(world.ctg, "Objet")
    with pytest.raises(CommandError, match="Un avenant suppose une convention déjà générée"):
        call_command("convention", str(world.ctg.pk), "--avenant", "1")
    with pytest.raises(CommandError, match="Dossier inexistant"):
        call_command("convention", str(world.ctg.pk), "--pdf", str(tmp_path / "absent" / "c.pdf"))
    assert not ConventionVersion.objects.exists()


def test_command_exit_code_for_an_unknown_dossier(world):
    with pytest.raises(CommandError) as error:
        call_command("convention", "999999")
    assert error.value.returncode != 0


# --- LibreOffice ------------------------------------------------------------------------------------------


def test_the_docx_opens_in_libreoffice(world, convention_data, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé.")
    version = _generate(world)
    source = tmp_path / "convention.docx"
    source.write_bytes(version.docx.read())
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    converted = tmp_path / "out" / "convention.pdf"
    assert converted.exists()
    text = " ".join(pdf_pages(converted))
    assert "CTG du Test 2025-2028" in text
    assert "Relais petite enfance itinérant" in text


def test_control_characters_typed_in_the_dossier_do_not_break_the_documents(world, convention_data):
    fiche = convention_data.fiches[0]
    fiche.title = "Relais\x0b petite enfance\x1f"  # (PostgreSQL refuses NUL in text, SQLite keeps it)
    fiche.save()
    version = _generate(world)
    assert "Relais petite enfance" in docx_text(version.docx.path)


def test_placeholder_values_for_a_list_of_communes(world):
    from ctg.documents.content import placeholder_values

    ctg = world.ctg
    ctg.epci = None
    ctg.save()
    values = placeholder_values(ctg)
    a, b, c = _communes(world)
    assert values["territoire.type"] == f"les communes de {a}, {b} et {c}"
    assert values["territoire.nombre_communes"] == "3 communes"
    assert values["duree"] == "4 ans"
    assert values["date_signature"] == "non signée"
    assert values["coordination.poste"] == "poste à pourvoir"
    assert values["instances"] == "- Instances à définir par les signataires."
    assert values["partenaires"] == "aucun partenaire associé à ce jour"
    ctg.communes.set(ctg.communes.all()[:1])
    assert placeholder_values(ctg)["territoire.type"] == f"la commune de {a}"


def test_signature_date_placeholder(world, convention_data):
    from ctg.documents.content import placeholder_values

    last = convention_data.signatories[2]
    last.signed_on = datetime.date(2025, 4, 1)
    last.save()
    assert placeholder_values(world.ctg)["date_signature"] == "1er avril 2025"


def test_pdf_budget_cell_gives_each_funder_its_line(world, convention_data):
    lines = [
        line.strip()
        for page in PdfReader(_generate(world).pdf.path).pages
        for line in page.extract_text().splitlines()
    ]
    assert "CAF : 20 000,00 €" in lines and "EPCI : 5 500,00 €" in lines and "Total : 25 500,00 €" in lines


def test_a_big_convention_is_rendered_in_parts_and_reads_the_same(world, convention_data, monkeypatch):
    """The convention's template marks where it may be cut (before each annex, a new page): rendered in
    parts on two processes, its PDF has the same pages, text, footers and outline as one render."""
    from ctg.documents import render
    from tests.test_rendering_parts import whole_and_in_parts

    data = content.build(world.ctg)
    whole, in_parts, runs = whole_and_in_parts(monkeypatch, lambda: render.render_pdf(data))
    assert in_parts == whole
    assert len({worker for worker, _run in runs}) == 2, "the convention was not cut"
    assert all(run.lstrip().startswith('<section class="annex">') for _worker, run in runs[1:])
    assert any("Annexe 4" in title for _depth, title, *_ in whole["outline"])
