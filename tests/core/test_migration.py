"""The history's move to `ctg.core`: rows written before it are converted, none lost (built with the
historical model through the migration executor, then migrated)."""

import pytest

from ctg.core.models import Action, HistoryEntry
from tests.governance.factories import DecisionFactory
from tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("conventions", "0004_historyentry_decision_and_more"), ("core", None)]
AFTER = [("conventions", "0005_history_to_core"), ("core", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_old_rows_are_mapped(world):
    import ctg.conventions.services  # noqa: F401 (declares the labels)
    import ctg.governance.services  # noqa: F401
    import ctg.post.services  # noqa: F401

    decision = DecisionFactory(meeting__ctg=world.ctg, meeting__body__ctg=world.ctg)
    fiche_pk = 4242
    try:
        old_apps = migrate_to(BEFORE)
        Old = old_apps.get_model("conventions", "HistoryEntry")
        rows = [
            Old(
                ctg_id=world.ctg.pk,
                action="modification",
                summary="Modification : intitulé, champs",
                changes={"intitulé": ["A", "B"], "champs": ["Seniors", "Mobilité"]},
            ),
            Old(
                ctg_id=world.ctg.pk,
                action="fiche",
                summary="Fiche action modifiée",
                item_type="ficheaction",
                item_id=fiche_pk,
                changes={"statut": ["À venir", "En cours"], "version": [3, 4]},
                decision_id=decision.pk,
            ),
            Old(
                ctg_id=world.ctg.pk,
                action="réunion",
                summary="Présences",
                item_type="meeting",
                item_id=1,
                changes={
                    "Alix": ["Invité·e", "Présent·e"],
                    "début": ["10/03/2026 15:00", "11/03/2026 15:00"],
                },
            ),
            Old(
                ctg_id=world.ctg.pk,
                action="financement du poste",
                summary="Financement",
                changes={
                    "montant accordé": ["", "22500,00"],
                    "décision de financement le": ["", "01/02/2026"],
                },
            ),
            Old(
                ctg_id=world.ctg.pk,
                action="rapport d'activité",
                summary="Rapport",
                changes={"statut": ["A", "B"]},
            ),
            Old(
                ctg_id=world.ctg.pk,
                action="convention_generate",
                summary="Convention",
                changes={"Version de la convention": ["", "v1"]},
            ),
            Old(
                ctg_id=world.ctg.pk,
                action="budget",
                summary="Budget",
                item_type="ficheaction",
                item_id=fiche_pk,
                changes={"budget 2025 CAF prévu": ["0", "3000"]},
            ),
            Old(
                ctg_id=world.ctg.pk,
                action="enjeu",
                summary="Enjeu déplacé",
                item_type="enjeu",
                item_id=1,
                changes={"ordre": [3, 2]},
            ),
        ]
        Old.objects.bulk_create(rows)
        before_count = Old.objects.count()
        migrate_to(AFTER)
    finally:
        migrate_to_latest()  # the later migrations too: the next tests need the latest schema

    assert HistoryEntry.objects.count() == before_count  # nothing lost
    assert set(HistoryEntry.objects.values_list("action", flat=True)) <= set(Action.values)
    update, fiche, meeting, funding, report, convention, budget, enjeu = HistoryEntry.objects.order_by("id")[
        before_count - 8 :
    ]
    assert (update.action, update.changes) == (
        Action.DOSSIER_UPDATE,
        {"title": ["A", "B"], "fields": ["Seniors", "Mobilité"]},
    )
    assert update.labelled_changes == {"intitulé": ["A", "B"], "champs": ["Seniors", "Mobilité"]}
    assert (fiche.action, fiche.item_version, fiche.cause) == (Action.FICHE, 4, decision)
    assert fiche.changes == {"status": ["À venir", "En cours"]}  # the version left the display JSON
    assert fiche.labelled_changes == {"statut": ["À venir", "En cours"], "version": [3, 4]}  # page unchanged
    assert meeting.action == Action.MEETING
    assert meeting.changes == {
        "Alix": ["Invité·e", "Présent·e"],
        "starts_at": ["10/03/2026 15:00", "11/03/2026 15:00"],
    }
    assert meeting.labelled_changes == {
        "Alix": ["Invité·e", "Présent·e"],
        "début": ["10/03/2026 15:00", "11/03/2026 15:00"],
    }
    assert funding.action == Action.POST_FUNDING and set(funding.changes) == {"amount_agreed", "decided_on"}
    assert set(funding.labelled_changes) == {
        "montant accordé",
        "décision de financement le",
    }  # jsonb: no order
    assert report.action == Action.ACTIVITY_REPORT and report.labelled_changes == {"statut": ["A", "B"]}
    assert convention.action == Action.CONVENTION and convention.labelled_changes == {
        "Version de la convention": ["", "v1"]
    }
    assert (budget.action, budget.changes) == (Action.BUDGET, {"budget 2025 CAF prévu": ["0", "3000"]})
    assert (enjeu.action, enjeu.changes, enjeu.labelled_changes) == (
        Action.ENJEU,
        {"position": [3, 2]},
        {"ordre": [3, 2]},
    )


def test_every_mapped_label_reads_the_same():
    """Each label the migration turns into a field name is shown again as that label."""
    import importlib

    import ctg.conventions.services  # noqa: F401
    import ctg.documents.services  # noqa: F401
    import ctg.evaluation.services  # noqa: F401
    import ctg.governance.services  # noqa: F401
    import ctg.plans.services  # noqa: F401
    import ctg.post.services  # noqa: F401
    from ctg.core.history import label_for

    migration = importlib.import_module("ctg.conventions.migrations.0005_history_to_core")
    item_types = {
        "signature": "signatory",
        "jalon": "milestone",
        "instance": "body",
        "reunion": "meeting",
        "decision": "decision",
        "poste": "coordinatorpost",
        "financement_poste": "postfunding",
        "rapport_activite": "activityreport",
        "convention": "conventionversion",
        "enjeu": "enjeu",
        "objectif": "operationalobjective",
        "fiche": "ficheaction",
        "calendrier": "ficheaction",
        "piece_jointe": "ficheaction",
        "commentaire": "ficheaction",
        "indicateur": "ficheaction",
        "bilan": "bilanannuel",
    }
    for action, keys in migration.KEYS.items():
        for label, name in keys.items():
            assert label_for(action, item_types.get(action, ""), name) == label, (action, label)
