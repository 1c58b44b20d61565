"""An enjeu cites rows of « Besoins et offre » as evidence (issue 12, item 6): what the editors cite is kept
as computed that day (figures with their status and source), recorded in the dossier's history, and shown
on the enjeu's page beside today's figure when the inventory has changed since. Refused input changes
nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ctg.core.models import HistoryEntry
from ctg.diagnostics.portrait import territory_of_ctg
from ctg.offer.services import structure_create
from ctg.organisations.permissions import Role
from ctg.plans.models import Enjeu
from ctg.plans.services import evidence
from tests.plans.factories import EnjeuFactory

PAYLOAD = "<script>alert('constat')</script>"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordination(world):
    return _client(world.users[Role.COORDINATION])


@pytest.fixture
def enjeu(world):
    return EnjeuFactory(ctg=world.ctg, title="Accès aux modes d'accueil")


def _creche(world, places, name="Micro-crèche du bourg", source="saisie", commune=0):
    values = {
        "type": "eaje_micro_creche",
        "name": name,
        "commune": world.ctg.communes.order_by("code")[commune],
        "capacity": places,
        "source": source,
    }
    return structure_create(actor=None, values=values)


def _url(name, world, enjeu_pk):
    return reverse(f"plans:{name}", kwargs={"pk": world.ctg.pk, "enjeu_pk": enjeu_pk})


def _cite(client, world, enjeu_pk, field="petite_enfance", territory=None):
    territory = territory_of_ctg(world.ctg).code if territory is None else territory
    return client.post(
        _url("enjeu_evidence_cite", world, enjeu_pk),
        {"constat-field": field, "constat-territory": territory},
    )


def _figure(citation, label):
    return next(f for f in citation["figures"] if f["label"] == label)


def _state(enjeu):
    """What a refused request must leave as it was: the citations and the dossier's history."""
    enjeu.refresh_from_db()
    return enjeu.needs_evidence, HistoryEntry.objects.count()


def test_an_editor_cites_a_row_kept_as_computed_with_its_history(world, coordination, enjeu):
    _creche(world, 12)
    response = _cite(coordination, world, enjeu.pk)
    assert response.status_code == 302
    assert response.url.endswith("#constats-chiffres")
    enjeu.refresh_from_db()
    [citation] = enjeu.needs_evidence
    territory = territory_of_ctg(world.ctg)
    assert citation["field"] == "petite_enfance"
    assert citation["territory"] == territory.code
    assert citation["territory_name"] == territory.name == world.ctg.epci.name
    assert citation["computed_on"] == datetime.date.today().isoformat()
    structures = _figure(citation, "Structures ouvertes")
    assert (structures["value"], structures["text"], structures["status"]) == (1, "1", "ok")
    assert structures["source"].startswith("Inventaire de l'offre de services")
    assert structures["group"] == "offer"
    assert _figure(citation, "Places")["value"] == 12
    # The demand figures of the portrait are kept too, with their status (no data loaded here).
    demand = [f for f in citation["figures"] if f["group"] == "demand"]
    assert demand and all(f["status"] == "non_disponible" and f["text"] == "non disponible" for f in demand)
    assert [f for f in citation["figures"] if f["group"] == "rate"]
    entry = HistoryEntry.objects.latest("id")
    assert entry.actor == world.users[Role.COORDINATION]
    assert (entry.item_type, entry.item_id) == ("enjeu", enjeu.pk)
    assert entry.summary == (
        "Constat chiffré de l'offre cité pour l'enjeu « Accès aux modes d'accueil » : "
        f"Petite enfance (0-3 ans) — {territory.name}"
    )
    assert entry.changes == {"needs_evidence": ["", f"Petite enfance (0-3 ans) — {territory.name}"]}


def test_a_commune_of_the_dossier_may_be_cited(world, coordination, enjeu):
    commune = world.ctg.communes.order_by("code")[1]
    _creche(world, 12, commune=0)
    assert _cite(coordination, world, enjeu.pk, field="jeunesse", territory=commune.code).status_code == 302
    enjeu.refresh_from_db()
    [citation] = enjeu.needs_evidence
    assert (citation["territory"], citation["territory_kind"]) == (commune.code, "commune")
    assert citation["territory_name"] == commune.name
    # The crèche is in another commune: not counted in this commune's row.
    assert _figure(citation, "Structures ouvertes")["value"] == 0


def test_the_page_shows_the_cited_figure_and_the_current_one_when_it_changed(world, coordination, enjeu):
    _creche(world, 12)
    _cite(coordination, world, enjeu.pk)
    _creche(world, 10, name="Multi-accueil des Tilleuls")
    reader = _client(world.users[Role.LECTURE])
    response = reader.get(_url("enjeu_detail", world, enjeu.pk))
    assert response.status_code == 200
    [compared] = response.context["citations"]
    assert compared["changed"]
    places = next(f for f in compared["figures"] if f.cited["label"] == "Places")
    assert places.cited["text"] == "12"
    assert places.current["text"] == "22"
    unchanged = next(f for f in compared["figures"] if f.cited["group"] == "demand")
    assert unchanged.current is None
    page = response.content.decode()
    assert "Constats chiffrés de l'offre" in page
    assert "a changé depuis :</strong> 22 places" in page
    assert "inchangé" in page
    # A reader sees no form to cite or remove.
    assert "Citer ce constat" not in page and "Retirer" not in page
    assert "Citer ce constat" in coordination.get(_url("enjeu_detail", world, enjeu.pk)).content.decode()


def test_nothing_changed_means_no_current_figure(world, enjeu):
    _creche(world, 12)
    evidence.evidence_cite(enjeu=enjeu, actor=None, field="petite_enfance", territory=world.ctg.epci_id)
    [compared] = evidence.compare(world.ctg, enjeu.needs_evidence)
    assert not compared["changed"]
    assert all(f.current is None and not f.gone for f in compared["figures"])


def test_an_editor_removes_a_citation_with_its_history(world, coordination, enjeu):
    evidence.evidence_cite(enjeu=enjeu, actor=None, field="petite_enfance", territory=world.ctg.epci_id)
    evidence.evidence_cite(enjeu=enjeu, actor=None, field="jeunesse", territory=world.ctg.epci_id)
    response = coordination.post(
        _url("enjeu_evidence_remove", world, enjeu.pk),
        {"field": "petite_enfance", "territory": world.ctg.epci_id},
    )
    assert response.status_code == 302
    enjeu.refresh_from_db()
    assert [c["field"] for c in enjeu.needs_evidence] == ["jeunesse"]
    entry = HistoryEntry.objects.latest("id")
    assert entry.actor == world.users[Role.COORDINATION]
    assert entry.summary.startswith(
        "Constat chiffré de l'offre retiré de l'enjeu « Accès aux modes d'accueil »"
    )


# --- refused input: nothing changes ---------------------------------------------------------------------


def _other_territories(world):
    return [world.other_ctg.epci_id, world.other_ctg.communes.first().code, "81", ""]


@pytest.mark.parametrize("field", ["inconnu", "seniors", "", "<script>"])
def test_an_unknown_field_is_refused(world, coordination, enjeu, field):
    before = _state(enjeu)
    response = _cite(coordination, world, enjeu.pk, field=field)
    assert response.status_code == 400
    assert _state(enjeu) == before
    with pytest.raises(ValidationError, match="Champ d'intervention inconnu"):
        evidence.evidence_cite(enjeu=enjeu, actor=None, field=field, territory=world.ctg.epci_id)
    assert _state(enjeu) == before


def test_another_dossiers_territory_is_refused(world, coordination, enjeu):
    before = _state(enjeu)
    for code in _other_territories(world):
        assert _cite(coordination, world, enjeu.pk, territory=code).status_code == 400, code
        with pytest.raises(ValidationError, match="ni celui du dossier ni l'une de ses communes"):
            evidence.evidence_cite(enjeu=enjeu, actor=None, field="petite_enfance", territory=code)
    assert _state(enjeu) == before


def test_another_dossiers_enjeu_is_not_found(world, coordination, enjeu):
    other = EnjeuFactory(ctg=world.other_ctg, title="Enjeu voisin")
    evidence.evidence_cite(enjeu=other, actor=None, field="jeunesse", territory=world.other_ctg.epci_id)
    before, other_before = _state(enjeu), _state(other)
    assert coordination.get(_url("enjeu_detail", world, other.pk)).status_code == 404
    assert _cite(coordination, world, other.pk).status_code == 404
    response = coordination.post(
        _url("enjeu_evidence_remove", world, other.pk),
        {"field": "jeunesse", "territory": world.other_ctg.epci_id},
    )
    assert response.status_code == 404
    assert _state(enjeu) == before and _state(other) == other_before


def test_a_row_cited_twice_is_refused(world, coordination, enjeu):
    assert _cite(coordination, world, enjeu.pk).status_code == 302
    before = _state(enjeu)
    response = _cite(coordination, world, enjeu.pk)
    assert response.status_code == 400
    assert "Ce constat est déjà cité pour cet enjeu" in response.content.decode()
    assert _state(enjeu) == before


def test_removing_a_row_not_cited_changes_nothing(world, coordination, enjeu):
    evidence.evidence_cite(enjeu=enjeu, actor=None, field="jeunesse", territory=world.ctg.epci_id)
    before = _state(enjeu)
    response = coordination.post(
        _url("enjeu_evidence_remove", world, enjeu.pk),
        {"field": "petite_enfance", "territory": world.ctg.epci_id},
    )
    assert response.status_code == 302
    assert _state(enjeu) == before
    page = coordination.get(response.url).content.decode()
    assert "n&#x27;est pas cité pour cet enjeu" in page


def test_get_on_the_post_only_urls_is_refused(world, coordination, enjeu):
    before = _state(enjeu)
    for name in ("enjeu_evidence_cite", "enjeu_evidence_remove"):
        url = _url(name, world, enjeu.pk)
        query = f"?constat-field=petite_enfance&constat-territory={world.ctg.epci_id}"
        assert coordination.get(url + query).status_code == 405
    assert _state(enjeu) == before


def test_a_reader_may_not_cite_nor_remove(world, enjeu):
    evidence.evidence_cite(enjeu=enjeu, actor=None, field="jeunesse", territory=world.ctg.epci_id)
    before = _state(enjeu)
    reader = _client(world.users[Role.LECTURE])
    assert _cite(reader, world, enjeu.pk).status_code == 403
    response = reader.post(
        _url("enjeu_evidence_remove", world, enjeu.pk), {"field": "jeunesse", "territory": world.ctg.epci_id}
    )
    assert response.status_code == 403
    assert _state(enjeu) == before


# --- escaping -----------------------------------------------------------------------------------------


def test_every_text_of_a_citation_is_escaped(world, coordination):
    world.ctg.epci.name = PAYLOAD
    world.ctg.epci.save()
    enjeu = EnjeuFactory(ctg=world.ctg, title=PAYLOAD, description=PAYLOAD)
    _creche(world, 12, name=PAYLOAD, source=PAYLOAD)
    assert _cite(coordination, world, enjeu.pk).status_code == 302
    enjeu.refresh_from_db()
    [citation] = enjeu.needs_evidence
    assert citation["territory_name"] == PAYLOAD
    assert PAYLOAD in _figure(citation, "Structures ouvertes")["source"]
    # A snapshot whose every text is a payload (as a tampered import could write it).
    tampered = {
        **citation,
        "field": "jeunesse",
        "figures": [
            {**f, "label": PAYLOAD, "text": PAYLOAD, "unit": PAYLOAD, "source": PAYLOAD, "caveat": PAYLOAD}
            for f in citation["figures"]
        ],
    }
    Enjeu.objects.filter(pk=enjeu.pk).update(needs_evidence=[citation, tampered])
    for user in (Role.COORDINATION, Role.LECTURE):
        page = _client(world.users[user]).get(_url("enjeu_detail", world, enjeu.pk)).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;constat&#x27;)&lt;/script&gt;" in page
    tree = coordination.get(reverse("plans:tree", kwargs={"pk": world.ctg.pk})).content.decode()
    assert "Constats chiffrés de l'offre : 2 cités" in tree
    assert "<script>alert" not in tree


def test_the_tree_and_the_enjeu_form_lead_to_the_enjeu_page(world, coordination, enjeu):
    evidence.evidence_cite(enjeu=enjeu, actor=None, field="jeunesse", territory=world.ctg.epci_id)
    target = f"{_url('enjeu_detail', world, enjeu.pk)}#constats-chiffres"
    tree = coordination.get(reverse("plans:tree", kwargs={"pk": world.ctg.pk})).content.decode()
    assert f'href="{target}"' in tree and "Constats chiffrés de l'offre : 1 cité<" in tree
    form = coordination.get(_url("enjeu_edit", world, enjeu.pk)).content.decode()
    assert f'href="{target}"' in form
