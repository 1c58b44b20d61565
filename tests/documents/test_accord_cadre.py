"""A dossier whose initial convention is an accord-cadre gets a document that calls itself « accord-cadre »
(title, cover, signature line, articles, file name, versions list); a complete convention keeps saying
« convention »; the avenant document of an accord-cadre amends « l'accord-cadre »."""

import datetime

import pytest
from django.urls import reverse

from ctg.conventions.models import Agreement, Avenant
from ctg.core.models import Action, HistoryEntry
from ctg.documents import content, services
from tests.conftest import PASSWORD

from .test_generation import docx_text, pdf_pages


def _accord_cadre(world):
    world.ctg.agreement = Agreement.ACCORD_CADRE
    world.ctg.save(update_fields=["agreement"])
    return world.ctg


def _generate(world, **kw):
    return services.convention_generate(ctg=world.ctg, actor=world.users["pilote_caf"], **kw)


TITLE = "Accord-cadre de convention territoriale globale « CTG du Test 2025-2028 »"
ITS_OWN_WORDS = (
    "Article 1 — Objet de l'accord-cadre",
    "Le présent accord-cadre a pour objet de définir le projet social de territoire",
    "Il vise à :",
    "Article 3 — Durée de l'accord-cadre",
    "Le présent accord-cadre est conclu pour une durée de 4 ans",
    "Il ne peut être renouvelé par tacite reconduction",
    "L'accord-cadre porte sur le territoire",
    "La mise en œuvre de l'accord-cadre est suivie",
    "annexés au présent accord-cadre",
    "des engagements du présent accord-cadre, celui-ci peut être résilié",
)


def test_the_accord_cadre_document_calls_itself_accord_cadre_in_docx_and_pdf(world, convention_data):
    _accord_cadre(world)
    last = convention_data.signatories[2]
    last.signed_on = datetime.date(2025, 4, 2)
    last.save()
    version = _generate(world)
    docx = docx_text(version.docx.path)
    pages = pdf_pages(version.pdf.path)
    pdf = " ".join(pages)
    for text in (docx, pdf):
        assert TITLE in text
        assert "Accord-cadre signé le 2 avril 2025" in text and "Convention signée" not in text
        for phrase in ITS_OWN_WORDS:
            assert phrase in text, phrase
        assert "présente convention" not in text and "Objet de la convention" not in text
        # The démarche keeps its name.
        assert "une convention territoriale globale (CTG)" in text
    assert TITLE in pages[0] and "Accord-cadre signé le 2 avril 2025" in pages[0]
    from docx import Document

    assert Document(version.docx.path).core_properties.title == TITLE
    assert str(version) == "Accord-cadre (version 1)" and version.is_accord_cadre
    assert services.file_stem(version) == "accord-cadre-ctg-du-test-2025-2028-v1"
    entry = HistoryEntry.objects.get(action=Action.CONVENTION)
    assert entry.summary == "Accord-cadre généré (version 1)"


def test_a_complete_convention_says_convention(world, convention_data):
    version = _generate(world)
    text = docx_text(version.docx.path)
    assert "Convention territoriale globale « CTG du Test 2025-2028 »" in text
    assert "Article 1 — Objet de la convention" in text and "La présente convention est conclue" in text
    assert "accord-cadre" not in text.lower()
    assert "accord-cadre" not in " ".join(pdf_pages(version.pdf.path)).lower()
    assert str(version) == "Convention (version 1)"


def test_the_avenant_of_an_accord_cadre_amends_the_accord_cadre(world, convention_data):
    _accord_cadre(world)
    _generate(world)
    avenant = Avenant.objects.create(ctg=world.ctg, number=1, title="Ajout du plan d'action")
    version = _generate(world, avenant=avenant)
    title = "Avenant n° 1 à l'accord-cadre de convention territoriale globale « CTG du Test 2025-2028 »"
    for text in (docx_text(version.docx.path), " ".join(pdf_pages(version.pdf.path))):
        assert title in text
        assert "Objet de l'avenant Ajout du plan d'action" in text
        assert "Modifications apportées à l'accord-cadre" in text
        assert "Les autres dispositions de l'accord-cadre demeurent inchangées" in text
    assert (version.avenant, str(version)) == (avenant, "Avenant n° 1 (version 2)")


def test_a_cafs_own_wording_is_said_as_an_accord_cadre_too():
    text = (
        "Le comité suit la mise en œuvre de la convention. La présente convention entre en vigueur à sa "
        "signature ; la convention territoriale globale est une démarche."
    )
    assert content.as_accord_cadre(text) == (
        "Le comité suit la mise en œuvre de l'accord-cadre. Le présent accord-cadre entre en vigueur à sa "
        "signature ; la convention territoriale globale est une démarche."
    )


@pytest.mark.parametrize(
    "said, as_accord_cadre",
    [
        ("La convention est signée par les parties.", "L'accord-cadre est signé par les parties."),
        ("Cette convention sera prolongée d'un an.", "Cet accord-cadre sera prolongé d'un an."),
        (
            "La convention ne peut être modifiée que par avenant.",
            "L'accord-cadre ne peut être modifié que par avenant.",
        ),
        ("La convention est soumise au droit français.", "L'accord-cadre est soumis au droit français."),
        ("La convention est conforme au modèle.", "L'accord-cadre est conforme au modèle."),
        ("La convention territoriale globale est signée.", "La convention territoriale globale est signée."),
        ("La mise en œuvre de la convention est suivie.", "La mise en œuvre de l'accord-cadre est suivie."),
        ("Le comité note que la convention est signée.", "Le comité note que l'accord-cadre est signé."),
    ],
)
def test_what_followed_the_convention_agrees_with_the_accord_cadre(said, as_accord_cadre):
    assert content.as_accord_cadre(said) == as_accord_cadre


def test_the_tab_of_an_accord_cadre_offers_to_generate_the_accord_cadre(client, world, convention_data):
    _accord_cadre(world)
    client.login(email=world.users["coordination"].email, password=PASSWORD)
    url = reverse("documents:convention", args=[world.ctg.pk])
    assert "Générer l&#x27;accord-cadre</button>" in client.get(url).content.decode()
    client.post(reverse("documents:generate", args=[world.ctg.pk]))
    page = client.get(url).content.decode()
    assert "L&#x27;accord-cadre est généré (version 1)." in page
    assert "<td>Accord-cadre</td>" in page
