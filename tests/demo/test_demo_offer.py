"""The demo's inventory of the offer of services (issue 12, item 6): every CTG field, every structure
fictitious and shown as such, loaded once, and a needs page with white zones and a coverage figure."""

import datetime

import pytest
from django.core.management import call_command

from ctg.demo.loader import demo_dossier
from ctg.offer import typology
from ctg.offer.models import Structure, StructureEvent
from ctg.organisations.models import User
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory

# The communes of the CA de l'Albigeois (code, name, population, postal code).
C2A = [
    ("81004", "Albi", 51290, "81000"),
    ("81257", "Saint-Juéry", 6564, "81160"),
    ("81144", "Lescure-d'Albigeois", 4590, "81380"),
    ("81218", "Puygouzon", 3548, "81990"),
    ("81156", "Marssac-sur-Tarn", 3518, "81150"),
    ("81018", "Arthès", 2528, "81160"),
    ("81052", "Cambon", 2127, "81990"),
    ("81284", "Le Sequestre", 2025, "81990"),
    ("81074", "Cunac", 1626, "81990"),
    ("81063", "Castelnau-de-Lévis", 1603, "81150"),
    ("81097", "Fréjairolles", 1351, "81990"),
    ("81297", "Terssac", 1195, "81150"),
    ("81079", "Dénat", 864, "81120"),
    ("81274", "Saliès", 806, "81990"),
    ("81059", "Carlus", 664, "81990"),
    ("81232", "Rouffiac", 639, "81150"),
]
CTG_FIELDS = {
    "petite_enfance": {"eaje_creche", "eaje_micro_creche", "eaje_multi_accueil", "mam", "rpe"},
    "types": {
        "assistantes_maternelles",
        "laep",
        "alsh",
        "accueil_jeunes",
        "pij",
        "centre_social",
        "evs",
        "france_services",
        "ccas",
        "pmi",
        "mediation_familiale",
        "mission_locale",
        "ecole_maternelle",
        "ecole_elementaire",
        "bibliotheque",
    },
}


@pytest.fixture
def albigeois(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois (C2A)", nature="CA")
    for code, name, population, postcode in C2A:
        CommuneFactory(
            code=code, name=name, epci=epci, departement=tarn, population=population, postal_codes=postcode
        )
    return epci


def _demo(client):
    call_command("load_demo")
    client.login(username="elu@demo.invalid", password="demo-ctg-2026")
    return demo_dossier()


def test_the_demo_has_a_fictitious_inventory_over_every_field(albigeois):
    call_command("load_demo")
    structures = Structure.objects.filter(source="demo")
    assert 25 <= structures.count() <= 60
    assert not Structure.objects.exclude(source="demo").exists()
    assert not structures.filter(is_fictitious=False).exists()
    types = set(structures.values_list("type", flat=True))
    assert CTG_FIELDS["petite_enfance"] | CTG_FIELDS["types"] <= types
    fields = {typology.BY_CODE[t].field for t in types}
    assert {"petite_enfance", "enfance", "jeunesse", "parentalite", "animation_vie_sociale"} <= fields
    # Names read as fictitious wherever they are shown.
    for name in structures.values_list("name", flat=True):
        assert "fictif" in name or "fictive" in name, name
    # One in project with its opening date, one closed, the others open.
    planned = structures.get(status=Structure.Status.PLANNED)
    assert planned.expected_opening is not None and planned.expected_opening > datetime.date.today()
    assert structures.filter(status=Structure.Status.CLOSED).count() == 1
    # CAF funding, accessibility, hours, coordinates near their commune, places.
    creche = structures.get(type="eaje_creche")
    assert "psu" in creche.caf_funding and creche.capacity and creche.opening_hours
    assert creche.accessibility == Structure.Accessibility.FULL
    assert "ps_alsh" in structures.filter(type="alsh").first().caf_funding
    located = structures.exclude(type="assistantes_maternelles")
    assert not located.filter(latitude__isnull=True).exists()
    for s in located:
        assert 43.80 < s.latitude < 44.0 and 2.0 < s.longitude < 2.26, s.name
    # The assistantes maternelles: one count per commune of the EPCI.
    counts = structures.filter(type="assistantes_maternelles")
    assert counts.count() == len(C2A) and all(c.capacity for c in counts)
    # Written through the services: each structure has its creation line, by the coordinator.
    coordinator = User.objects.get(email="coordination@demo.invalid")
    assert StructureEvent.objects.filter(kind="creation", actor=coordinator).count() == structures.count()


def test_loading_the_demo_twice_creates_nothing_more(albigeois):
    call_command("load_demo")
    before = (Structure.objects.count(), StructureEvent.objects.count())
    call_command("load_demo")
    assert (Structure.objects.count(), StructureEvent.objects.count()) == before


def test_an_older_demo_gets_its_inventory(albigeois):
    """A demo loaded before the inventory existed gets it at the next load, once."""
    call_command("load_demo")
    Structure.objects.filter(source="demo", type="pmi").update(source_id="")  # as if never created
    count = Structure.objects.filter(source="demo").count()
    call_command("load_demo")
    assert Structure.objects.filter(source="demo", type="pmi").count() == 2
    assert Structure.objects.filter(source="demo").count() == count + 1


def test_the_offer_pages_say_fictive(albigeois, client):
    ctg = _demo(client)
    page = client.get(f"/portrait/ctg/{ctg.pk}/offre/").content.decode()
    assert "Crèche collective Les Lutins (fictive)" in page
    assert page.count(">Fictive</span>") == Structure.objects.filter(source="demo").count()
    creche = Structure.objects.get(type="eaje_creche", source="demo")
    detail = client.get(f"/portrait/ctg/{ctg.pk}/offre/structures/{creche.pk}/").content.decode()
    assert "Structure fictive, créée pour la démonstration." in detail


def test_the_demo_needs_page_shows_white_zones_and_a_coverage_rate(albigeois, client):
    ctg = _demo(client)
    page = client.get(f"/portrait/ctg/{ctg.pk}/offre/besoins/").content.decode()
    assert "Taux de couverture de l&#x27;accueil du jeune enfant" in page or (
        "Taux de couverture de l'accueil du jeune enfant" in page
    )
    # Marssac-sur-Tarn has no EAJE within 10 km: a white zone of each kind of EAJE.
    assert "Marssac-sur-Tarn (81156)" in page
    from ctg.diagnostics.portrait import territory_of_ctg
    from ctg.offer.needs import needs_versus_offer, white_zones

    territory = territory_of_ctg(ctg)
    zones, _source = white_zones(territory, 10)
    for zone in zones:
        if zone.type.startswith("eaje"):
            assert "81156" in {c["code"] for c in zone.communes}, zone.type
    rate = next(row.rate for row in needs_versus_offer(territory) if row.field == "petite_enfance")
    assert rate.value is not None and rate.value > 0


def test_the_demo_has_one_fictitious_micro_creche_scenario_in_a_white_zone(albigeois, client):
    from ctg.offer.models import Scenario
    from ctg.offer.scenarios import compare_scenario

    ctg = _demo(client)
    call_command("load_demo")  # once only
    scenario = Scenario.objects.get(ctg=ctg)
    year = datetime.date.today().year + 1
    assert scenario.is_fictitious
    assert scenario.name == f"Micro-crèche de 12 places à Marssac-sur-Tarn, ouverture {year} (fictif)"
    line = scenario.lines.get()
    assert (line.type, line.places, line.commune_id, line.year) == ("eaje_micro_creche", 12, "81156", year)
    # Marssac-sur-Tarn stops being a white zone of micro-crèches; the coverage rate goes up.
    territory_level = compare_scenario(scenario).levels[-1]
    zone = next(z for z in territory_level.zones if z.type == "eaje_micro_creche")
    assert "81156" in {c["code"] for c in zone.removed}
    rate = next(f.rate for f in territory_level.fields if f.field == "petite_enfance")
    assert rate.after.value > rate.before.value
    # The scenario pages say it is fictitious.
    listing = client.get(f"/portrait/ctg/{ctg.pk}/offre/scenarios/").content.decode()
    assert "Marssac-sur-Tarn" in listing and "fictif" in listing
    detail = client.get(f"/portrait/ctg/{ctg.pk}/offre/scenarios/{scenario.pk}/").content.decode()
    assert "Scénario fictif (démonstration)" in detail


def test_no_scenario_when_every_commune_has_an_eaje(db, settings, tmp_path):
    """On a smaller référentiel (Albi and Saint-Juéry, both with an EAJE), the demo has no scenario."""
    from ctg.offer.models import Scenario

    settings.DATA_DIR = tmp_path
    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois (C2A)", nature="CA")
    for code, name, population, postcode in C2A[:2]:
        CommuneFactory(
            code=code, name=name, epci=epci, departement=tarn, population=population, postal_codes=postcode
        )
    call_command("load_demo")
    assert Structure.objects.filter(source="demo").count() > 10
    assert not Scenario.objects.exists()
