"""The demo dossier (every app filled through its services) exported, deleted, imported and exported again:
the same `dossier.json`, ids aside, plus the one history line of the import. Runs on whichever database the
suite runs on (CI: SQLite and PostgreSQL); bench/transfer_roundtrip.py crosses the two."""

import io
import json
import zipfile

from django.core.management import call_command

from ctg.conventions.models import Ctg
from ctg.core.models import HistoryEntry
from ctg.transfer import export, schema
from ctg.transfer.restore import IMPORT_SUMMARY


def _delete(ctg):
    """The dossier and every object of it, the latest models first (some keys protect their target)."""
    exporter = export.Exporter(ctg)
    exporter.collect()
    for model in reversed(exporter.models):
        model._default_manager.filter(pk__in=[row.pk for row in exporter.rows[schema.label(model)]]).delete()


def _json(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("dossier.json"))


def test_the_demo_dossier_round_trips_identically(demo, tmp_path):
    first = tmp_path / "dossier.zip"
    call_command("export_dossier", demo.pk, "--out", str(first), stdout=io.StringIO())
    before = _json(first)
    # Every area of the dossier is carried, with its values.
    objects = before["objects"]
    for name in (
        "conventions.membership",
        "conventions.milestone",
        "conventions.signatory",
        "plans.ficheaction",
        "plans.indicatorvalue",
        "plans.budgetline",
        "governance.meeting",
        "governance.decision",
        "post.coordinatorpost",
        "post.postfunding",
        "documents.conventionversion",
        "documents.diagnosticreportversion",
        "surveys.answer",
        "ateliers.atelier",
        "findings.finding",
        "evaluation.bilanannuel",
        "public.publication",
        "core.historyentry",
    ):
        assert objects[name], name
    assert all("token" not in link for link in objects["surveys.link"])  # no secret leaves the instance
    questionnaire = objects["surveys.questionnaire"][0]
    assert questionnaire["anonymous"]  # and its answers stay anonymous
    assert objects["surveys.response"] and not any(r["respondent_key"] for r in objects["surveys.response"])
    assert before["files"] and "id" not in objects["plans.ficheaction"][0]
    # Two exports of the same dossier: the same bytes but the date.
    again = export.export_data(demo)[0]
    assert {**again, "exported_at": ""} == {**before, "exported_at": ""}
    links = set(demo.questionnaires.get().links.values_list("token", flat=True))

    _delete(demo)
    out = io.StringIO()
    call_command("import_dossier", str(first), stdout=out)
    assert "importé" in out.getvalue()
    imported = Ctg.objects.exclude(pk=demo.previous_id).get()
    assert imported.previous_id == demo.previous_id  # the renewal link, to the previous CTG kept here
    assert imported.pk != demo.pk
    line = HistoryEntry.objects.filter(ctg=imported).order_by("pk").last()
    assert line.summary.startswith(IMPORT_SUMMARY) and "dossier.zip" in line.summary
    assert not links & set(imported.questionnaires.get().links.values_list("token", flat=True))

    second = tmp_path / "again.zip"
    call_command("export_dossier", imported.pk, "--out", str(second), stdout=io.StringIO())
    after = _json(second)
    history = after["objects"]["core.historyentry"]
    assert history[-1]["summary"].startswith(IMPORT_SUMMARY)
    after["objects"]["core.historyentry"] = history[:-1]
    for key in ("exported_at",):
        after[key] = before[key] = ""
    assert after == before, _differences(after, before)[:10]


def _differences(a, b, path="$"):
    """Where two JSON values differ, for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for key in sorted(set(a) | set(b))
            for d in _differences(a.get(key), b.get(key), f"{path}.{key}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"[:300]]


def test_the_previous_ctg_exports_its_own_rows_only(demo, tmp_path):
    """The renewal's carried-over fiche points back at the previous CTG's fiche: exporting the previous CTG
    does not reach the renewal through that link."""
    path = tmp_path / "previous.zip"
    call_command("export_dossier", demo.previous.pk, "--out", str(path), stdout=io.StringIO())
    objects = _json(path)["objects"]
    titles = sorted(row["title"] for row in objects["plans.ficheaction"])
    assert titles == sorted(demo.previous.fiches.values_list("title", flat=True))
    (dossier,) = objects["conventions.ctg"]
    assert dossier["title"] == demo.previous.title
