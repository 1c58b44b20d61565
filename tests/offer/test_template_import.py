"""The template of the offer of services (issue 12): the editors download it (CSV or Excel, French columns, a
help line, a « Lisez-moi » sheet with the type codes), fill it and import it back: a preview of what changes,
then the import on confirmation, all or nothing, through the services (history with who and when). A bad file
names its line and column in French and changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ctg.offer import template_import
from ctg.offer.models import OfferImport, Structure, StructureEvent
from ctg.offer.services import structure_create

pytestmark = pytest.mark.django_db

HEADER = ";".join(template_import.HEADERS)
HELP = ";".join(f'"{h}"' for _k, _n, h in template_import.COLUMNS)


def _line(identifiant="CS-001", type_="centre_social", name="Centre social des Tilleuls", commune="", **kw):
    cells = {
        "address": "2 rue des Tilleuls",
        "postcode": "81000",
        "public": "familles",
        "capacity": "",
        "opening_hours": "Mo-Fr 09:00-12:00",
        "phone": "",
        "email": "",
        "website": "",
        "status": "ouvert",
        "expected_opening": "",
    }
    cells.update(kw)
    return ";".join(
        [identifiant, type_, name, commune]
        + [cells.get(key, "") for key in [k for k, _n, _h in template_import.COLUMNS][4:]]
    )


def _csv(world, *lines, with_help=True) -> bytes:
    code = world.ctg.communes.first().code
    body = [HEADER] + ([HELP] if with_help else []) + [line.replace("{commune}", code) for line in lines]
    return ("\n".join(body) + "\n").encode("utf-8")


def _upload(client, world, content: bytes, name="modele.csv"):
    return client.post(
        reverse("offer:template_import", args=[world.ctg.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def _confirm(client, world, response, action="confirm"):
    return client.post(
        reverse("offer:template_import", args=[world.ctg.pk]),
        {"token": response.context["token"], "action": action},
    )


def _snapshot():
    return (
        list(Structure.objects.order_by("pk").values()),
        list(StructureEvent.objects.order_by("pk").values_list("pk", "kind", "changes")),
        OfferImport.objects.count(),
    )


@pytest.fixture
def editor(client, world):
    client.force_login(world.users["coordination"])
    return world.users["coordination"]


def test_the_csv_template_has_french_columns_and_a_help_line(client, world, editor):
    response = client.get(reverse("offer:template_csv", args=[world.ctg.pk]))
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == template_import.HEADERS
    assert lines[0].startswith("identifiant;type;nom;code commune;adresse")
    assert lines[1].startswith("(aide) Votre identifiant")


def test_the_excel_template_lists_the_types_and_the_communes(client, world, editor):
    response = client.get(reverse("offer:template_xlsx", args=[world.ctg.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Structures", "Lisez-moi"]
    assert [c.value for c in workbook["Structures"][1]] == template_import.HEADERS
    readme = [row[0] for row in workbook["Lisez-moi"].iter_rows(values_only=True)]
    assert "assistantes_maternelles" in readme and "centre_social" in readme
    assert world.ctg.communes.first().code in readme
    assert world.other_ctg.communes.first().code not in readme


def test_preview_then_confirm_creates_then_reimport_updates(client, world, editor):
    content = _csv(
        world,
        _line(commune="{commune}"),
        _line("AM-1", "assistantes_maternelles", "Assistantes maternelles", "{commune}", capacity="42"),
    )
    preview = _upload(client, world, content)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Structures créées : 2" in page and "Centre social des Tilleuls" in page
    assert "Assistantes maternelles (nombre par commune)" in page
    assert not Structure.objects.exists()  # nothing before the confirmation

    response = _confirm(client, world, preview)
    assert response.status_code == 302
    assert Structure.objects.count() == 2
    centre = Structure.objects.get(source="modele", source_id="CS-001")
    assert centre.created_by == editor and centre.opening_hours == "Mo-Fr 09:00-12:00"
    assert Structure.objects.get(source_id="AM-1").capacity == 42
    event = centre.events.get()
    assert event.actor == editor and event.offer_import.source == "modele"

    # The same identifiants again, one line changed: one update, one unchanged, nothing doubled.
    changed = _csv(
        world,
        _line(commune="{commune}", status="en projet", expected_opening="01/09/2027"),
        _line("AM-1", "assistantes_maternelles", "Assistantes maternelles", "{commune}", capacity="42"),
    )
    preview = _upload(client, world, changed)
    assert "Structures mises à jour : 1" in preview.content.decode()
    assert "Statut : Ouvert → En projet" in preview.content.decode()
    assert "Structures inchangées : 1" in preview.content.decode()
    _confirm(client, world, preview)
    centre.refresh_from_db()
    assert Structure.objects.count() == 2
    assert centre.status == Structure.Status.PLANNED and centre.expected_opening.isoformat() == "2027-09-01"
    assert centre.events.first().kind == StructureEvent.Kind.UPDATED
    assert centre.events.first().actor == editor


def test_cancel_changes_nothing(client, world, editor):
    preview = _upload(client, world, _csv(world, _line(commune="{commune}")))
    before = _snapshot()
    _confirm(client, world, preview, action="cancel")
    assert _snapshot() == before
    # The token is spent: confirming it afterwards changes nothing either.
    _confirm(client, world, preview)
    assert _snapshot() == before


def test_an_excel_file_is_imported_too(client, world, editor):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Structures"
    sheet.append(template_import.HEADERS)
    sheet.append(["(aide) la ligne d'aide du modèle"])
    sheet.append(["ALSH-1", "alsh", "ALSH des Pins", world.ctg.communes.first().code, "", "", "", 48])
    output = io.BytesIO()
    workbook.save(output)
    preview = _upload(client, world, output.getvalue(), "modele.xlsx")
    assert preview.status_code == 200, preview.content.decode()
    _confirm(client, world, preview)
    assert Structure.objects.get(source_id="ALSH-1").capacity == 48


def _xlsx_with_formula() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(template_import.HEADERS)
    sheet.append(["F-1", "alsh", '=HYPERLINK("http://x")', "81600"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


BAD_FILES = {
    "vide": (lambda w: b"", "modele.csv", "est vide"),
    "en-tête d'une autre liste": (
        lambda w: b"id_fs;lib_fs\n1;x\n",
        "modele.csv",
        "ce n&#x27;est pas le modèle",
    ),
    "aucune structure": (lambda w: _csv(w), "modele.csv", "aucune structure"),
    "type inconnu": (
        lambda w: _csv(w, _line(type_="piscine", commune="{commune}")),
        "modele.csv",
        "ligne 3, colonne « type » : type « piscine » inconnu",
    ),
    "nom manquant": (lambda w: _csv(w, _line(name="", commune="{commune}")), "modele.csv", "colonne « nom »"),
    "commune hors territoire": (
        lambda w: _csv(w, _line(commune=w.other_ctg.communes.first().code)),
        "modele.csv",
        "hors du territoire du dossier",
    ),
    "horaires invalides": (
        lambda w: _csv(w, _line(commune="{commune}", opening_hours="Lu-Ve 9h-12h")),
        "modele.csv",
        "colonne « horaires » : horaires non reconnus",
    ),
    "en projet sans date": (
        lambda w: _csv(w, _line(commune="{commune}", status="en projet")),
        "modele.csv",
        "colonne « ouverture prévue »",
    ),
    "date invalide": (
        lambda w: _csv(w, _line(commune="{commune}", status="en projet", expected_opening="31/02/2027")),
        "modele.csv",
        "date « 31/02/2027 » invalide",
    ),
    "places négatives": (
        lambda w: _csv(w, _line(commune="{commune}", capacity="-2")),
        "modele.csv",
        "colonne « places »",
    ),
    "statut inconnu": (
        lambda w: _csv(w, _line(commune="{commune}", status="supprimé")),
        "modele.csv",
        "statut « supprimé » inconnu",
    ),
    "identifiant en double": (
        lambda w: _csv(w, _line(commune="{commune}"), _line(commune="{commune}", name="Autre")),
        "modele.csv",
        "ligne 4, colonne « identifiant » : identifiant « CS-001 » déjà donné ligne 3",
    ),
    "une bonne ligne puis une mauvaise": (
        lambda w: _csv(w, _line(commune="{commune}"), _line("CS-002", commune="{commune}", postcode="8100")),
        "modele.csv",
        "ligne 4, colonne « code postal »",
    ),
    "pas en UTF-8": (
        lambda w: _csv(w, _line(commune="{commune}")).replace(b"Tilleuls", "Tilleuls é".encode("latin-1")),
        "modele.csv",
        "encodage invalide",
    ),
    "classeur avec une formule": (lambda w: _xlsx_with_formula(), "modele.xlsx", "formule refusée"),
    "faux classeur": (
        lambda w: b"PK\x03\x04pas un classeur",
        "modele.xlsx",
        "n&#x27;est pas un classeur Excel (.xlsx) lisible",
    ),
    "mauvaise extension": (lambda w: _csv(w, _line(commune="{commune}")), "modele.txt", "un CSV (.csv)"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_whole_and_says_where(client, world, editor, case):
    make, name, message = BAD_FILES[case]
    structure_create(
        actor=None,
        values={
            "type": "alsh",
            "name": "ALSH existant",
            "commune": world.ctg.communes.first(),
            "source": "t",
        },
    )
    before = _snapshot()
    response = _upload(client, world, make(world), name)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if "Import refusé" in page:
        assert "rien n&#x27;a été modifié" in page
    assert _snapshot() == before


def neighbour_with_identifiant(world, identifiant="CS-001"):
    """A structure of another territory that already holds `identifiant` in the template's source."""
    return structure_create(
        actor=None,
        values={
            "type": "alsh",
            "name": "ALSH voisin",
            "commune": world.other_ctg.communes.first(),
            "source": "modele",
            "source_id": identifiant,
        },
    )


def test_an_identifiant_of_another_territory_is_refused(client, world, editor):
    neighbour_with_identifiant(world)
    before = _snapshot()
    response = _upload(client, world, _csv(world, _line(commune="{commune}")))
    assert response.status_code == 400
    assert "hors du territoire du dossier : choisissez-en un autre" in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["referent_communal", "partenaire", "lecture"])
def test_readers_may_not_import_nor_confirm(client, world, role):
    client.force_login(world.users["coordination"])
    preview = _upload(client, world, _csv(world, _line(commune="{commune}")))
    before = _snapshot()
    client.force_login(world.users[role])
    assert _upload(client, world, _csv(world, _line(commune="{commune}"))).status_code == 403
    assert _confirm(client, world, preview).status_code == 403
    assert _snapshot() == before


def test_the_token_of_another_dossier_does_not_import_here(client, world, editor):
    preview = _upload(client, world, _csv(world, _line(commune="{commune}")))
    before = _snapshot()
    client.force_login(world.users["other_member"])
    response = client.post(
        reverse("offer:template_import", args=[world.other_ctg.pk]),
        {"token": preview.context["token"], "action": "confirm"},
    )
    assert response.status_code == 302  # another session: nothing pending there
    assert _snapshot() == before


def test_user_text_is_escaped_in_the_preview_and_never_a_formula_in_the_template(client, world, editor):
    name = '=HYPERLINK("http://x","<script>alert(1)</script>")'
    content = _csv(world, _line(commune="{commune}", name=name.replace('"', '""').join('""')))
    preview = _upload(client, world, content)
    assert preview.status_code == 200, preview.content.decode()
    page = preview.content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    _confirm(client, world, preview)
    assert Structure.objects.get(source_id="CS-001").name == name

    exported = client.get(reverse("offer:template_csv", args=[world.ctg.pk])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("offer:template_xlsx", args=[world.ctg.pk])).content)
    )
    cell = workbook["Structures"]["C3"]
    assert cell.value == name and cell.data_type == "s"

    # The exported CSV comes back as it went: the same name, nothing changed.
    before = _snapshot()
    preview = _upload(client, world, exported.encode("utf-8"))
    assert "Structures inchangées : 1" in preview.content.decode()
    assert _snapshot() == before
