"""The CAF funding and the accessibility of a structure of the offer (issue 12, item 1): entered and changed
by form (checkboxes of `ctg.offer.funding`, a level, notes, the acceslibre link) and by the template (codes or
French labels), recorded in the structure's history by their French labels, shown on the structure page,
in the CSV/XLSX exports (formulas neutralised), in the list's filter and in the data·inclusion export. A bad
value is refused in French and changes nothing."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ctg.offer import template_import
from ctg.offer.models import OfferImport, Structure, StructureEvent
from ctg.offer.services import structure_create, structure_update, version_of

pytestmark = pytest.mark.django_db

PSU = "Prestation de service unique (PSU)"
BONUS = "Bonus territoire CTG"
REAAP = "Réseau d'écoute, d'appui et d'accompagnement des parents (REAAP)"
ACCESLIBRE = "https://acceslibre.beta.gouv.fr/app/81-albi/a/creche/erp/creche-les-lutins/"
INJECTION = '=HYPERLINK("http://evil.example","clic")'
SCRIPT = "<script>alert(1)</script>"


def _snapshot():
    return (
        list(Structure.objects.order_by("pk").values()),
        list(StructureEvent.objects.order_by("pk").values_list("pk", "kind", "changes")),
        OfferImport.objects.count(),
    )


def _creche(world, **values) -> Structure:
    return structure_create(
        actor=None,
        values={
            "type": "eaje_creche",
            "name": "Crèche Les Lutins",
            "commune": world.ctg.communes.order_by("code").first(),
            "source": "saisie",
            "last_update": datetime.date(2025, 3, 14),
            **values,
        },
    )


def _form(structure, **extra) -> dict:
    data = {
        "type": structure.type,
        "name": structure.name,
        "commune": structure.commune_id,
        "status": structure.status,
        "caf_funding": list(structure.caf_funding),
        "caf_funding_note": structure.caf_funding_note,
        "accessibility": structure.accessibility,
        "accessibility_note": structure.accessibility_note,
        "accessibility_url": structure.accessibility_url,
        "version": version_of(structure),
    }
    data.update(extra)
    return data


# --- form ------------------------------------------------------------------------------------------------


def test_an_editor_enters_funding_and_accessibility_then_changes_them_with_history(client, world):
    editor = world.users["coordination"]
    client.force_login(editor)
    add = reverse("offer:structure_add", args=[world.ctg.pk])
    page = client.get(add).content.decode()
    assert PSU in page and "Fiche d&#x27;accessibilité" in page
    assert 'type="checkbox" name="caf_funding" value="psu"' in page

    response = client.post(
        add,
        {
            "type": "eaje_creche",
            "name": "Crèche Les Lutins",
            "commune": world.ctg.communes.first().pk,
            "status": "ouvert",
            "caf_funding": ["bonus_territoire", "psu"],
            "caf_funding_note": "PSU depuis 2019",
            "accessibility": "partielle",
            "accessibility_note": "Rampe à l'entrée, étage sans ascenseur",
            "accessibility_url": ACCESLIBRE,
        },
    )
    assert response.status_code == 302
    structure = Structure.objects.get(name="Crèche Les Lutins")
    # Stored in the order of the list of fundings, whatever the order ticked.
    assert structure.caf_funding == ["psu", "bonus_territoire"]
    assert structure.accessibility == Structure.Accessibility.PARTIAL
    assert structure.accessibility_url == ACCESLIBRE
    created = structure.events.get()
    assert created.actor == editor
    assert created.changes["caf_funding"] == ["", f"{PSU}, {BONUS}"]
    assert created.changes["accessibility"] == ["", "Partiellement accessible"]

    page = client.get(response.url).content.decode()
    assert PSU in page and BONUS in page and "PSU depuis 2019" in page
    assert "Partiellement accessible" in page and "Rampe à l&#x27;entrée" in page
    assert f'href="{ACCESLIBRE}"' in page

    # The form of a saved structure has its fundings ticked; a change is one line of history, by label.
    edit = reverse("offer:structure_edit", args=[world.ctg.pk, structure.pk])
    form = client.get(edit).content.decode()
    assert 'value="psu"' in form and "checked" in form.split('value="psu"')[1].split(">")[0]
    response = client.post(
        edit, _form(structure, caf_funding=["psu", "reaap"], accessibility="accessible", accessibility_url="")
    )
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.caf_funding == ["psu", "reaap"] and structure.accessibility_url == ""
    event = structure.events.first()
    assert event.kind == StructureEvent.Kind.UPDATED and event.actor == editor
    assert event.changes["caf_funding"] == [f"{PSU}, {BONUS}", f"{PSU}, {REAAP}"]
    assert event.changes["accessibility"] == [
        "Partiellement accessible",
        "Accessible aux personnes à mobilité réduite",
    ]
    assert event.changes["accessibility_url"] == [ACCESLIBRE, ""]
    assert "financements de la CAF" in event.summary and "accessibilité" in event.summary


def test_a_form_without_the_new_fields_keeps_the_default_accessibility(client, world):
    client.force_login(world.users["coordination"])
    response = client.post(
        reverse("offer:structure_add", args=[world.ctg.pk]),
        {
            "type": "centre_social",
            "name": "Centre",
            "commune": world.ctg.communes.first().pk,
            "status": "ouvert",
        },
    )
    assert response.status_code == 302
    structure = Structure.objects.get(name="Centre")
    assert structure.caf_funding == [] and structure.accessibility == Structure.Accessibility.UNKNOWN


BAD_POSTS = {
    "financement inconnu": ({"caf_funding": ["psu", "licorne"]}, "Sélectionnez un choix valide"),
    "accessibilité inconnue": ({"accessibility": "parfaite"}, "Sélectionnez un choix valide"),
    "fiche invalide": ({"accessibility_url": "pas une adresse"}, "Saisissez une URL valide"),
    "fiche javascript": ({"accessibility_url": "javascript:alert(1)"}, "Saisissez une URL valide"),
    "précisions trop longues": ({"caf_funding_note": "x" * 501}, "au plus 500 caractères"),
}


@pytest.mark.parametrize("case", BAD_POSTS)
def test_a_bad_post_changes_nothing_and_says_why(client, world, case):
    extra, message = BAD_POSTS[case]
    structure = _creche(world, caf_funding=["psu"], accessibility="accessible")
    before = _snapshot()
    client.force_login(world.users["coordination"])
    edit = reverse("offer:structure_edit", args=[world.ctg.pk, structure.pk])
    response = client.post(edit, _form(structure, name="Renommée", **extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    added = client.post(
        reverse("offer:structure_add", args=[world.ctg.pk]),
        {"type": "centre_social", "name": "Nouveau", "commune": structure.commune_id, "status": "ouvert"}
        | extra,
    )
    assert added.status_code == 400
    assert _snapshot() == before


def test_the_services_refuse_an_unknown_funding_code_whatever_the_caller(world):
    structure = _creche(world, caf_funding=["psu"])
    before = _snapshot()
    with pytest.raises(ValidationError, match="Financement de la CAF inconnu : licorne"):
        structure_update(structure, actor=None, values={"caf_funding": ["psu", "licorne"]})
    with pytest.raises(ValidationError):
        structure_update(Structure.objects.get(pk=structure.pk), actor=None, values={"accessibility": "x"})
    assert _snapshot() == before


# --- display, filter, exports --------------------------------------------------------------------------


def test_the_structure_page_escapes_the_notes(client, world):
    structure = _creche(world, caf_funding_note=SCRIPT, accessibility_note=f"{SCRIPT} l'entrée")
    client.force_login(world.users["lecture"])
    page = client.get(reverse("offer:structure", args=[world.ctg.pk, structure.pk])).content.decode()
    assert SCRIPT not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "l&#x27;entrée" in page and "&amp;lt;" not in page
    assert "Non renseignée" in page and "non renseignés" in page  # no funding, accessibility unknown


def test_the_list_filters_the_structures_funded_by_a_prestation(client, world):
    _creche(world, caf_funding=["psu", "bonus_territoire"])
    _creche(world, name="Micro-crèche privée", type="eaje_micro_creche")
    _creche(world, name="Centre social", type="centre_social", caf_funding=["ps_animation_globale"])
    client.force_login(world.users["lecture"])
    url = reverse("offer:list", args=[world.ctg.pk])
    page = client.get(url)
    assert "Financement de la CAF" in page.content.decode()
    names = [row["structure"].name for row in client.get(url, {"financement": "psu"}).context["rows"]]
    assert names == ["Crèche Les Lutins"]
    funded = client.get(url, {"financement": "ps_animation_globale"})
    assert [row["structure"].name for row in funded.context["rows"]] == ["Centre social"]
    # The exports follow the filter; an unknown code is ignored.
    assert "financement=ps_animation_globale" in funded.context["csv_url"]
    assert len(client.get(url, {"financement": "licorne"}).context["rows"]) == 3


def test_the_exports_have_the_funding_and_accessibility_columns_with_formulas_neutralised(client, world):
    _creche(world, caf_funding=["psu", "bonus_territoire"], accessibility="partielle")
    hostile = _creche(world, name="Hostile")
    # A code outside the list is shown as written (`funding.labels`): a formula stays text.
    Structure.objects.filter(pk=hostile.pk).update(caf_funding=[INJECTION])
    client.force_login(world.users["lecture"])

    response = client.get(reverse("offer:csv", args=[world.ctg.pk]))
    text = response.content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert "Financements CAF" in header and "Accessibilité" in header
    by_name = {row[3]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["Crèche Les Lutins"]["Financements CAF"] == f"{PSU} ; {BONUS}"
    assert by_name["Crèche Les Lutins"]["Accessibilité"] == "Partiellement accessible"
    assert by_name["Hostile"]["Financements CAF"] == "'" + INJECTION
    assert by_name["Hostile"]["Accessibilité"] == "Non renseignée"

    response = client.get(reverse("offer:xlsx", args=[world.ctg.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("Financements CAF")
    cells = {row[3].value: row[column] for row in sheet.iter_rows(min_row=2)}
    assert cells["Crèche Les Lutins"].value == f"{PSU} ; {BONUS}"
    assert cells["Hostile"].data_type == "s" and "HYPERLINK" in cells["Hostile"].value
    assert sheet.cell(row=2, column=header.index("Accessibilité") + 1).value in (
        "Partiellement accessible",
        "Non renseignée",
    )


def test_the_datainclusion_export_gives_the_accessibility_link(client, world):
    commune = world.ctg.communes.order_by("code").first()
    structure_create(
        actor=None,
        values={
            "type": "france_services",
            "name": "France services du Test",
            "commune": commune,
            "postcode": "81000",
            "source": "saisie",
            "last_update": datetime.date(2025, 3, 14),
            "accessibility_url": ACCESLIBRE,
        },
    )
    _creche(world, name="Sans fiche", type="centre_social")
    client.force_login(world.users["lecture"])
    records = json.loads(client.get(reverse("offer:datainclusion_json", args=[world.ctg.pk])).content)
    by_name = {record["nom"]: record for record in records}
    assert by_name["France services du Test"]["accessibilite_lieu"] == ACCESLIBRE
    assert by_name["Sans fiche"]["accessibilite_lieu"] is None


# --- template ----------------------------------------------------------------------------------------------


def _line(identifiant, name, commune, **cells) -> list[str]:
    values = {key: "" for key, _header, _help in template_import.COLUMNS}
    values.update(identifiant=identifiant, type="eaje_creche", name=name, commune=commune, status="ouvert")
    values.update(cells)
    return [values[key] for key, _header, _help in template_import.COLUMNS]


def _file(lines, headers=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers or template_import.HEADERS)
    writer.writerows(lines)
    return buffer.getvalue().encode("utf-8")


def _upload(client, world, content: bytes, name="modele.csv"):
    return client.post(
        reverse("offer:template_import", args=[world.ctg.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def _confirm(client, world, preview):
    return client.post(
        reverse("offer:template_import", args=[world.ctg.pk]),
        {"token": preview.context["token"], "action": "confirm"},
    )


@pytest.fixture
def editor(client, world):
    client.force_login(world.users["coordination"])
    return world.users["coordination"]


def test_the_template_takes_codes_or_labels_and_reimports_them_unchanged(client, world, editor):
    code = world.ctg.communes.first().code
    content = _file(
        [
            _line(
                "EAJE-1",
                "Crèche Les Lutins",
                code,
                caf_funding=f"psu ; {BONUS.upper()};  {REAAP.replace(chr(39), chr(0x2019))}",
                caf_funding_note="PSU depuis 2019",
                accessibility="Partiellement accessible",
                accessibility_note="Rampe",
                accessibility_url=ACCESLIBRE,
            ),
            _line("EAJE-2", "Micro-crèche", code, caf_funding="PSU", accessibility="non_accessible"),
            _line("EAJE-3", "Halte-garderie", code),
        ]
    )
    preview = _upload(client, world, content)
    assert preview.status_code == 200, preview.content.decode()
    assert "Structures créées : 3" in preview.content.decode()
    _confirm(client, world, preview)
    lutins = Structure.objects.get(source="modele", source_id="EAJE-1")
    assert lutins.caf_funding == ["psu", "bonus_territoire", "reaap"]
    assert lutins.caf_funding_note == "PSU depuis 2019"
    assert (lutins.accessibility, lutins.accessibility_url) == ("partielle", ACCESLIBRE)
    assert lutins.events.get().changes["caf_funding"] == ["", f"{PSU}, {BONUS}, {REAAP}"]
    micro = Structure.objects.get(source_id="EAJE-2")
    assert micro.caf_funding == ["psu"] and micro.accessibility == "non_accessible"
    assert Structure.objects.get(source_id="EAJE-3").accessibility == "inconnue"

    # The template downloaded now carries the labels; imported back as is, it changes nothing.
    download = client.get(reverse("offer:template_csv", args=[world.ctg.pk])).content
    text = download.decode("utf-8-sig")
    assert f"{PSU} ; {BONUS} ; {REAAP}" in text and "Partiellement accessible" in text
    before = _snapshot()
    preview = _upload(client, world, download)
    assert "Structures inchangées : 3" in preview.content.decode()
    assert _snapshot() == before

    # A file of the first template (no funding nor accessibility columns) keeps them as they are.
    line = _line("EAJE-1", "Crèche Les Lutins (renommée)", code)
    keys = [key for key, _header, _help in template_import.COLUMNS]
    old = [[cell for key, cell in zip(keys, line, strict=True) if key not in template_import.ADDED]]
    preview = _upload(client, world, _file(old, headers=template_import.FIRST_HEADERS))
    assert "Structures mises à jour : 1" in preview.content.decode()
    _confirm(client, world, preview)
    lutins.refresh_from_db()
    assert lutins.name == "Crèche Les Lutins (renommée)"
    assert lutins.caf_funding == ["psu", "bonus_territoire", "reaap"] and lutins.accessibility == "partielle"


def test_the_excel_template_lists_the_fundings_and_accessibility_levels(client, world, editor):
    response = client.get(reverse("offer:template_xlsx", args=[world.ctg.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["Structures"][1]][-5:] == [
        "financements caf",
        "précisions financements",
        "accessibilité",
        "précisions accessibilité",
        "fiche accessibilité",
    ]
    readme = [row[:2] for row in workbook["Lisez-moi"].iter_rows(values_only=True)]
    assert ("psu", PSU) in readme and ("partielle", "Partiellement accessible") in readme
    page = client.get(reverse("offer:template_import", args=[world.ctg.pk])).content.decode()
    assert "bonus_territoire" in page and "non_accessible" in page


BAD_CELLS = {
    "financement inconnu": (
        {"caf_funding": "psu ; licorne"},
        "financements caf",
        "financement « licorne » inconnu",
    ),
    "accessibilité inconnue": ({"accessibility": "parfaite"}, "accessibilité", "accessibilité « parfaite »"),
    "fiche invalide": ({"accessibility_url": "javascript:alert(1)"}, "fiche accessibilité", "adresse"),
    "précisions trop longues": ({"accessibility_note": "x" * 501}, "précisions accessibilité", "500 caract"),
}


@pytest.mark.parametrize("case", BAD_CELLS)
def test_one_bad_cell_refuses_the_whole_file_naming_its_line_and_column(client, world, editor, case):
    cells, column, message = BAD_CELLS[case]
    code = world.ctg.communes.first().code
    existing = structure_create(
        actor=None,
        values={
            "type": "eaje_creche",
            "name": "Crèche existante",
            "commune": world.ctg.communes.first(),
            "source": "modele",
            "source_id": "EAJE-1",
            "caf_funding": ["psu"],
        },
    )
    before = _snapshot()
    content = _file(
        [
            _line("EAJE-1", "Crèche existante", code, caf_funding="bonus_territoire"),
            _line("EAJE-2", "Nouvelle crèche", code, **cells),
        ]
    )
    response = _upload(client, world, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Import refusé, rien n&#x27;a été modifié." in page
    assert f"modele.csv, ligne 3, colonne « {column} »" in page
    assert message in page.replace("&#x27;", "'")
    assert _snapshot() == before
    existing.refresh_from_db()
    assert existing.caf_funding == ["psu"]
