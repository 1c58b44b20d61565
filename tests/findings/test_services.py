"""The findings' services: history written, every refusal leaving the data unchanged."""

import pytest
from django.core.exceptions import ValidationError

from ctg.core.models import Action, HistoryEntry
from ctg.findings import selectors, services
from ctg.findings.models import Finding

pytestmark = pytest.mark.django_db


def _values(**extra):
    values = {
        "kind": "besoin",
        "title": "Manque de places d'accueil du jeune enfant",
        "evidence": "42 places pour 100 enfants",
        "fields": ["petite_enfance"],
        "public": "familles monoparentales",
        "source_kind": "saisie",
        "weight": 3,
    }
    values.update(extra)
    return values


def test_create_writes_the_finding_and_its_history(world):
    actor = world.users["coordination"]
    commune = world.ctg.communes.first()
    finding = services.finding_create(
        ctg=world.ctg, actor=actor, values=_values(title="  Manque\tde places ", communes=[commune])
    )
    assert finding.title == "Manque de places"
    assert list(finding.communes.all()) == [commune]
    assert finding.created_by == actor
    entry = HistoryEntry.objects.get(ctg=world.ctg, action=Action.FINDING)
    assert entry.item_id == finding.pk and entry.item_type == "finding"
    assert entry.summary == "Constat ajouté : Manque de places"
    assert "constat" in entry.labelled_changes
    assert entry.labelled_changes["communes concernées"][1] == str(commune)


def test_the_contract_of_the_upper_apps(world):
    """The call the ateliers and questionnaires make (the brief's example)."""
    finding = services.finding_create(
        ctg=world.ctg,
        actor=world.users["pilote_caf"],
        values={
            "kind": "besoin",
            "title": "Horaires des crèches",
            "evidence": "« Pas de crèche après 18 h »",
            "fields": ["petite_enfance"],
            "communes": list(world.ctg.communes.all()[:2]),
            "public": "parents",
            "source_kind": "atelier",
            "source_type": "ateliers.atelier",
            "source_id": 12,
            "source_label": "Atelier « Petite enfance » du 23 mai 2024",
            "weight": 2,
        },
    )
    assert (finding.source_type, finding.source_id) == ("ateliers.atelier", 12)
    assert finding.communes.count() == 2
    # Without a resolver, the label without link; with one, the resolver's answer.
    assert selectors.source_url(finding) == ("Atelier « Petite enfance » du 23 mai 2024", "")
    selectors.register_source("ateliers.atelier", lambda f: ("Atelier du 23 mai", f"/atelier/{f.source_id}/"))
    try:
        assert selectors.source_url(finding) == ("Atelier du 23 mai", "/atelier/12/")
    finally:
        selectors._RESOLVERS.pop("ateliers.atelier")


def test_update_records_the_changed_fields_only(world):
    actor = world.users["coordination"]
    finding = services.finding_create(ctg=world.ctg, actor=actor, values=_values())
    services.finding_update(finding=finding, actor=actor, values={"kind": "faiblesse", "weight": 3})
    finding.refresh_from_db()
    assert finding.kind == "faiblesse"
    entry = HistoryEntry.objects.filter(action=Action.FINDING).latest("pk")
    assert set(entry.changes) == {"kind"}
    assert entry.summary.startswith("Constat modifié")
    count = HistoryEntry.objects.count()
    services.finding_update(finding=finding, actor=actor, values={"weight": 3, "fields": ["petite_enfance"]})
    assert HistoryEntry.objects.count() == count


def test_delete_keeps_the_title_in_history(world):
    actor = world.users["coordination"]
    finding = services.finding_create(ctg=world.ctg, actor=actor, values=_values())
    services.finding_delete(finding=finding, actor=actor)
    assert not Finding.objects.exists()
    entry = HistoryEntry.objects.filter(action=Action.FINDING).latest("pk")
    assert entry.summary == "Constat supprimé : Manque de places d'accueil du jeune enfant"


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ({"fields": ["cuisine"]}, "fields"),
        ({"source_kind": "indicateur", "source_ref": "pas_un_indicateur"}, "source_ref"),
        ({"source_kind": "offre", "source_ref": "cuisine"}, "source_ref"),
        ({"title": "x" * 301}, "title"),
        ({"title": "  "}, "title"),
        ({"kind": "opinion"}, "kind"),
        ({"weight": 4}, "weight"),
        ({"source_type": "ateliers"}, "source_type"),
        ({"source_type": "ateliers.atelier"}, "source_id"),
    ],
)
def test_refusals_write_nothing(world, extra, key):
    actor = world.users["coordination"]
    with pytest.raises(ValidationError) as refusal:
        services.finding_create(ctg=world.ctg, actor=actor, values=_values(**extra))
    assert key in refusal.value.message_dict
    assert not Finding.objects.exists()
    assert not HistoryEntry.objects.filter(action=Action.FINDING).exists()


def test_a_commune_outside_the_territory_is_refused(world):
    actor = world.users["coordination"]
    outside = world.other_ctg.communes.first()
    with pytest.raises(ValidationError) as refusal:
        services.finding_create(ctg=world.ctg, actor=actor, values=_values(communes=[outside]))
    assert "hors du territoire" in refusal.value.message_dict["communes"][0]
    finding = services.finding_create(ctg=world.ctg, actor=actor, values=_values())
    with pytest.raises(ValidationError):
        services.finding_update(finding=finding, actor=actor, values={"communes": [outside], "weight": 1})
    finding.refresh_from_db()
    assert finding.weight == 3 and not finding.communes.exists()


def test_a_known_indicator_is_accepted(world):
    finding = services.finding_create(
        ctg=world.ctg,
        actor=world.users["coordination"],
        values=_values(source_kind="indicateur", source_ref="taux_pauvrete"),
    )
    label, url = selectors.source_url(finding)
    assert url == f"/portrait/ctg/{world.ctg.pk}/" or url.endswith(f"/{world.ctg.pk}/")


def test_unknown_values_are_refused(world):
    with pytest.raises(ValidationError):
        services.finding_create(ctg=world.ctg, actor=world.users["coordination"], values=_values(ctg=1))


def test_findings_for_filters(world):
    actor = world.users["coordination"]
    first, second = world.ctg.communes.all()[:2]
    a = services.finding_create(ctg=world.ctg, actor=actor, values=_values(communes=[first]))
    b = services.finding_create(
        ctg=world.ctg, actor=actor, values=_values(kind="atout", fields=["jeunesse"], weight=1)
    )
    c = services.finding_create(ctg=world.ctg, actor=actor, values=_values(communes=[second], weight=2))
    services.finding_create(ctg=world.other_ctg, actor=actor, values=_values())
    assert list(selectors.findings_for(world.ctg)) == [a, c, b]
    assert list(selectors.findings_for(world.ctg, kind="atout")) == [b]
    assert list(selectors.findings_for(world.ctg, field="jeunesse")) == [b]
    assert list(selectors.findings_for(world.ctg, commune=first)) == [a, b]
    assert list(selectors.findings_for(world.ctg, commune=second.code)) == [c, b]
