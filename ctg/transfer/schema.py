"""What the whole-dossier archive holds (docs/dossier_archive.md), shared by the export and the import.

The archive is built by walking the models, not by a list of fields: every concrete model reached from the
dossier (`conventions.Ctg`) by its reverse foreign keys belongs to the dossier and is carried whole, so a
field or a table added later by an app travels without a change here. What is named below is what the walk
cannot guess: the shared tables referred to by natural keys, what is left out, the secrets, and the ids kept
in generic references or inside JSON values.
"""

from django.apps import apps
from django.db import models

FORMAT = "ctg-dossier"
VERSION = 1
JSON_NAME = "dossier.json"
FILES_DIR = "files/"
DOSSIER = "conventions.ctg"

# Shared tables: referred to by natural keys, never carried as objects of the dossier.
TERRITORIES = {"territories.region", "territories.departement", "territories.epci", "territories.commune"}
ORGANISATION = "organisations.organisation"
PERSON = "organisations.user"
SCHEMA_AXIS = "organisations.schemaaxis"
STRUCTURE = "offer.structure"
REFERENCES = TERRITORIES | {ORGANISATION, PERSON, SCHEMA_AXIS, STRUCTURE}

# Reached from the dossier but not part of it: a person's in-app notifications (their reading state belongs to
# the person on this instance; the reminders are computed again from the dossier).
EXCLUDED = {"notifications.notification"}

# Secrets that let someone act without an account: never exported, new ones are drawn on import.
SECRETS = {"surveys.link": {"token"}}
# Links out of the dossier that an archive cannot carry: never exported, left empty on import (a carried-over
# fiche's link to the previous CTG's fiche, which stays on this instance).
OMITTED = {"plans.ficheaction": {"carried_from"}}


def not_exported(name: str) -> set[str]:
    """The fields of the model `name` that an archive never holds (secrets and links out of the dossier)."""
    return SECRETS.get(name, set()) | OMITTED.get(name, set())


# Personal data a parent's setting forbids (RGPD): {model: (key to the parent, the parent's flag, fields)}.
# The answers of an anonymous questionnaire never carry the respondent's address, even if one was stored.
ANONYMOUS = {"surveys.response": ("questionnaire", "anonymous", {"respondent_key"})}

# Generic references (a type and an id, no foreign key): {model: [(type field, id field, how the type is
# written)]}; "label" is "app_label.model_name", "model_name" the model's name alone (the history's items).
GENERIC = {
    "core.historyentry": [("item_type", "item_id", "model_name"), ("cause_type", "cause_id", "label")],
    "findings.finding": [("source_type", "source_id", "label")],
}

# Ids kept inside JSON values: {(model, field): {key: target model}}.
JSON_IDS = {("governance.decision", "payload"): {"objective": "plans.operationalobjective"}}


def label(model) -> str:
    return model._meta.label_lower


def dossier_models() -> list:
    """The models of the dossier, in an order where every non-null foreign key between them points to an
    earlier model (the order of the import); the dossier first."""
    root = apps.get_model(DOSSIER)
    found, queue = [root], [root]
    while queue:
        model = queue.pop(0)
        for relation in model._meta.related_objects:
            target = relation.related_model
            if relation.many_to_many or target in found or target._meta.proxy:
                continue
            if label(target) in EXCLUDED | REFERENCES or target._meta.auto_created:
                continue
            found.append(target)
            queue.append(target)
    return _ordered(found)


def owned_foreign_keys(model, owned: set[str]) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and label(field.related_model) in owned
        and not _is_previous(model, field)
        and field.name not in OMITTED.get(label(model), ())  # another dossier's rows are never reached
    ]


def _is_previous(model, field) -> bool:
    """The dossier's link to the CTG it renews: another dossier, referred to by its natural key."""
    return label(model) == DOSSIER


def _ordered(found: list) -> list:
    owned = {label(model) for model in found}
    done: list = []
    pending = sorted(found[1:], key=label)
    done.append(found[0])
    while pending:
        for model in pending:
            needs = {
                label(field.related_model)
                for field in owned_foreign_keys(model, owned)
                if not field.null and field.related_model is not model
            }
            if needs <= {label(m) for m in done}:
                done.append(model)
                pending.remove(model)
                break
        else:  # a cycle of non-null keys: none today; keep the order rather than loop
            done.extend(pending)
            break
    return done


def is_file(field) -> bool:
    return isinstance(field, models.FileField)
