"""The territory of a dossier: a whole EPCI, an EPCI minus some communes (Limoges Métropole without Limoges),
or a list of communes; its correction until signature; the deletion of a dossier in préparation; the overlap
rule on the communes."""

import datetime

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctg.conventions import services
from ctg.conventions.models import Ctg, Membership, Milestone, Phase
from ctg.core.models import Action, HistoryEntry
from ctg.documents.content import placeholder_values
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.territories.models import Commune, Epci
from tests.factories import (
    CommuneFactory,
    CtgFactory,
    DepartementFactory,
    EpciFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    SignatoryFactory,
    UserFactory,
)
from tests.plans.factories import FicheFactory

LIMOGES_COMMUNES = [
    ("87085", "Limoges", 0),
    ("87005", "Aureil", 1),
    ("87019", "Boisseuil", 0),
    ("87065", "Le Vigen", 2),
    ("87114", "Panazol", 0),
    ("87063", "Feytiat", 0),
]


class Limoges:
    def __init__(self):
        self.departement = DepartementFactory(code="87", name="Haute-Vienne")
        self.epci = EpciFactory(siren="248719312", name="Limoges Métropole", nature=Epci.Nature.CU)
        self.communes = {
            name: CommuneFactory(
                code=code, name=name, type_liaison=tncc, epci=self.epci, departement=self.departement
            )
            for code, name, tncc in LIMOGES_COMMUNES
        }
        self.caf = OrganisationFactory(
            kind=Organisation.Kind.CAF, name="CAF de la Haute-Vienne", departement=self.departement
        )
        self.adviser = UserFactory(email="conseillere@caf87.fr", organisation=self.caf)

    def create(self, **kwargs):
        values = {
            "actor": self.adviser,
            "title": "CTG Limoges Métropole 2023-2026",
            "caf": self.caf,
            "start_year": 2023,
            "end_year": 2026,
            "fields": ["petite_enfance"],
            "epci": self.epci,
        }
        values.update(kwargs)
        return services.ctg_create(**values)

    def __getitem__(self, name) -> Commune:
        return self.communes[name]


@pytest.fixture
def limoges(db):
    return Limoges()


# --- an EPCI minus some communes ------------------------------------------------------------------------


def test_an_epci_minus_limoges_keeps_the_epci_and_covers_the_other_communes(limoges):
    ctg = limoges.create(excluded_communes=[limoges["Limoges"]])

    assert ctg.epci == limoges.epci
    assert {c.name for c in ctg.communes.all()} == {"Aureil", "Boisseuil", "Le Vigen", "Panazol", "Feytiat"}
    assert list(ctg.excluded_communes.all()) == [limoges["Limoges"]]
    assert not ctg.covers_whole_epci
    assert ctg.territory_name == "Limoges Métropole, communes membres hors Limoges"
    assert ctg.territory_of == "de Limoges Métropole, communes membres hors Limoges"
    entry = HistoryEntry.objects.get(ctg=ctg, action=Action.DOSSIER_CREATE)
    assert entry.changes["territory"] == ["", "Limoges Métropole, communes membres hors Limoges"]
    assert "5 communes" in entry.summary
    # The EPCI signs for its communes: its organisation exists.
    assert Organisation.objects.filter(kind=Organisation.Kind.EPCI, epci=limoges.epci).exists()


def test_the_convention_and_the_codes_read_the_communes_of_an_epci_minus_limoges(limoges):
    ctg = limoges.create(excluded_communes=[limoges["Limoges"]])

    values = placeholder_values(ctg)

    assert values["territoire.nom"] == "Limoges Métropole, communes membres hors Limoges"
    expected = "la communauté urbaine Limoges Métropole, communes membres hors Limoges"
    assert values["territoire.type"] == expected
    assert values["territoire.nombre_communes"] == "5 communes"
    assert "Limoges" not in values["territoire.communes"].replace("Limoges Métropole", "")
    assert ctg.territory_code == "87005,87019,87063,87065,87114"
    whole = limoges.create(title="Toute la métropole", start_year=2030, end_year=2031)
    assert placeholder_values(whole)["territoire.type"] == "la communauté urbaine Limoges Métropole"
    assert whole.territory_code == "248719312"


def test_the_portrait_of_an_epci_minus_limoges_reads_its_communes_not_the_epci(limoges):
    from ctg.diagnostics.portrait import territory_of_ctg

    whole = territory_of_ctg(limoges.create())
    Ctg.objects.all().delete()
    partial = territory_of_ctg(limoges.create(excluded_communes=[limoges["Limoges"]]))

    assert whole.code == "248719312"
    assert "87085" not in partial.code and "87005" in partial.code
    assert partial.name == "Limoges Métropole, communes membres hors Limoges"


def test_several_excluded_communes_are_named_in_alphabetical_order(limoges):
    ctg = limoges.create(excluded_communes=[limoges["Boisseuil"], limoges["Aureil"]])

    assert ctg.territory_name == "Limoges Métropole, communes membres hors Aureil et Boisseuil"
    whole = limoges.create(title="Autre", start_year=2030, end_year=2031)
    assert whole.territory_name == "Limoges Métropole" and whole.covers_whole_epci


def test_a_renewal_keeps_the_excluded_communes(limoges):
    ctg = limoges.create(excluded_communes=[limoges["Limoges"]])
    Ctg.objects.filter(pk=ctg.pk).update(phase=Phase.EVALUATION)

    new = services.ctg_renew(ctg=ctg, actor=limoges.adviser)

    assert new.territory_name == "Limoges Métropole, communes membres hors Limoges"
    assert limoges["Limoges"] not in new.communes.all()


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        # The bug of the real case: an EPCI and a list of 19 of its communes; the list was dropped.
        (lambda t: {"communes": [t["Aureil"], t["Panazol"]]}, "communes", "pas les deux"),
        (lambda t: {"excluded_communes": [CommuneFactory(name="Albi")]}, "excluded_communes", "Albi"),
        (
            lambda t: {"excluded_communes": list(t.communes.values())},
            "excluded_communes",
            "Toutes les communes",
        ),
        (lambda t: {"epci": None, "excluded_communes": [t["Limoges"]]}, "excluded_communes", "que d'un EPCI"),
        (lambda t: {"epci": None}, "communes", "Choisissez un EPCI ou au moins une commune"),
    ],
    ids=["epci-and-list", "excluded-outside", "all-excluded", "excluded-without-epci", "nothing"],
)
def test_an_ambiguous_territory_is_refused_and_nothing_is_created(limoges, arguments, field, message):
    before = (Ctg.objects.count(), HistoryEntry.objects.count(), Organisation.objects.count())

    with pytest.raises(ValidationError) as error:
        limoges.create(**arguments(limoges))

    assert message in " ".join(error.value.message_dict[field])
    assert (Ctg.objects.count(), HistoryEntry.objects.count(), Organisation.objects.count()) == before


# --- the creation form ----------------------------------------------------------------------------------


def _create_data(limoges, **values):
    data = {
        "title": "CTG Limoges Métropole 2023-2026",
        "caf": limoges.caf.pk,
        "territory_type": "epci",
        "epci": limoges.epci.pk,
        "excluded_codes": "",
        "commune_codes": "",
        "start_year": 2023,
        "end_year": 2026,
        "fields": ["petite_enfance"],
    }
    data.update(values)
    return data


def test_the_form_creates_an_epci_minus_a_commune_named_or_coded(client, limoges):
    client.force_login(limoges.adviser)
    page = client.get(reverse("conventions:create")).content.decode()
    assert "Tout l&#x27;EPCI" in page and "L&#x27;EPCI sauf certaines communes" in page
    assert "Une liste de communes" in page

    response = client.post(
        reverse("conventions:create"),
        _create_data(limoges, territory_type="epci_except", excluded_codes="limoges, 87019"),
    )

    ctg = Ctg.objects.get()
    assert response.status_code == 302
    assert ctg.territory_name == "Limoges Métropole, communes membres hors Boisseuil et Limoges"
    home = client.get(reverse("conventions:detail", args=[ctg.pk])).content.decode()
    assert "communes membres hors Boisseuil, Limoges" in home


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"commune_codes": "87005 87019"}, "Vous avez choisi « Tout l&#x27;EPCI » et saisi une liste"),
        ({"excluded_codes": "Limoges"}, "pour exclure des communes, choisissez"),
        ({"territory_type": "epci_except"}, "Indiquez au moins une commune à exclure"),
        ({"territory_type": "epci_except", "excluded_codes": "Albi"}, "« Albi » n&#x27;est pas une commune"),
        (
            {"territory_type": "epci_except", "excluded_codes": "87085", "commune_codes": "87005"},
            "pas une liste de communes",
        ),
        (
            {
                "territory_type": "epci_except",
                "excluded_codes": "Limoges, Aureil, Boisseuil, Le Vigen, Panazol, Feytiat",
            },
            "Toutes les communes de l&#x27;EPCI sont exclues",
        ),
        (
            {"territory_type": "communes", "commune_codes": "87005"},
            "Vous avez choisi « Une liste de communes »",
        ),
        ({"territory_type": "communes", "epci": ""}, "Indiquez au moins un code Insee"),
        ({"territory_type": ""}, "Choisissez le territoire"),
        ({"territory_type": "epci", "epci": ""}, "Choisissez une intercommunalité"),
    ],
    ids=[
        "whole-with-list",
        "whole-with-exclusions",
        "except-without-exclusions",
        "except-outside",
        "except-with-list",
        "except-all",
        "list-with-epci",
        "empty-list",
        "no-choice",
        "whole-without-epci",
    ],
)
def test_an_ambiguous_form_is_refused_with_its_reason_and_nothing_is_created(
    client, limoges, values, message
):
    client.force_login(limoges.adviser)

    response = client.post(reverse("conventions:create"), _create_data(limoges, **values))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Ctg.objects.exists()
    assert not HistoryEntry.objects.exists()


# --- overlap on the communes ----------------------------------------------------------------------------


def test_a_list_of_communes_already_covered_by_an_epci_dossier_is_refused_with_names(limoges):
    limoges.create()
    names = ["Aureil", "Boisseuil", "Le Vigen", "Panazol", "Feytiat"]

    with pytest.raises(ValidationError) as error:
        limoges.create(title="Doublon", epci=None, communes=[limoges[n] for n in names], start_year=2025)

    message = " ".join(error.value.messages)
    assert "« CTG Limoges Métropole 2023-2026 » (2023-2026)" in message
    assert "5 communes (Aureil, Boisseuil, Feytiat et 2 autres)" in message
    assert "chevauche 2025-2026" in message
    assert Ctg.objects.count() == 1


def test_one_shared_commune_is_named_with_its_article(limoges):
    limoges.create(epci=None, communes=[limoges["Le Vigen"]])

    with pytest.raises(ValidationError, match="couvre déjà la commune du Vigen"):
        limoges.create(title="Autre", excluded_communes=[limoges["Limoges"]])


def test_dossiers_on_disjoint_communes_or_disjoint_periods_coexist(limoges):
    limoges.create(excluded_communes=[limoges["Limoges"]])
    limoges.create(title="CTG Limoges", epci=None, communes=[limoges["Limoges"]])
    limoges.create(title="CTG suivante", start_year=2027, end_year=2030)

    assert Ctg.objects.count() == 3


def test_a_period_change_into_another_dossier_is_refused(limoges):
    limoges.create(epci=None, communes=[limoges["Aureil"]], start_year=2027, end_year=2030)
    ctg = limoges.create(title="CTG 2023-2026", excluded_communes=[limoges["Limoges"]], end_year=2025)

    with pytest.raises(ValidationError, match="la commune d'Aureil"):
        services.ctg_update(ctg=ctg, actor=limoges.adviser, end_year=2027)

    ctg.refresh_from_db()
    assert ctg.end_year == 2025


# --- correction of the territory ------------------------------------------------------------------------


def test_the_territory_is_corrected_from_the_whole_epci_to_the_epci_minus_limoges(client, limoges):
    ctg = limoges.create()
    client.force_login(limoges.adviser)
    url = reverse("conventions:territory", args=[ctg.pk])
    page = client.get(url).content.decode()
    assert "Modifier le territoire" in page and 'value="epci" checked' in page.replace("\n", " ") or page

    response = client.post(
        url, {"territory_type": "epci_except", "epci": limoges.epci.pk, "excluded_codes": "87085"}
    )

    assert response.status_code == 302
    ctg.refresh_from_db()
    assert ctg.territory_name == "Limoges Métropole, communes membres hors Limoges"
    assert limoges["Limoges"] not in ctg.communes.all()
    entry = HistoryEntry.objects.filter(ctg=ctg, action=Action.DOSSIER_UPDATE).latest("pk")
    assert entry.actor == limoges.adviser
    assert entry.changes == {
        "territory": ["Limoges Métropole", "Limoges Métropole, communes membres hors Limoges"]
    }
    assert "Territoire modifié : Limoges Métropole → Limoges Métropole, communes membres hors Limoges" in (
        entry.summary
    )
    # The form shows the correction as it stands.
    page = client.get(url).content.decode()
    assert 'value="Limoges"' in page


def test_a_territory_correction_to_a_list_of_communes(limoges):
    ctg = limoges.create(excluded_communes=[limoges["Limoges"]])

    services.ctg_territory_update(
        ctg=ctg, actor=limoges.adviser, communes=[limoges["Aureil"], limoges["Le Vigen"]]
    )

    ctg.refresh_from_db()
    assert ctg.epci is None and not ctg.excluded_communes.exists()
    assert ctg.territory_name == "Aureil, Le Vigen"
    assert ctg.territory_of == "des communes d'Aureil et du Vigen"


def _state(ctg):
    ctg.refresh_from_db()
    return (
        ctg.epci_id,
        sorted(ctg.communes.values_list("pk", flat=True)),
        sorted(ctg.excluded_communes.values_list("pk", flat=True)),
        ctg.territory_key,
        HistoryEntry.objects.filter(ctg=ctg).count(),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"territory_type": "epci", "commune_codes": "87005"}, "et saisi une liste"),
        ({"territory_type": "epci_except", "excluded_codes": "Albi"}, "n&#x27;est pas une commune membre"),
        ({"territory_type": "epci_except", "excluded_codes": "99999"}, "Code Insee inconnu : 99999."),
        ({"territory_type": "communes", "epci": "", "commune_codes": "8708"}, "Code Insee mal formé"),
        ({"territory_type": "communes", "epci": "", "commune_codes": "87999"}, "Commune inconnue"),
        ({}, "Choisissez le territoire"),
    ],
    ids=["whole-with-list", "outside-name", "unknown-code", "malformed", "unknown-commune", "nothing"],
)
def test_a_bad_territory_correction_changes_nothing(client, limoges, data, message):
    ctg = limoges.create()
    before = _state(ctg)
    client.force_login(limoges.adviser)
    posted = {"epci": limoges.epci.pk, **data} if data else {}

    response = client.post(reverse("conventions:territory", args=[ctg.pk]), posted)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state(ctg) == before


def test_a_territory_correction_onto_another_dossier_is_refused(limoges):
    limoges.create(epci=None, communes=[limoges["Limoges"]])
    ctg = limoges.create(title="CTG des communes", excluded_communes=[limoges["Limoges"]])
    before = _state(ctg)

    with pytest.raises(ValidationError, match="couvre déjà la commune de Limoges"):
        services.ctg_territory_update(ctg=ctg, actor=limoges.adviser, epci=limoges.epci)

    assert _state(ctg) == before


def test_the_territory_is_not_corrected_once_signed(client, limoges):
    ctg = limoges.create()
    SignatoryFactory(ctg=ctg, organisation=limoges.caf, signed_on=datetime.date(2022, 11, 21))
    before = _state(ctg)
    client.force_login(limoges.adviser)
    url = reverse("conventions:territory", args=[ctg.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url, {"territory_type": "epci_except", "epci": limoges.epci.pk, "excluded_codes": "87085"}
    )

    assert "ne se modifie plus que par avenant" in page and "Enregistrer le territoire" not in page
    assert response.status_code == 400
    assert "ne se modifie plus que par avenant" in response.content.decode()
    assert _state(ctg) == before


def test_a_commune_followed_by_a_referent_does_not_leave_silently(limoges):
    ctg = limoges.create()
    referent = MembershipFactory(ctg=ctg, user=UserFactory(), role=Role.REFERENT_COMMUNAL)
    referent.communes.set([limoges["Limoges"]])
    before = _state(ctg)

    with pytest.raises(ValidationError, match="suit Limoges"):
        services.ctg_territory_update(
            ctg=ctg, actor=limoges.adviser, epci=limoges.epci, excluded_communes=[limoges["Limoges"]]
        )

    assert _state(ctg) == before


def test_a_commune_named_by_a_fiche_action_does_not_leave_silently(limoges):
    ctg = limoges.create()
    fiche = FicheFactory(ctg=ctg)
    fiche.communes.set([limoges["Limoges"]])
    before = _state(ctg)

    with pytest.raises(ValidationError, match="Des fiches actions portent sur Limoges"):
        services.ctg_territory_update(
            ctg=ctg, actor=limoges.adviser, epci=limoges.epci, excluded_communes=[limoges["Limoges"]]
        )

    assert _state(ctg) == before


# --- deletion -------------------------------------------------------------------------------------------


def test_the_caf_deletes_a_dossier_in_preparation_and_nothing_else(client, limoges):
    ctg = limoges.create(excluded_communes=[limoges["Limoges"]])
    coordinator = UserFactory(email="coordination@limoges-metropole.fr")
    MembershipFactory(ctg=ctg, user=coordinator, role=Role.COORDINATION)
    MilestoneFactory(ctg=ctg)
    organisations, users = Organisation.objects.count(), type(coordinator).objects.count()
    communes, epcis = Commune.objects.count(), Epci.objects.count()
    client.force_login(limoges.adviser)
    url = reverse("conventions:delete", args=[ctg.pk])

    page = client.get(url).content.decode()
    assert "Supprimer le dossier « CTG Limoges Métropole 2023-2026 » ?" in page
    assert "membres : 1" in page and "jalons : 1" in page
    response = client.post(url)

    assert response.status_code == 302 and response.url == reverse("conventions:list")
    assert not Ctg.objects.filter(pk=ctg.pk).exists()
    assert not Membership.objects.exists() and not Milestone.objects.exists()
    assert not HistoryEntry.objects.filter(ctg_id=ctg.pk).exists()
    assert (Organisation.objects.count(), type(coordinator).objects.count()) == (organisations, users)
    assert (Commune.objects.count(), Epci.objects.count()) == (communes, epcis)
    log = LogEntry.objects.get(action_flag=DELETION, object_id=str(ctg.pk))
    assert log.user == limoges.adviser
    assert (
        "CTG Limoges Métropole 2023-2026" in log.change_message
        and "2023-2026" in log.object_repr + log.change_message
    )


def test_a_dossier_past_preparation_is_not_deleted(client, limoges):
    ctg = limoges.create()
    Ctg.objects.filter(pk=ctg.pk).update(phase=Phase.DIAGNOSTIC)
    client.force_login(limoges.adviser)
    url = reverse("conventions:delete", args=[ctg.pk])

    assert "Seul un dossier en préparation peut être supprimé" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 400
    assert Ctg.objects.filter(pk=ctg.pk).exists()
    assert not LogEntry.objects.exists()


def test_only_a_person_of_the_dossiers_caf_deletes_it(client, limoges):
    ctg = limoges.create()
    # A pilot by membership who is not of the CAF, and the coordination: refused.
    pilot = UserFactory(organisation=OrganisationFactory(kind=Organisation.Kind.EPCI, epci=limoges.epci))
    MembershipFactory(ctg=ctg, user=pilot, role=Role.PILOTE_CAF)
    coordinator = UserFactory()
    MembershipFactory(ctg=ctg, user=coordinator, role=Role.COORDINATION)
    url = reverse("conventions:delete", args=[ctg.pk])

    for person in (pilot, coordinator):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403

    assert Ctg.objects.filter(pk=ctg.pk).exists()


def test_whole_epci_dossier_unchanged_by_the_factory_world(world):
    """The dossiers of the test world (whole EPCIs) read as before."""
    assert world.ctg.territory_name == "CC du Test"
    assert world.ctg.covers_whole_epci
    assert CtgFactory(epci=None, communes=[CommuneFactory(name="Albi")]).territory_name == "Albi"
