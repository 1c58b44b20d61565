"""The dossier's history moves to `ctg.core` (issue 10, item 1). Here, before the move:

- the decision that caused a change becomes a generic cause (`cause_type` "governance.decision", `cause_id`),
  and the foreign key up to governance goes;
- the fiche version of the optimistic lock leaves the display JSON (`changes["version"]`) for `item_version`;
- actions become the values of `ctg.core.models.Action`;
- the keys of `changes`, French labels, become field names (the labels are declared in the services and
  shown the same); labels this migration does not know stay as they are (the history page shows them).

Then the model leaves the state of this app (the table stays; `core.0001_initial` takes it over).
The tables below are frozen copies: they describe what the services wrote before this migration.
"""

from django.db import migrations, models

BATCH = 500

ACTIONS = {
    "creation": "creation",
    "modification": "modification",
    "statut": "statut",
    "renouvellement": "renouvellement",
    "signataire": "signataire",
    "signature": "signature",
    "partenaire": "partenaire",
    "membre": "membre",
    "jalon": "jalon",
    "enjeu": "enjeu",
    "objectif": "objectif",
    "fiche": "fiche",
    "calendrier": "calendrier",
    "budget": "budget",
    "indicateur": "indicateur",
    "piece_jointe": "piece_jointe",
    "commentaire": "commentaire",
    "bilan": "bilan",
    "import_plan": "import_plan",
    "instance": "instance",
    "réunion": "reunion",
    "décision": "decision",
    "poste": "poste",
    "financement du poste": "financement_poste",
    "rapport d'activité": "rapport_activite",
    "convention_generate": "convention",
}

# Per (new) action: the French label recorded as key → the field name now recorded.
KEYS = {
    "creation": {"intitulé": "title", "période": "period"},
    "modification": {
        "intitulé": "title",
        "année de début": "start_year",
        "année de fin": "end_year",
        "champs": "fields",
    },
    "statut": {"statut": "status"},
    "signature": {"date de signature": "signed_on", "exemplaire signé": "signed_scan"},
    "membre": {"rôle": "role"},
    "jalon": {"type": "kind", "intitulé": "title", "date": "date", "réalisé": "done", "notes": "notes"},
    "instance": {
        "type": "kind",
        "nom": "name",
        "rôle et fréquence": "role",
        "membre": "member",
        "organisation": "organisation",
        "personne": "person_name",
        "qualité": "capacity",
        "courriel": "email",
        "compte": "user",
    },
    "reunion": {
        "instance": "body",
        "intitulé": "title",
        "début": "starts_at",
        "fin": "ends_at",
        "lieu": "place",
        "lien de visioconférence": "link",
        "ordre du jour": "agenda",
        "participants retirés": "participants_removed",
        "participants ajoutés": "participants_added",
        "statut": "status",
        "compte rendu": "minutes",
        "destinataires": "recipients",
    },
    "decision": {"effet": "kind"},
    "poste": {
        "personne": "person_name",
        "compte": "user",
        "employeur": "employer",
        "ETP": "fte",
        "date de prise de poste": "start_date",
        "date de fin": "end_date",
        "missions": "missions",
    },
    "financement_poste": {
        "année": "year",
        "montant accordé": "amount_agreed",
        "avance versée": "advance_paid",
        "solde versé": "balance_paid",
        "décision de financement le": "decided_on",
    },
    "rapport_activite": {
        "priorités de l'année suivante": "priorities",
        "activité de l'année": "comments",
        "statut": "status",
    },
    "convention": {"Version de la convention": "convention_version"},
    # The plan d'action (keys of data, such as « budget 2025 CAF prévu » or « Places — cible 2027 », stay).
    "enjeu": {
        "intitulé": "title",
        "description": "description",
        "champs d'intervention": "fields",
        "indicateurs du portrait liés": "attention_indicators",
        "constats qualitatifs": "findings",
        "ordre": "position",
    },
    "objectif": {"intitulé": "title", "description": "description", "ordre": "position"},
    "fiche": {
        "intitulé": "title",
        "objectifs opérationnels": "objectives",
        "champs d'intervention": "fields",
        "contexte": "context",
        "description": "description",
        "public visé": "target_public",
        "toutes les communes": "all_communes",
        "communes concernées": "communes",
        "organisation pilote": "pilot_organisation",
        "personne pilote": "pilot_person",
        "partenaires": "partners",
        "début": "start_date",
        "fin": "end_date",
        "statut": "status",
        "priorité": "priority",
        "notes internes": "notes",
        "ordre": "position",
    },
    "calendrier": {"étapes": "steps"},
    "piece_jointe": {"pièce jointe": "attachment"},
    "commentaire": {"commentaire": "comment"},
    "indicateur": {"indicateur": "indicator"},
    "bilan": {"bilan": "year", "faits marquants": "highlights", "statut": "status"},
}
DECISION = "governance.decision"
VERSIONED = "ficheaction"  # the item whose version the optimistic lock reads


def forward_row(entry) -> None:
    """Converts one row in place (pure: the test of this migration uses it too)."""
    entry.action = ACTIONS.get(entry.action, entry.action)
    changes = dict(entry.changes or {})
    version = changes.get("version")
    if entry.item_type == VERSIONED and isinstance(version, list) and len(version) == 2:
        entry.item_version = version[1]
        del changes["version"]
    keys = KEYS.get(entry.action, {})
    entry.changes = {keys.get(key, key): pair for key, pair in changes.items()}
    if entry.decision_id is not None:
        entry.cause_type, entry.cause_id = DECISION, entry.decision_id


def backward_row(entry) -> None:
    legacy = {new: old for old, new in ACTIONS.items()}
    labels = {field: label for label, field in KEYS.get(entry.action, {}).items()}
    changes = {labels.get(key, key): pair for key, pair in (entry.changes or {}).items()}
    if entry.item_version is not None:
        changes["version"] = [entry.item_version - 1 if entry.item_version > 1 else None, entry.item_version]
    entry.changes = changes
    entry.action = legacy.get(
        entry.action, "indicateur" if entry.action == "valeur_indicateur" else entry.action
    )
    if entry.cause_type == DECISION:
        entry.decision_id = entry.cause_id


def _convert(apps, convert, fields) -> None:
    HistoryEntry = apps.get_model("conventions", "HistoryEntry")
    batch = []
    for entry in HistoryEntry.objects.order_by("pk").iterator(chunk_size=BATCH):
        convert(entry)
        batch.append(entry)
        if len(batch) == BATCH:
            HistoryEntry.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        HistoryEntry.objects.bulk_update(batch, fields)


def forward(apps, schema_editor):
    _convert(apps, forward_row, ["action", "changes", "item_version", "cause_type", "cause_id"])


def backward(apps, schema_editor):
    _convert(apps, backward_row, ["action", "changes", "decision"])


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0004_historyentry_decision_and_more"),
        ("governance", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historyentry",
            name="item_version",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="version de l'élément"),
        ),
        migrations.AddField(
            model_name="historyentry",
            name="cause_type",
            field=models.CharField(blank=True, db_index=True, max_length=60, verbose_name="type de cause"),
        ),
        migrations.AddField(
            model_name="historyentry",
            name="cause_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="cause"),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="historyentry", name="decision"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="HistoryEntry")],
            database_operations=[],
        ),
    ]
