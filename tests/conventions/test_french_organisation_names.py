"""The organisations created for a territory are named as French writes them (issue 11, item 7)."""

from ctg.conventions import services
from ctg.organisations.models import Organisation
from tests.factories import CommuneFactory, DepartementFactory, OrganisationFactory


def test_communes_and_departement_get_their_article(db):
    haute_vienne = DepartementFactory(code="87", name="Haute-Vienne", type_liaison=3)
    communes = [
        CommuneFactory(name="Aureil", type_liaison=1, departement=haute_vienne),
        CommuneFactory(name="Le Vigen", type_liaison=2, departement=haute_vienne),
        CommuneFactory(name="Les Cars", type_liaison=4, departement=haute_vienne),
        CommuneFactory(name="Limoges", type_liaison=0, departement=haute_vienne),
        CommuneFactory(name="La Geneytouse", type_liaison=None, departement=haute_vienne),
    ]
    names = [o.name for o in services.territory_organisations_ensure(epci=None, communes=communes)]
    assert names == [
        "Commune d'Aureil",
        "Commune du Vigen",
        "Commune des Cars",
        "Commune de Limoges",
        "Commune de la Geneytouse",
        "Conseil départemental de la Haute-Vienne",
    ]


def test_names_already_stored_are_kept(db):
    calvados = DepartementFactory(code="14", name="Calvados", type_liaison=2)
    commune = CommuneFactory(name="L'Isle-Jourdain", type_liaison=5, departement=calvados)
    OrganisationFactory(kind=Organisation.Kind.COMMUNE, commune=commune, name="Commune de L'Isle-Jourdain")
    OrganisationFactory(kind=Organisation.Kind.DEPARTEMENT, departement=calvados, name="CD 14")
    names = [o.name for o in services.territory_organisations_ensure(epci=None, communes=[commune])]
    assert names == ["Commune de L'Isle-Jourdain", "CD 14"]
    other = CommuneFactory(name="L'Isle-Jourdain", type_liaison=5, departement=calvados)
    assert services.territory_organisations_ensure(epci=None, communes=[other])[0].name == (
        "Commune de l'Isle-Jourdain"
    )


def test_signature_pages_name_the_organisation_with_its_article(client, world):
    from django.urls import reverse

    from ctg.conventions.models import Ctg, Phase
    from tests.conftest import PASSWORD
    from tests.factories import SignatoryFactory

    Ctg.objects.filter(pk=world.ctg.pk).update(phase=Phase.PLAN_ACTION)
    council = OrganisationFactory(
        kind=Organisation.Kind.DEPARTEMENT,
        name="Conseil départemental du Tarn",
        departement=world.ctg.caf.departement,
    )
    signatory = SignatoryFactory(ctg=world.ctg, organisation=council, position=0)
    client.login(username=world.users["coordination"].email, password=PASSWORD)
    html = client.get(reverse("conventions:signature", args=[world.ctg.pk, signatory.pk])).content.decode()
    assert "Signature du Conseil départemental du Tarn</h1>" in html
    html = client.get(reverse("conventions:parties", args=[world.ctg.pk])).content.decode()
    assert 'la signature<span class="fr-sr-only"> du Conseil départemental du Tarn</span>' in html
    assert "de Conseil" not in html
