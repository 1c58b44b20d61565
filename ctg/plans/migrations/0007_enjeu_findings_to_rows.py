"""Step 2: each non-empty line of an enjeu's « constats qualitatifs » becomes a finding of its dossier (type
« à qualifier », source « saisie », labelled « Constats saisis sur l'enjeu », the enjeu's fields), cited by
the enjeu. Backwards, the cited findings' texts are joined back, one per line, and the findings this step
made are deleted."""

from django.db import migrations

SOURCE_LABEL = "Constats saisis sur l'enjeu"
TITLE_LENGTH = 300


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def to_findings(apps, schema_editor):
    Enjeu = apps.get_model("plans", "Enjeu")
    Finding = apps.get_model("findings", "Finding")
    for enjeu in Enjeu.objects.exclude(findings="").select_related("ctg").order_by("pk").iterator():
        created = []
        for line in _lines(enjeu.findings):
            title, evidence = line, ""
            if len(line) > TITLE_LENGTH:
                # The whole text kept as the evidence; the title is its beginning.
                title, evidence = line[: TITLE_LENGTH - 1].rstrip() + "…", line
            created.append(
                Finding.objects.create(
                    ctg_id=enjeu.ctg_id,
                    kind="a_qualifier",
                    title=title,
                    evidence=evidence,
                    fields=list(enjeu.fields or []),
                    source_kind="saisie",
                    source_label=SOURCE_LABEL,
                    weight=2,
                    is_fictitious=enjeu.ctg.is_fictitious,
                    created_by_id=enjeu.updated_by_id,
                    updated_by_id=enjeu.updated_by_id,
                )
            )
        if created:
            enjeu.finding_links.add(*created)


def to_text(apps, schema_editor):
    Enjeu = apps.get_model("plans", "Enjeu")
    for enjeu in Enjeu.objects.order_by("pk").iterator():
        findings = list(enjeu.finding_links.order_by("pk"))
        if not findings:
            continue
        enjeu.findings = "\n".join(
            f.evidence if f.title.endswith("…") and f.evidence else f.title for f in findings
        )
        enjeu.save(update_fields=["findings"])
        made = [
            f.pk
            for f in findings
            if f.source_label == SOURCE_LABEL and f.kind == "a_qualifier" and f.source_kind == "saisie"
        ]
        enjeu.finding_links.clear()
        if made:
            apps.get_model("findings", "Finding").objects.filter(pk__in=made, enjeux__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0006_enjeu_finding_links")]

    operations = [migrations.RunPython(to_findings, to_text)]
