"""The qualitative half of the demo's diagnostic (issue 13): the families' questionnaire answered through
three channels, two ateliers held with attendance and contributions, the findings cited by the enjeux, the
generated diagnostic document and the public page; everything fictitious, labelled so on the pages, and
loaded once."""

import io
import random
import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from pypdf import PdfReader

from ctg.ateliers.models import Atelier, Attendance, Contribution, DotVote, Registration
from ctg.conventions.models import DatePrecision
from ctg.core.models import HistoryEntry
from ctg.demo import surveys as demo_surveys
from ctg.demo.ateliers import ATELIER_FINDING, EARLY_CHILDHOOD, YOUTH
from ctg.demo.loader import demo_dossier
from ctg.documents.models import DiagnosticReportVersion
from ctg.findings.models import Finding
from ctg.public.models import Publication
from ctg.surveys.models import Answer, Link, Question, Questionnaire, Response
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory

PASSWORD = "demo-ctg-2026"


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois (C2A)", nature="CA")
    CommuneFactory(code="81004", name="Albi", epci=epci, departement=tarn, population=51290)
    CommuneFactory(code="81257", name="Saint-Juéry", epci=epci, departement=tarn, population=6564)
    call_command("load_demo")
    return demo_dossier()


def _counts(ctg) -> dict:
    return {
        "questionnaires": ctg.questionnaires.count(),
        "links": Link.objects.filter(questionnaire__ctg=ctg).count(),
        "responses": Response.objects.filter(questionnaire__ctg=ctg).count(),
        "answers": Answer.objects.filter(response__questionnaire__ctg=ctg).count(),
        "ateliers": ctg.ateliers.count(),
        "registrations": Registration.objects.filter(atelier__ctg=ctg).count(),
        "attendances": Attendance.objects.filter(atelier__ctg=ctg).count(),
        "contributions": Contribution.objects.filter(atelier__ctg=ctg).count(),
        "votes": DotVote.objects.filter(atelier__ctg=ctg).count(),
        "findings": ctg.constats.count(),
        "versions": ctg.diagnostic_versions.count(),
        "publications": Publication.objects.filter(ctg=ctg).count(),
        "history": HistoryEntry.objects.filter(ctg=ctg).count(),
    }


def _pdf_text(content: bytes) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_demo_questionnaire_ateliers_findings_and_document(demo, capsys):
    ctg = demo
    questionnaire = ctg.questionnaires.get()
    assert questionnaire.title == "Questionnaire aux familles de l'Albigeois"
    assert questionnaire.is_fictitious and questionnaire.status == Questionnaire.Status.OPEN
    assert "fictives" in questionnaire.introduction
    # About eight questions of varied kinds, « Autre » offered, one shown on a condition.
    questions = questionnaire.questions.all()
    assert questions.count() >= 8
    assert {Question.Kind.COMMUNE, Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE} <= set(
        questions.values_list("kind", flat=True)
    )
    assert {
        Question.Kind.SCALE,
        Question.Kind.SCHEDULE,
        Question.Kind.LONG_TEXT,
        Question.Kind.RANKING,
    } <= set(questions.values_list("kind", flat=True))
    assert questions.filter(allow_other=True).count() >= 2
    conditional = questions.exclude(condition_question=None).get()
    assert conditional.kind == Question.Kind.SCHEDULE
    # At least 60 answers over the three channels, each through its public link, none a test answer.
    responses = questionnaire.responses.all()
    assert responses.count() >= 60 and not responses.filter(is_test=True).exists()
    by_channel = dict(responses.values_list("channel").annotate(n=Count("id")))
    assert set(by_channel) == {"mail CAF", "école", "mairie"} and all(n >= 5 for n in by_channel.values())
    assert not responses.filter(link=None).exists()
    assert responses.exclude(commune=None).count() == responses.count()
    # The rules were applied: the grid only for the families with a child under 3, « Autre » with its text.
    under_three = questionnaire.questions.get(kind=Question.Kind.MULTIPLE_CHOICE, required=True).options.get(
        order=1
    )
    with_grid = set(Answer.objects.filter(question=conditional).values_list("response_id", flat=True))
    assert with_grid and with_grid <= set(under_three.answers.values_list("response_id", flat=True))
    assert Answer.objects.filter(question__questionnaire=questionnaire).exclude(other_text="").exists()
    # Seeded: the same families answer the same way on every machine.
    keyed = {
        key: questionnaire.questions.get(label=label)
        for key, label in (
            ("commune", "Dans quelle commune habitez-vous ?"),
            ("situation", "Quelle est la situation de votre foyer ?"),
            ("ages", "Quel âge ont vos enfants ?"),
            ("schedule", conditional.label),
            ("services", "Quels services utilisez-vous pour vos enfants ?"),
            ("satisfaction", "Êtes-vous satisfait·e de l'offre d'accueil et de loisirs près de chez vous ?"),
            ("priorities", "Classez ces priorités pour votre territoire"),
            ("text", "Que faudrait-il améliorer en priorité pour les familles ?"),
        )
    }
    communes = [("81004", 51290), ("81257", 6564)]

    def families():
        rng = random.Random(demo_surveys.SEED)
        return [demo_surveys.family_answers(rng, keyed, communes) for _ in range(20)]

    assert families() == families()

    # Two ateliers held, one known by its month only, with attendance, contributions and a dot vote.
    ateliers = {a.title: a for a in ctg.ateliers.all()}
    assert set(ateliers) == {EARLY_CHILDHOOD, YOUTH}
    for atelier in ateliers.values():
        assert atelier.is_fictitious and atelier.status == Atelier.Status.HELD
        assert atelier.attendances.count() >= 5 and atelier.contributions.count() >= 3
        assert atelier.votes.exists()
    assert ateliers[YOUTH].date_precision == DatePrecision.MONTH
    assert ateliers[EARLY_CHILDHOOD].date_precision == DatePrecision.DAY and ateliers[EARLY_CHILDHOOD].report
    # No real person: every name is marked fictitious.
    names = list(Registration.objects.filter(atelier__ctg=ctg).values_list("person_name", flat=True))
    names += list(
        Attendance.objects.filter(atelier__ctg=ctg, user=None).values_list("person_name", flat=True)
    )
    assert names and all(re.search(r"\(fictif|\(fictive", name) for name in names)
    # A member of the dossier (the communal referent) was there too.
    assert Attendance.objects.filter(atelier=ateliers[EARLY_CHILDHOOD], user__isnull=False).exists()

    # At least 8 fictitious findings cited by the enjeux, one of them created from the atelier.
    findings = Finding.objects.filter(ctg=ctg)
    assert findings.filter(is_fictitious=False).count() == 0
    assert findings.filter(enjeux__isnull=False).distinct().count() >= 8
    from_atelier = findings.get(source_kind=Finding.SourceKind.ATELIER)
    assert (
        from_atelier.title == ATELIER_FINDING["title"]
        and from_atelier.source_id == ateliers[EARLY_CHILDHOOD].pk
    )
    assert from_atelier.enjeux.exists()

    # The diagnostic document, generated once, lists the questionnaire and the ateliers and says fictitious.
    version = DiagnosticReportVersion.objects.get(ctg=ctg)
    assert version.pdf and version.docx and version.snapshot["fictitious"]
    text = _pdf_text(version.pdf.read())
    assert "Données fictives (démonstration)" in text
    assert "Questionnaire aux familles de l'Albigeois" in text and "Petite enfance et modes de garde" in text
    assert Publication.objects.get(ctg=ctg).published

    # Loaded once: a second run adds nothing, not even a history line.
    before = _counts(ctg)
    call_command("load_demo")
    assert _counts(ctg) == before


def test_demo_qualitative_pages_say_fictitious(demo, client):
    ctg = demo
    questionnaire = ctg.questionnaires.get()
    atelier = ctg.ateliers.get(title=EARLY_CHILDHOOD)
    client.login(username="coordination@demo.invalid", password=PASSWORD)
    page = client.get(f"/diagnostic/ctg/{ctg.pk}/questionnaires/{questionnaire.pk}/").content.decode()
    assert "fictif" in page and "Dossier de démonstration" in page
    listing = client.get(f"/diagnostic/ctg/{ctg.pk}/questionnaires/").content.decode()
    assert "Questionnaire aux familles" in listing and "fictif" in listing
    page = client.get(f"/diagnostic/ctg/{ctg.pk}/ateliers/{atelier.pk}/").content.decode()
    assert "Atelier fictif (démonstration)" in page and "Participant·e 1 (fictif)" in page
    report = client.get(f"/diagnostic/ctg/{ctg.pk}/ateliers/{atelier.pk}/compte-rendu.pdf")
    assert report.status_code == 200 and "fictifs" in _pdf_text(report.content)
    response = client.get(f"/convention/ctg/{ctg.pk}/diagnostic/version/1/pdf/")
    assert response.status_code == 200
    assert "Données fictives (démonstration)" in _pdf_text(b"".join(response.streaming_content))
    page = client.get(f"/convention/ctg/{ctg.pk}/diagnostic/").content.decode()
    assert "Données fictives" in page
    # A partner reads the names of those who agreed to be listed only.
    client.login(username="partenaire@demo.invalid", password=PASSWORD)
    page = client.get(f"/diagnostic/ctg/{ctg.pk}/ateliers/{atelier.pk}/").content.decode()
    assert "Atelier fictif (démonstration)" in page and "Nadia Ferrand (fictive)" in page
    assert "Participant·e 1 (fictif)" not in page and "Julien Pagès" not in page
    # The public form of a link, and the public page of the CTG, for anyone.
    client.logout()
    link = Link.objects.get(questionnaire=questionnaire, channel="école")
    page = client.get(f"/questionnaire/{link.token}/").content.decode()
    assert "Questionnaire fictif (démonstration)" in page
    page = client.get(f"/ctg-publique/{Publication.objects.get(ctg=ctg).slug}/").content.decode()
    assert "Données fictives" in page
