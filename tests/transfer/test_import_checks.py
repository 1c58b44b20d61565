"""An archive is checked whole before anything is written: a bad archive, an unknown person, territory or
organisation, a dossier already there are refused with a French message naming the file and the JSON path,
and nothing changes."""

import datetime
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ctg.conventions.models import Ctg
from ctg.organisations.models import Organisation, SchemaAxis, User
from ctg.plans.models import Enjeu
from ctg.territories.models import FormerCommuneCode
from ctg.transfer import export
from tests.factories import CtgFactory, MilestoneFactory, OrganisationFactory, SignatoryFactory


@pytest.fixture
def archive(world, tmp_path):
    """The world's dossier with a signed scan, a milestone and a partner, exported."""
    SignatoryFactory(
        ctg=world.ctg,
        organisation=world.ctg.caf,
        signed_on=datetime.date(2025, 2, 8),
        signed_scan=SimpleUploadedFile("signee.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    MilestoneFactory(ctg=world.ctg)
    world.ctg.partners.add(OrganisationFactory(name="Mission locale du Test", kind="mission_locale"))
    path = tmp_path / "dossier.zip"
    call_command("export_dossier", world.ctg.pk, "--out", str(path), stdout=io.StringIO())
    return path


def _counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _rewrite(path, change=None, extra=None, drop=()):
    """The archive with its JSON changed by `change(data)`, entries added (`extra`) or left out (`drop`)."""
    with zipfile.ZipFile(path) as source:
        entries = {name: source.read(name) for name in source.namelist() if name not in drop}
    if change is not None:
        data = json.loads(entries["dossier.json"])
        change(data)
        entries["dossier.json"] = json.dumps(data).encode()
    entries.update(extra or {})
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, content in entries.items():
            target.writestr(name, content)
    return path


def _later(data):
    """Another period, so that the dossier does not overlap the one it came from."""
    row = data["objects"]["conventions.ctg"][0]
    row["start_year"], row["end_year"] = 2029, 2032


def _refused(path, *options, match):
    before = _counts()
    with pytest.raises(CommandError, match=match) as error:
        call_command("import_dossier", str(path), *options, stdout=io.StringIO())
    assert "rien n'a été enregistré" in str(error.value)
    assert _counts() == before
    return str(error.value)


def test_not_a_zip(archive):
    archive.write_bytes(b"pas une archive")
    _refused(archive, match="dossier.zip : ce fichier n'est pas une archive ZIP")


def test_no_dossier_json(archive):
    _refused(_rewrite(archive, drop=("dossier.json",)), match="ne contient pas de dossier.json")


def test_another_version(archive):
    _refused(_rewrite(archive, lambda d: d.update(version=99)), match=r"dossier.json \$.version : version 99")


def test_an_altered_file(archive):
    with zipfile.ZipFile(archive) as source:
        name = next(n for n in source.namelist() if n.startswith("files/"))
    _refused(_rewrite(archive, extra={name: b"autre contenu"}), match=f"dossier.zip/{name} : .*SHA-256")


def test_a_name_that_leaves_the_archive(archive):
    _refused(
        _rewrite(archive, extra={"../../etc/cron.d/x": b"x"}), match=r"\.\./\.\./etc/cron.d/x : ce nom sort"
    )


def test_a_zip_bomb(archive, settings):
    settings.CTG_TRANSFER_MAX_BYTES = 20_000
    _refused(_rewrite(archive, extra={"files/bombe": b"0" * 50_000}), match="dépasse 20000 octets")


def test_an_unexpected_entry_and_an_unknown_field(archive):
    _refused(_rewrite(archive, extra={"autre.txt": b"x"}), match="autre.txt : fichier inattendu")
    change = lambda d: d["objects"]["conventions.milestone"][0].update(couleur="bleu")  # noqa: E731
    _refused(
        _rewrite(archive, change, drop=("autre.txt",)),
        match=r"\$.objects.conventions.milestone\[0\].couleur : champ inconnu",
    )


def test_a_value_of_the_wrong_type(archive):
    change = lambda d: d["objects"]["conventions.milestone"][0].update(date="bientôt")  # noqa: E731
    _refused(
        _rewrite(archive, change),
        match=r"\$.objects.conventions.milestone\[0\].date : valeur illisible .*'bientôt'",
    )


def test_the_same_dossier_is_not_merged(archive):
    _refused(archive, match="un dossier du même territoire couvre déjà .* rien n'est fusionné en silence")


def test_unknown_people_are_listed_or_created_inactive(archive, world):
    def change(data):
        _later(data)
        data["objects"]["conventions.membership"][0]["user"] = "nouvelle@ailleurs.fr"
        data["references"]["people"].append(
            {"email": "nouvelle@ailleurs.fr", "first_name": "Nina", "last_name": "Nouvelle", "job_title": ""}
        )

    _rewrite(archive, change)
    _refused(archive, match="personnes inconnues de cette instance : nouvelle@ailleurs.fr.*--create-people")
    call_command("import_dossier", str(archive), "--create-people", stdout=io.StringIO())
    person = User.objects.get(email="nouvelle@ailleurs.fr")
    assert not person.is_active and person.first_name == "Nina"
    assert Ctg.objects.get(start_year=2029).memberships.filter(user=person).exists()


def test_territories_by_official_codes(archive, world):
    communes = sorted(world.ctg.communes.values_list("code", flat=True))

    def unknown(data):
        _later(data)
        data["objects"]["conventions.ctg"][0]["communes"].append("99999")

    _refused(_rewrite(archive, unknown), match="communes inconnues du COG de cette instance : 99999")

    # A former code (a merged commune) is read as the commune in force.
    FormerCommuneCode.objects.create(code="99998", name="Ancienne", commune_id=communes[0], kind="ancien")

    def former(data):
        data["objects"]["conventions.ctg"][0]["communes"] = ["99998", *communes[1:]]

    call_command(
        "import_dossier", str(_rewrite(archive, former)), "--user", "pilote@caf.fr", stdout=io.StringIO()
    )
    imported = Ctg.objects.get(start_year=2029)
    assert sorted(imported.communes.values_list("code", flat=True)) == communes
    line = imported.history.order_by("pk").last()
    assert line.summary.startswith("Dossier importé depuis une autre instance (dossier.zip")
    assert line.actor == world.users["pilote_caf"]


def test_organisations_by_natural_key(archive):
    Organisation.objects.filter(name="Mission locale du Test").update(name="Mission locale renommée")
    _rewrite(archive, _later)
    _refused(archive, match="organisation inconnue : « Mission locale du Test ».*--create-organisations")
    # Same name, another kind: a near-duplicate, never taken for the other.
    OrganisationFactory(name="Mission locale du Test", kind="association")
    _refused(archive, "--create-organisations", match="n'existe ici que sous le type « association »")
    Organisation.objects.filter(name="Mission locale du Test").delete()
    call_command("import_dossier", str(archive), "--create-organisations", stdout=io.StringIO())
    assert Ctg.objects.get(start_year=2029).partners.filter(name="Mission locale du Test").exists()


def test_dry_run_writes_nothing(archive):
    _rewrite(archive, _later)
    before = _counts()
    out = io.StringIO()
    call_command("import_dossier", str(archive), "--dry-run", stdout=out)
    assert "Vérification réussie" in out.getvalue() and _counts() == before


def test_export_is_deterministic(world):
    first, files = export.export_data(world.ctg)
    second, _ = export.export_data(world.ctg)
    assert export.dumps({**first, "exported_at": ""}) == export.dumps({**second, "exported_at": ""})
    assert first["objects"]["conventions.ctg"][0]["epci"] == world.ctg.epci_id
    assert {p["email"] for p in first["references"]["people"]} >= {"coordination@epci.fr", "elu@epci.fr"}


def test_export_of_an_unknown_dossier(db, tmp_path):
    with pytest.raises(CommandError, match="Aucun dossier CTG n° 999999"):
        call_command("export_dossier", 999999, "--out", str(tmp_path / "x.zip"))


def test_axes_of_the_schema_by_natural_key(world, tmp_path):
    axis = SchemaAxis.objects.create(
        caf=world.ctg.caf, departement_id="81", code="2", title="Soutenir la parentalité", position=2
    )
    enjeu = Enjeu.objects.create(ctg=world.ctg, title="Parentalité", position=1)
    enjeu.schema_axes.add(axis)
    path = tmp_path / "axes.zip"
    call_command("export_dossier", world.ctg.pk, "--out", str(path), stdout=io.StringIO())
    _rewrite(path, _later)
    SchemaAxis.objects.filter(pk=axis.pk).update(code="9")
    _refused(path, match=r"plans.enjeu\[0\].schema_axes : axe 2 .*--create-schema-axes")
    call_command("import_dossier", str(path), "--create-schema-axes", stdout=io.StringIO())
    created = Ctg.objects.get(start_year=2029).enjeux.get().schema_axes.get()
    assert (created.code, created.title, created.caf) == ("2", "Soutenir la parentalité", world.ctg.caf)


def test_a_renewal_whose_previous_ctg_is_already_renewed_here_is_refused(world, tmp_path):
    previous = CtgFactory(caf=world.ctg.caf, epci=world.ctg.epci, start_year=2021, end_year=2024)
    Ctg.objects.filter(pk=world.ctg.pk).update(previous=previous)
    path = tmp_path / "dossier.zip"
    call_command("export_dossier", world.ctg.pk, "--out", str(path), stdout=io.StringIO())
    # Another period (no overlap with the dossier it came from), but the previous CTG has its renewal here.
    _refused(
        _rewrite(path, _later),
        match=r"la CTG précédente « CTG de test \d+ » est déjà renouvelée sur cette instance",
    )
