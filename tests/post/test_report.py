"""The activity report's content (meetings, decisions, progress of the plan, funding, priorities), the post
overview with its « il manque » hints, and the PDF and DOCX documents."""

import datetime
import io
from decimal import Decimal

import pytest
from docx import Document
from pypdf import PdfReader

from ctg.governance.models import Meeting, Participant
from ctg.post import report
from ctg.post.models import ActivityReport
from tests.evaluation.test_bilan import YEAR, plan  # noqa: F401
from tests.governance.factories import BodyFactory, DecisionFactory, at
from tests.governance.factories import HeldMeetingFactory as MeetingFactory
from tests.governance.factories import PresentParticipantFactory as ParticipantFactory
from tests.post.factories import FundingFactory, PostFactory, ReportFactory

A = Participant.Attendance


@pytest.fixture
def activity(world, plan):  # noqa: F811
    """The plan of tests/evaluation/test_bilan.py (seen in 2026), two meetings held in 2026, one cancelled,
    one held the year before, the post, its 2026 funding and report."""
    ctg = world.ctg
    copil = BodyFactory(ctg=ctg, name="COPIL de la CTG")
    cotech = BodyFactory(ctg=ctg, name="COTECH petite enfance", kind="cotech")
    march = MeetingFactory(body=copil, starts_at=at(YEAR, 3, 12))
    for attendance in (A.PRESENT, A.PRESENT, A.PRESENT, A.EXCUSED, A.ABSENT):
        ParticipantFactory(meeting=march, attendance=attendance)
    october = MeetingFactory(body=cotech, starts_at=at(YEAR, 10, 2))
    ParticipantFactory(meeting=october, attendance=A.PRESENT)
    ParticipantFactory(meeting=october, attendance=A.INVITED)
    DecisionFactory(meeting=march, text="Ouvrir un relais petite enfance itinérant.", position=1)
    DecisionFactory(meeting=october, text="Reporter la ludothèque en 2027.")
    cancelled = MeetingFactory(body=copil, starts_at=at(YEAR, 6, 1), status=Meeting.Status.CANCELLED)
    DecisionFactory(meeting=cancelled, text="Décision d'une réunion annulée.")
    earlier = MeetingFactory(body=copil, starts_at=at(YEAR - 1, 11, 20))
    DecisionFactory(meeting=earlier, text="Décision de l'année précédente.")
    post = PostFactory(ctg=ctg, person_name="Claire Martin")
    FundingFactory(post=post, year=YEAR, amount_agreed=Decimal("22500"), advance_paid=Decimal("11250"))
    ReportFactory(
        post=post,
        year=YEAR,
        priorities="Ouvrir un accueil pour les 11-14 ans.",
        comments="Année de lancement des fiches petite enfance.",
    )
    return post


def test_compute_meetings_and_attendance(world, activity):
    data = report.compute(world.ctg, YEAR)
    rows = [
        (m["body"], m["date"], m["invited"], m["present"], m["excused"], m["absent"])
        for m in data["meetings"]
    ]
    assert rows == [
        ("COPIL de la CTG", datetime.date(YEAR, 3, 12), 5, 3, 1, 1),
        ("COTECH petite enfance", datetime.date(YEAR, 10, 2), 2, 1, 0, 0),
    ]
    assert data["attendance"] == {"invited": 7, "present": 4}


def test_compute_decisions_of_meetings_held_in_the_year(world, activity):
    texts = [d.text for d in report.compute(world.ctg, YEAR)["decisions"]]
    assert texts == ["Ouvrir un relais petite enfance itinérant.", "Reporter la ludothèque en 2027."]
    assert [d.text for d in report.compute(world.ctg, YEAR - 1)["decisions"]] == [
        "Décision de l'année précédente."
    ]


def test_compute_progress_funding_and_priorities(world, activity):
    data = report.compute(world.ctg, YEAR)
    plan_data = data["plan"]
    assert plan_data["fiches_count"] == 5
    assert sorted(f.title for f in plan_data["late"]) == ["Accueil jeunes", "Espace de vie sociale"]
    assert [f.title for f in plan_data["done"]] == ["Relais petite enfance"]
    assert {row["label"]: row["count"] for row in plan_data["indicator_summary"]}["En retard"] == 1
    assert plan_data["budget"]["planned"] == Decimal("1800.50")
    assert data["funding"].amount_agreed == Decimal("22500")
    assert data["funding_texts"]["remaining"] == "11\u202f250,00 €"
    assert data["priorities"] == "Ouvrir un accueil pour les 11-14 ans."
    assert data["status"] == ActivityReport.Status.TO_PREPARE and data["next_year"] == YEAR + 1


def test_compute_without_post(world):
    data = report.compute(world.ctg, 2025)
    assert data["post"] is None and data["report"] is None and data["funding"] is None
    assert data["status_label"] == "À préparer" and data["meetings"] == []
    assert report.post_text(None) == "Poste de coordination non renseigné."


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")


def test_pdf_contains_meetings_decisions_progress_and_priorities(world, activity):
    text = _pdf_text(report.render_pdf(report.compute(world.ctg, YEAR)))
    for expected in (
        f"Rapport d'activité {YEAR}",
        "Claire Martin",
        "COPIL de la CTG",
        "12/03/2026",
        "COTECH petite enfance",
        "Ouvrir un relais petite enfance itinérant.",
        "Reporter la ludothèque en 2027.",
        "Fiches en retard",
        "Accueil jeunes",
        "Ouvrir un accueil pour les 11-14 ans.",
        "Année de lancement des fiches petite enfance.",
        "Priorités pour 2027",
    ):
        assert expected in text, expected
    assert "Décision d'une réunion annulée." not in text
    assert "FICTIF" not in text


def _docx_texts(content: bytes) -> tuple[list[str], list[str]]:
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return paragraphs, cells


def test_docx_contains_meetings_decisions_progress_and_priorities(world, activity):
    paragraphs, cells = _docx_texts(report.render_docx(report.compute(world.ctg, YEAR)))
    assert f"Rapport d'activité {YEAR} du poste de coordination" in paragraphs
    assert "Ouvrir un accueil pour les 11-14 ans." in paragraphs
    assert "Année de lancement des fiches petite enfance." in paragraphs
    assert any(p.startswith("Fiches en retard : ") and "Accueil jeunes" in p for p in paragraphs)
    assert "COPIL de la CTG" in cells and "12/03/2026" in cells
    assert (
        "Ouvrir un relais petite enfance itinérant." in cells and "Reporter la ludothèque en 2027." in cells
    )
    assert "Fiches réalisées" in cells and "22\u202f500,00 €" in cells
    assert not any("FICTIF" in p for p in paragraphs)


def test_documents_of_a_fictitious_dossier_say_so(world, activity):
    world.ctg.is_fictitious = True
    world.ctg.save(update_fields=["is_fictitious"])
    data = report.compute(world.ctg, YEAR)
    assert "FICTIF" in _pdf_text(report.render_pdf(data))
    document = Document(io.BytesIO(report.render_docx(data)))
    assert document.sections[0].header.paragraphs[0].text.startswith("FICTIF")
    assert any(p.text.startswith("FICTIF") for p in document.paragraphs)


# --- overview --------------------------------------------------------------------------------------------


def test_overview_without_post(world):
    data = report.overview(world.ctg, datetime.date(2026, 5, 1))
    assert data["post"] is None and data["has_funding"] is False
    assert data["missing"] == [
        "Le poste de coordination n'est pas renseigné (personne, employeur, temps de travail)."
    ]


def test_overview_rows_totals_and_missing(world):
    post = PostFactory(ctg=world.ctg)
    FundingFactory(post=post, year=2025, amount_agreed=22500, advance_paid=11250, balance_paid=11250)
    FundingFactory(post=post, year=2026, amount_agreed=23000, advance_paid=11500, balance_paid=0)
    ReportFactory(post=post, year=2025, priorities="P", status=ActivityReport.Status.ACCEPTED)
    data = report.overview(world.ctg, datetime.date(2026, 5, 1))
    assert [row["year"] for row in data["rows"]] == [2025, 2026, 2027, 2028]
    assert [row["report_status"] for row in data["rows"]] == [
        "Accepté",
        "À préparer",
        "À préparer",
        "À préparer",
    ]
    assert data["totals"] == {
        "agreed": "45\u202f500,00 €",
        "advance": "22\u202f750,00 €",
        "balance": "11\u202f250,00 €",
        "remaining": "11\u202f500,00 €",
    }
    assert data["missing"] == ["Le financement CAF du poste pour 2027 n'est pas encore accordé."]

    later = report.overview(world.ctg, datetime.date(2027, 2, 1))["missing"]
    assert later == [
        "Le financement CAF du poste pour 2027 n'est pas encore accordé.",
        "Le financement CAF du poste pour 2028 n'est pas encore accordé.",
        "Le rapport d'activité 2026 n'est pas encore envoyé à la CAF.",
        "Il reste 11\u202f500,00 € à verser sur le financement 2026.",
    ]


def test_overview_sent_report_awaits_the_caf(world):
    post = PostFactory(ctg=world.ctg)
    ReportFactory(post=post, year=2025, priorities="P", status=ActivityReport.Status.SENT)
    missing = report.overview(world.ctg, datetime.date(2026, 1, 15))["missing"]
    assert "Le rapport d'activité 2025 attend l'acceptation de la CAF." in missing
    assert "Le financement CAF du poste pour 2026 n'est pas encore accordé." in missing
