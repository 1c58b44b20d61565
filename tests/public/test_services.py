"""Services of the public page: options, publication and withdrawal — who may (Op.PUBLISH), what the history
records, the readable and stable address, and every refusal leaving things as they were."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctg.core.models import Action, HistoryEntry
from ctg.public import services
from ctg.public.models import Publication
from tests.factories import CommuneFactory, CtgFactory, EpciFactory


def _history(ctg):
    return list(HistoryEntry.objects.filter(ctg=ctg, action=Action.PUBLICATION).order_by("id"))


def test_publish_records_who_and_when_and_writes_the_history(world):
    actor = world.users["coordination"]
    publication = services.publish(ctg=world.ctg, actor=actor)
    publication.refresh_from_db()
    assert publication.published and publication.published_by == actor
    assert publication.published_at is not None and publication.withdrawn_at is None
    assert publication.slug == "cc-du-test-2025-2028"
    # Defaults: no budget; pilots, key figures and progress shown.
    assert not publication.show_budgets
    assert publication.show_pilots and publication.show_key_figures and publication.show_progress
    prepared, published = _history(world.ctg)
    assert prepared.labelled_changes == {"adresse de la page publique": ["", "cc-du-test-2025-2028"]}
    assert published.actor == actor and published.item_type == "publication"
    assert published.labelled_changes == {"publiée": ["non", "oui"]}
    assert "cc-du-test-2025-2028" in published.summary


def test_withdraw_then_publish_again_keeps_the_address(world):
    pilot = world.users["pilote_caf"]
    services.publish(ctg=world.ctg, actor=pilot)
    withdrawn = services.withdraw(ctg=world.ctg, actor=world.users["coordination"])
    assert not withdrawn.published and withdrawn.withdrawn_at is not None
    assert _history(world.ctg)[-1].summary == "Page publique retirée"
    again = services.publish(ctg=world.ctg, actor=pilot)
    assert again.published and again.withdrawn_at is None and again.slug == "cc-du-test-2025-2028"
    assert Publication.objects.count() == 1
    assert len(_history(world.ctg)) == 4  # prepared, published, withdrawn, published


def test_publication_set_records_each_changed_option(world):
    actor = world.users["pilote_caf"]
    services.publication_set(
        ctg=world.ctg,
        actor=actor,
        show_budgets=True,
        show_pilots=True,
        show_key_figures=False,
        show_progress=True,
        introduction="  La CTG du Test\u0007 pour les familles. ",
        contact_email="ctg@cc-du-test.fr",
    )
    publication = Publication.objects.get(ctg=world.ctg)
    assert publication.introduction == "La CTG du Test pour les familles."
    assert not publication.published  # choosing is not publishing
    entry = _history(world.ctg)[-1]
    assert entry.labelled_changes == {
        "budget des fiches action": ["non", "oui"],
        "chiffres clés du diagnostic": ["oui", "non"],
        "texte d'introduction": ["", "La CTG du Test pour les familles."],
        "adresse de contact": ["", "ctg@cc-du-test.fr"],
    }
    count = HistoryEntry.objects.count()
    services.publication_set(
        ctg=world.ctg,
        actor=actor,
        show_budgets=True,
        show_key_figures=False,
        introduction="La CTG du Test pour les familles.",
        contact_email="ctg@cc-du-test.fr",
    )
    assert HistoryEntry.objects.count() == count  # nothing changed, nothing recorded


@pytest.mark.parametrize("role", ["referent_communal", "partenaire", "lecture", "other_member", "other_caf"])
def test_only_the_caf_pilot_and_the_coordination_publish(world, role):
    person = world.users[role]
    for call in (services.publish, services.withdraw):
        with pytest.raises(PermissionDenied):
            call(ctg=world.ctg, actor=person)
    with pytest.raises(PermissionDenied):
        services.publication_set(ctg=world.ctg, actor=person, show_budgets=True)
    assert not Publication.objects.exists() and not _history(world.ctg)


def test_no_author_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.publish(ctg=world.ctg, actor=None)
    assert not Publication.objects.exists()


def test_refusals_change_nothing(world):
    pilot = world.users["pilote_caf"]
    with pytest.raises(ValidationError, match="n'est pas publiée"):
        services.withdraw(ctg=world.ctg, actor=pilot)
    services.publish(ctg=world.ctg, actor=pilot)
    count = HistoryEntry.objects.count()
    with pytest.raises(ValidationError, match="déjà publiée"):
        services.publish(ctg=world.ctg, actor=pilot)
    with pytest.raises(ValidationError) as error:
        services.publication_set(
            ctg=world.ctg, actor=pilot, contact_email="pas une adresse", introduction="x" * 3001
        )
    assert set(error.value.message_dict) == {"contact_email", "introduction"}
    publication = Publication.objects.get(ctg=world.ctg)
    assert publication.contact_email == "" and publication.introduction == ""
    assert HistoryEntry.objects.count() == count


def test_the_address_is_readable_and_unique(world, db):
    assert services.slug_base(world.ctg) == "cc-du-test-2025-2028"
    services.publish(ctg=world.ctg, actor=world.users["pilote_caf"])
    # Another dossier on a territory of the same name and period gets « -2 ».
    twin = CtgFactory(caf=world.ctg.caf, epci=EpciFactory(name="CC du Test"))
    assert services.unique_slug(twin) == "cc-du-test-2025-2028-2"
    # Apostrophes split words; a long list of communes is cut at a word.
    albigeois = CtgFactory(caf=world.ctg.caf, epci=EpciFactory(name="CA de l'Albigeois"), start_year=2023)
    albigeois.end_year = 2026
    assert services.slug_base(albigeois) == "ca-de-l-albigeois-2023-2026"
    communes = [CommuneFactory(name=f"Saint-Exemple-sur-Rivière {i}") for i in range(8)]
    listed = CtgFactory(caf=world.ctg.caf, epci=None, communes=communes)
    slug = services.slug_base(listed)
    assert len(slug) <= services.SLUG_LENGTH and slug.endswith("-2025-2028")
    assert "--" not in slug
