"""The yearly funding convention of the coordinator post as a document: the default model's placeholders, a
CAF's own model, the generation (DOCX and PDF, versions kept, the step recorded on the funding line), the
refusals that leave nothing behind, the permission-checked downloads and the user's text escaped."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from ctg.core.models import Action, HistoryEntry
from ctg.documents import placeholders, post_convention
from ctg.documents.models import PostConventionVersion
from ctg.post.models import PostFunding
from tests.post.factories import FundingFactory, PostFactory

D = datetime.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _agreed(world, **post_values):
    post = PostFactory(ctg=world.ctg, **post_values)
    return FundingFactory(
        post=post,
        year=2026,
        amount_requested=Decimal("24000"),
        requested_on=D(2025, 11, 15),
        amount_agreed=Decimal("22500"),
        decided_on=D(2026, 1, 20),
        advance_rate=60,
        advance_paid=0,
    )


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_every_default_article_validates_against_the_post_catalogue():
    for article in post_convention.DEFAULT_ARTICLES:
        assert placeholders.validate(article.body, post_convention.CATALOGUE) == []
        assert placeholders.validate(article.title, post_convention.CATALOGUE) == []
    # The CTG convention's catalogue does not know the post's placeholders, and the reverse.
    assert placeholders.validate("{{ montant.accorde }}") != []
    assert placeholders.validate("{{ signataires }}", post_convention.CATALOGUE) != []


def test_generation_keeps_versions_and_records_the_step(world):
    funding = _agreed(world)
    pilot = world.users["pilote_caf"]
    first = post_convention.generate(funding=funding, actor=pilot)
    second = post_convention.generate(funding=funding, actor=pilot)
    assert (first.number, second.number) == (1, 2)
    assert PostConventionVersion.objects.filter(funding=funding).count() == 2
    funding.refresh_from_db()
    assert funding.convention_version == 2 and funding.convention_generated_at is not None
    text = _docx_text(second.docx.read())
    assert "Convention de financement 2026 du poste de chargé·e de coopération" in text
    assert "Claire Martin" in text and "1 ETP" in text
    assert "22\u202f500,00 €" in text and "60 %" in text and "13\u202f500,00 €" in text  # 60 % of 22,500
    assert "rapport d'activité 2026" in text
    pdf = _pdf_text(first.pdf.read())
    assert "Article 3" in pdf and "CAF du Tarn" in pdf
    entries = HistoryEntry.objects.filter(ctg=world.ctg, action=Action.FUNDING_CONVENTION).order_by("id")
    assert [e.summary for e in entries] == [
        "Convention de financement 2026 générée (version 1)",
        "Convention de financement 2026 générée (version 2)",
    ]


def test_generation_is_refused_before_the_decision_and_once_signed(world):
    funding = _agreed(world)
    PostFunding.objects.filter(pk=funding.pk).update(amount_agreed=None)
    with pytest.raises(ValidationError, match="décision de la CAF"):
        post_convention.generate(funding=funding, actor=world.users["pilote_caf"])
    PostFunding.objects.filter(pk=funding.pk).update(
        amount_agreed=Decimal("22500"), convention_version=1, signed_on=D(2026, 2, 3)
    )
    with pytest.raises(ValidationError, match="annulez la signature"):
        post_convention.generate(funding=funding, actor=world.users["pilote_caf"])
    assert not PostConventionVersion.objects.exists()
    assert not HistoryEntry.objects.filter(ctg=world.ctg, action=Action.FUNDING_CONVENTION).exists()


def test_a_caf_adapts_its_model(world):
    caf = world.ctg.caf
    pilot = world.users["pilote_caf"]
    post_convention.template_save(
        caf=caf,
        actor=pilot,
        articles=[{"title": "Article unique", "body": "Acompte de {{ acompte.taux }} pour {{ annee }}."}],
    )
    funding = _agreed(world)
    version = post_convention.generate(funding=funding, actor=pilot)
    text = _docx_text(version.docx.read())
    assert "Acompte de 60 % pour 2026." in text and "Article 1" not in text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ montant.inconnu }}", "Repère inconnu"),
        ("{% load x %}", "balises"),
        ("{{ annee|upper }}", "filtres"),
        ("", "obligatoire"),
    ],
)
def test_a_bad_model_is_refused_and_nothing_changes(world, body, message):
    caf = world.ctg.caf
    before = post_convention.model_articles(caf)
    with pytest.raises(ValidationError, match=message):
        post_convention.template_save(
            caf=caf, actor=world.users["pilote_caf"], articles=[{"title": "Article", "body": body}]
        )
    assert post_convention.model_articles(caf) == before


def test_generate_view_and_permission_checked_downloads(client, world):
    funding = _agreed(world)
    client.force_login(world.users["pilote_caf"])
    url = reverse("documents:post_convention_generate", kwargs={"pk": world.ctg.pk, "year": 2026})
    response = client.post(url)
    assert response.status_code == 302 and response.url.endswith("#convention-2026")
    kwargs = {"pk": world.ctg.pk, "year": 2026, "number": 1}
    client.force_login(world.users["lecture"])
    response = client.get(reverse("documents:post_convention_pdf", kwargs=kwargs))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "convention-financement-poste-2026" in response["Content-Disposition"]
    page = client.get(reverse("post:detail", kwargs={"pk": world.ctg.pk})).content.decode()
    assert reverse("documents:post_convention_docx", kwargs=kwargs) in page
    # Another dossier's person: 404, the file is not revealed.
    client.force_login(world.users["other_member"])
    assert client.get(reverse("documents:post_convention_docx", kwargs=kwargs)).status_code == 404
    # A version that does not exist: 404.
    client.force_login(world.users["pilote_caf"])
    missing = {**kwargs, "number": 9}
    assert client.get(reverse("documents:post_convention_docx", kwargs=missing)).status_code == 404
    assert funding.convention_versions.count() == 1


def test_generate_view_refusal_is_a_message_and_nothing_changes(client, world):
    funding = _agreed(world)
    PostFunding.objects.filter(pk=funding.pk).update(amount_agreed=None)
    client.force_login(world.users["pilote_caf"])
    url = reverse("documents:post_convention_generate", kwargs={"pk": world.ctg.pk, "year": 2026})
    response = client.post(url, follow=True)
    assert "décision de la CAF" in response.content.decode()
    assert not PostConventionVersion.objects.exists()
    # The coordination cannot generate (the CAF's step).
    client.force_login(world.users["coordination"])
    assert client.post(url).status_code == 403


# --- the CAF's model page -------------------------------------------------------------------------------


def _template_post(articles, new=("", "")):
    data = {"key": [a["key"] for a in articles], "new-title": new[0], "new-body": new[1]}
    for a in articles:
        data[f"title-{a['key']}"] = a["title"]
        data[f"body-{a['key']}"] = a["body"]
        if a.get("delete"):
            data[f"delete-{a['key']}"] = "1"
    return data


def test_the_caf_edits_its_model_on_its_page(client, world):
    caf = world.ctg.caf
    url = reverse("documents:post_convention_template")
    client.force_login(world.users["pilote_caf"])
    page = client.get(url).content.decode()
    assert "La CAF utilise le modèle par défaut." in page and "{{ montant.accorde }}" in page
    articles = post_convention.model_articles(caf)
    articles[0]["delete"] = True
    response = client.post(url, _template_post(articles, ("Article 6 — Communication", "Logo de la CAF.")))
    assert response.status_code == 302
    saved = post_convention.model_articles(caf)
    assert [a["key"] for a in saved][-1] == "article-6-communication" and len(saved) == len(articles)
    assert saved[0]["key"] == articles[1]["key"]
    # A bad placeholder: 400 with the message, nothing changed.
    bad = [dict(a) for a in saved]
    bad[0]["body"] = "{{ montant.acorde }}"
    response = client.post(url, _template_post(bad))
    assert response.status_code == 400 and "Vouliez-vous dire" in response.content.decode()
    assert post_convention.model_articles(caf) == saved
    # Back to the default model.
    assert client.post(reverse("documents:post_convention_template_reset")).status_code == 302
    assert [a["key"] for a in post_convention.model_articles(caf)] == [
        a.key for a in post_convention.DEFAULT_ARTICLES
    ]


def test_only_caf_staff_edit_the_model(client, world):
    client.force_login(world.users["coordination"])
    assert client.get(reverse("documents:post_convention_template")).status_code == 403
    assert client.post(reverse("documents:post_convention_template_reset")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_no_render_holds_a_transaction_and_a_version_made_meanwhile_refuses_the_slower(world, monkeypatch):
    """Issue 15: the PDF and DOCX are rendered outside any transaction; a version generated by someone
    else during the render makes this one refused in French, not numbered twice."""
    from django.db import connection

    funding = _agreed(world)
    pilot = world.users["pilote_caf"]
    seen = []
    original = post_convention.render_pdf

    def spy(data):
        seen.append(connection.in_atomic_block)
        return original(data)

    monkeypatch.setattr(post_convention, "render_pdf", spy)
    post_convention.generate(funding=funding, actor=pilot)
    assert seen == [False]

    def meanwhile(data):
        monkeypatch.setattr(post_convention, "render_pdf", original)
        post_convention.generate(funding=funding, actor=pilot)  # another person, faster
        return original(data)

    monkeypatch.setattr(post_convention, "render_pdf", meanwhile)
    with pytest.raises(ValidationError, match="Une autre version a été générée"):
        post_convention.generate(funding=funding, actor=pilot)
    assert list(funding.convention_versions.values_list("number", flat=True).order_by("number")) == [1, 2]
