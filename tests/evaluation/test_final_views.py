"""The final evaluation's pages, downloads and command: the four questions with their evidence, bad input
over HTTP (another dossier's decision, questionnaire or version, junk ids) changing nothing, user text escaped
in the page, PDF and DOCX, and `ctg evaluation DOSSIER --pdf F --docx F` (call_command, subprocess)."""

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ctg.core.models import HistoryEntry
from ctg.evaluation import final, final_render, final_services
from ctg.evaluation.models import FinalEvaluation, FinalEvaluationVersion
from ctg.surveys.models import Questionnaire
from tests.evaluation.final_helpers import copil_decision, in_evaluation, plan

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = '<script>alert("x")</script>'


def state(ctg):
    row = FinalEvaluation.objects.filter(ctg=ctg).values().first()
    return row, HistoryEntry.objects.filter(ctg=ctg).count(), FinalEvaluationVersion.objects.count()


@pytest.fixture
def opened(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ctg = in_evaluation(world.ctg)
    plan(ctg, fiches=1, title=f"Enjeu {SCRIPT}")
    return final_services.final_create(ctg=ctg, actor=world.users["coordination"])


def url(name, ctg, **kw):
    return reverse(f"evaluation:{name}", kwargs={"pk": ctg.pk, **kw})


def test_the_page_answers_the_four_questions(client, world, opened):
    client.force_login(world.users["lecture"])
    page = client.get(url("final", world.ctg)).content.decode()
    for _key, title, question in final.QUESTIONS:
        assert title in page and question in page
    assert "<caption>Indicateurs de la fiche" in page and "Non validée" in page
    assert "Enregistrer la conclusion" not in page  # a reader reads


def test_not_in_evaluation_phase_refused_over_http(client, world):
    client.force_login(world.users["coordination"])
    before = state(world.ctg)
    response = client.post(url("final_create", world.ctg))
    assert response.status_code == 400 and "phase « Évaluation »" in response.content.decode()
    assert state(world.ctg) == before
    assert client.post(url("final_conclusion", world.ctg), {"question": "means"}).status_code == 404


def test_bad_input_changes_nothing(client, world, opened):
    ctg = world.ctg
    client.force_login(world.users["coordination"])
    other_decision = copil_decision(world.other_ctg)
    planned = copil_decision(ctg, held=False)
    theirs = Questionnaire.objects.create(ctg=world.other_ctg, title="Autre", audience="partenaires")
    before = state(ctg)
    for name, data in (
        ("final_validate", {"decision": other_decision.pk}),
        ("final_validate", {"decision": planned.pk}),
        ("final_validate", {"decision": "abc"}),
        ("final_validate", {"decision": "99999999999999999999999"}),
        ("final_validate", {}),
        ("final_questionnaire", {"questionnaire": theirs.pk}),
        ("final_questionnaire", {"questionnaire": "-1"}),
        ("final_conclusion", {"question": "junk", "text": "x"}),
        ("final_commitments", {"o999999": "x"}),
    ):
        response = client.post(url(name, ctg), data)
        assert response.status_code == 400, (name, data)
    assert state(ctg) == before
    other_version = url("final_version_pdf", ctg, number=1)
    assert client.get(other_version).status_code == 404


def test_other_dossiers_version_not_reachable(client, world, opened):
    other = in_evaluation(world.other_ctg)
    theirs = final_services.final_create(ctg=other, actor=None)
    final_services.final_generate(evaluation=theirs, actor=None)
    client.force_login(world.users["coordination"])
    assert client.get(url("final_version_pdf", world.ctg, number=1)).status_code == 404
    assert client.get(url("final_version_pdf", other, number=1)).status_code == 404


def test_validation_and_versions_end_to_end(client, world, opened):
    ctg = world.ctg
    decision = copil_decision(ctg)
    client.force_login(world.users["coordination"])
    assert (
        client.post(url("final_conclusion", ctg), {"question": "durability", "text": SCRIPT}).status_code
        == 302
    )
    assert client.post(url("final_generate", ctg)).status_code == 302
    assert client.post(url("final_validate", ctg), {"decision": decision.pk}).status_code == 302
    page = client.get(url("final", ctg)).content.decode()
    assert "Validée par le COPIL" in page and SCRIPT not in page and "&lt;script&gt;" in page
    response = client.get(url("final_version_docx", ctg, number=1))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")


def test_user_text_escaped_in_pdf_and_docx(world, opened):
    final_services.final_set_conclusions(evaluation=opened, actor=None, coherence=SCRIPT)
    data = final.compute(world.ctg)
    from django.template.loader import render_to_string

    from ctg import rendering

    html = render_to_string(
        "evaluation/final_pdf.html",
        {**data, "conclusions": {"coherence": SCRIPT}, **rendering.pdf_context("x")},
    )
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert final_render.render_pdf(data).startswith(b"%PDF")
    document = zipfile.ZipFile(io.BytesIO(final_render.render_docx(data))).read("word/document.xml").decode()
    assert "&lt;script&gt;alert" in document and "<script>" not in document


def test_the_command_writes_both_files(world, opened, tmp_path):
    out = io.StringIO()
    call_command(
        "evaluation",
        str(world.ctg.pk),
        "--pdf",
        tmp_path / "e.pdf",
        "--docx",
        tmp_path / "e.docx",
        stdout=out,
    )
    assert (tmp_path / "e.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "e.docx").read_bytes().startswith(b"PK")
    assert "version 1" in out.getvalue()
    with pytest.raises(CommandError, match="n'est pas ouverte"):
        call_command("evaluation", str(world.other_ctg.pk))
    with pytest.raises(CommandError, match="Aucun dossier CTG n° 999999"):
        call_command("evaluation", "999999")


def test_the_command_in_a_subprocess(tmp_path):
    """`ctg evaluation DOSSIER --pdf F --docx F` on a fresh data folder: a missing dossier, in French."""
    ctg = Path(sys.executable).with_name("ctg")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "DJANGO_"))}
    env["CTG_DATA_DIR"] = str(tmp_path)
    subprocess.run([str(ctg), "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=600)
    done = subprocess.run(
        [
            str(ctg),
            "evaluation",
            "4242",
            "--pdf",
            str(tmp_path / "e.pdf"),
            "--docx",
            str(tmp_path / "e.docx"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "Aucun dossier CTG n° 4242." in done.stderr
    assert not (tmp_path / "e.pdf").exists()
