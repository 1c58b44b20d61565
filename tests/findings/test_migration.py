"""plans 0006-0008: the text « constats qualitatifs » of an enjeu becomes findings of its dossier (one per
non-empty line, « à qualifier », source « saisie »), cited by the enjeu; backwards, the texts are joined back
and the findings the migration made are deleted (built with the historical models through the migration
executor)."""

import pytest

from tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("plans", "0005_ficheaction_source_scenario"), ("findings", "0001_initial")]
AFTER = [("plans", "0008_enjeu_findings")]
LONG = "Une très longue phrase de constat. " * 12  # over the 300 characters of a title


@pytest.mark.django_db(transaction=True)
def test_enjeu_texts_become_findings_and_back(world):
    try:
        old = migrate_to(BEFORE)
        Enjeu = old.get_model("plans", "Enjeu")
        text = "Listes d'attente longues.\n\n   Peu de   lieux d'accueil  \r\n" + LONG
        grounded = Enjeu.objects.create(
            ctg_id=world.ctg.pk,
            title="Accueil du jeune enfant",
            fields=["petite_enfance"],
            findings=text,
            updated_by_id=world.users["coordination"].pk,
        )
        empty = Enjeu.objects.create(ctg_id=world.ctg.pk, title="Jeunesse", findings="  \n ")

        new = migrate_to(AFTER)
        Finding = new.get_model("findings", "Finding")
        NewEnjeu = new.get_model("plans", "Enjeu")
        findings = list(NewEnjeu.objects.get(pk=grounded.pk).findings.order_by("pk"))
        assert [f.title for f in findings[:2]] == ["Listes d'attente longues.", "Peu de lieux d'accueil"]
        assert len(findings) == 3
        assert len(findings[2].title) == 300 and findings[2].title.endswith("…")
        assert findings[2].evidence == LONG.strip()
        for finding in findings:
            assert (finding.kind, finding.source_kind, finding.source_label) == (
                "a_qualifier",
                "saisie",
                "Constats saisis sur l'enjeu",
            )
            assert finding.fields == ["petite_enfance"] and finding.ctg_id == world.ctg.pk
            assert finding.created_by_id == world.users["coordination"].pk
        assert not NewEnjeu.objects.get(pk=empty.pk).findings.exists()
        # A finding of the diagnostic cited since then is kept when going back; its title joins the text.
        kept = Finding.objects.create(ctg_id=world.ctg.pk, kind="besoin", title="Un constat du diagnostic")
        NewEnjeu.objects.get(pk=grounded.pk).findings.add(kept)

        back = migrate_to(BEFORE)
        OldEnjeu = back.get_model("plans", "Enjeu")
        assert OldEnjeu.objects.get(pk=grounded.pk).findings == (
            f"Listes d'attente longues.\nPeu de lieux d'accueil\n{LONG.strip()}\nUn constat du diagnostic"
        )
        assert OldEnjeu.objects.get(pk=empty.pk).findings == ""  # blank lines held no finding
        assert list(back.get_model("findings", "Finding").objects.values_list("title", flat=True)) == [
            "Un constat du diagnostic"
        ]
    finally:
        migrate_to_latest()
