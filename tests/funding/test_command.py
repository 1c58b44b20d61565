"""`ctg funding_simulate`: the worked cases of the issue, the readable table, and the malformed files."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ctg.funding.models import ParameterVersion
from ctg.funding.services import parameter_set
from tests.factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "funding_simulate.json"


def run(*args) -> str:
    out = StringIO()
    call_command("funding_simulate", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def write(tmp_path, content) -> Path:
    path = tmp_path / "lignes.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_issue_lines_with_their_amounts_and_rules():
    results = {r["id"]: r for r in json.loads(run(EXAMPLE, "--year", 2026, "--json"))}
    assert results["a"]["amount_eur_per_year"] == 72000
    assert results["b"]["amount_eur_per_year"] == 21800
    assert results["c"]["amount_eur_per_year"] == 24000
    assert results["d"]["eligible_hours"] == 25000 and "amount_eur_per_year" not in results["d"]
    assert "25 %".replace(" ", "\u00a0") in results["d"]["rule"]
    # The middle tranche: no public value, the CAF is asked for it; the exit status stays 0.
    assert results["e"]["amount_eur_per_year"] is None
    assert "La CAF doit le renseigner" in results["e"]["problem"]
    assert results["a"]["parameters"][0]["origin"].startswith("valeur publique")


@pytest.mark.django_db
def test_the_readable_table_in_french():
    text = run(EXAMPLE, "--year", 2026)
    assert "a — EAJE : places nouvelles (bonus territoire) : 72\u00a0000\u00a0€ par an" in text
    assert "25\u00a0000 heures éligibles" in text
    assert "e — EAJE : places nouvelles (bonus territoire) : non calculable" in text


@pytest.mark.django_db
def test_the_cafs_table_applies_with_caf():
    caf = OrganisationFactory(caf=True, siret="53451234500012")
    parameter_set(caf=caf, year=2025, key="eaje_new_place_tranche_2", value="3100", actor=None, comment="CA")
    for reference in (caf.pk, "534512345", "53451234500012"):
        results = {r["id"]: r for r in json.loads(run(EXAMPLE, "--caf", reference, "--year", 2026, "--json"))}
        assert results["e"]["amount_eur_per_year"] == 12 * 3100
        assert results["e"]["parameters"][0]["origin"].startswith("valeur de la CAF")
    with pytest.raises(CommandError, match="CAF introuvable"):
        run(EXAMPLE, "--caf", "999999999")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{pas du json", "ce n'est pas du JSON valide"),
        ({"id": "a", "kind": "ctre"}, "une liste de lignes est attendue"),
        ([{"id": "a", "kind": "ctre", "places": 1}, "texte"], "ligne 2 : un objet JSON est attendu"),
        ([{"kind": "ctre", "places": 1}], "ligne 1 : « id » manquant"),
        ([{"id": "a", "kind": "ctre"}, {"id": "b"}], "ligne 2 : « kind » manquant"),
    ],
)
@pytest.mark.django_db
def test_a_malformed_file_fails_naming_the_file_and_the_line(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(CommandError) as error:
        run(path, "--json")
    assert str(path) in str(error.value) and message in str(error.value)
    assert not ParameterVersion.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_and_a_year_out_of_range(tmp_path):
    with pytest.raises(CommandError, match="fichier introuvable"):
        run(tmp_path / "absent.json")
    with pytest.raises(CommandError, match="hors de la période couverte"):
        run(EXAMPLE, "--year", 2040)


@pytest.mark.django_db
def test_lines_that_cannot_be_computed_keep_exit_zero(tmp_path):
    path = write(
        tmp_path,
        [
            {"id": "x", "kind": "eaje_new_places", "places": -4, "tranche": "1"},
            {"id": "y", "kind": "eaje_new_places", "places": 4, "tranche": "7"},
            {"id": "z", "kind": "eaje_new_places", "places": 4, "tranche": "1", "year": 2050},
            {"id": "w", "kind": "alsh_new_hours", "contracted_hours": 100, "requested_hours": "beaucoup"},
        ],
    )
    results = {r["id"]: r for r in json.loads(run(path, "--json"))}
    assert "négatif" in results["x"]["problem"]
    assert "Tranche inconnue" in results["y"]["problem"]
    assert "hors de la période couverte" in results["z"]["problem"]
    assert "un nombre est attendu" in results["w"]["problem"] and results["w"]["eligible_hours"] is None


def test_the_readme_command_line_in_a_subprocess(tmp_path):
    """`ctg funding_simulate docs/examples/funding_simulate.json --json`, exactly as the README shows it."""
    ctg = Path(sys.executable).with_name("ctg")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "DJANGO_"))}
    env["CTG_DATA_DIR"] = str(tmp_path)
    subprocess.run([str(ctg), "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    done = subprocess.run(
        [str(ctg), "funding_simulate", "docs/examples/funding_simulate.json", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results = {r["id"]: r for r in json.loads(done.stdout)}
    assert results["a"]["amount_eur_per_year"] == 72000 and results["d"]["eligible_hours"] == 25000
    bad = tmp_path / "mauvais.json"
    bad.write_text("[1, 2", encoding="utf-8")
    failed = subprocess.run(
        [str(ctg), "funding_simulate", str(bad)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode != 0 and "mauvais.json" in failed.stderr and "JSON" in failed.stderr
