"""The restore: an archive already checked (`importer.check`) written as it was, rows and files.

Why not the apps' services. The project's rule is « one path for every write », and the services are that
path for every change a person makes. A restore is not a change: it puts back a dossier as it stood on another
instance — history lines with their dates and authors, convention and diagnostic versions with their numbers,
files and snapshots, signatures recorded, bilans validated, answers submitted, the fiches' locking versions,
created/updated dates and authors. No service can write those (they stamp now and the current person, number
versions themselves, refuse a signed dossier's changes, draw new tokens, write history lines for each step),
and replaying the dossier's life through them would give another dossier. So this module writes the rows the
way Django loads fixtures (`save_base(raw=True)`: no `save()` override, dates kept), in the order of
`schema.dossier_models`, inside the importer's transaction, and the import itself is recorded through the
history service (`history_record`), with its source.
"""

import secrets

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from ctg.core.history import history_record
from ctg.core.models import Action
from ctg.territories.selectors import resolve_commune_codes
from ctg.transfer import schema
from ctg.transfer.export import canonical, organisation_key_from

IMPORT_SUMMARY = "Dossier importé depuis une autre instance"


class Restorer:
    def __init__(self, plan):
        self.plan = plan
        self.data = plan.data
        self.pks: dict[str, list] = {}  # model → new pks, by rank - 1
        self.deferred: list = []  # (model, pk, field attname, target model, rank)
        self.saved_files: dict[str, str] = {}  # sha256 → stored name
        self.written_files: list[str] = []
        self.many: list = []  # (object, many-to-many field, values): set once every object is written

    # --- shared objects ----------------------------------------------------------------------------------
    def organisations(self) -> None:
        Organisation = apps.get_model(schema.ORGANISATION)
        listed = {
            canonical(organisation_key_from(o)): o for o in self.data["references"].get("organisations", [])
        }
        for text, found in sorted(self.plan.organisations.items()):
            if found is None:  # checked: allowed by --create-organisations
                values = listed[text]
                self.plan.organisations[text] = Organisation.objects.create(
                    kind=values["kind"],
                    name=values["name"],
                    departement_id=values["departement"],
                    epci_id=values.get("epci"),
                    commune_id=_commune(values.get("commune")),
                    siret=values.get("siret") or "",
                    is_fictitious=bool(values.get("is_fictitious")),
                )

    def schema_axes(self) -> None:
        Axis = apps.get_model(schema.SCHEMA_AXIS)
        listed = {canonical(a["key"]): a for a in self.data["references"].get("schema_axes", [])}
        for text, found in sorted(self.plan.axes.items()):
            if found is None:  # checked: allowed by --create-schema-axes
                values = listed[text]
                key = values["key"]
                self.plan.axes[text] = Axis.objects.create(
                    caf=self.plan.organisations[canonical(organisation_key_from(key["caf"]))],
                    departement_id=key["departement"],
                    code=key["code"],
                    **{
                        f: values[f]
                        for f in ("title", "description", "schema_period", "position", "is_active")
                        if f in values
                    },
                )

    def people(self) -> None:
        User = apps.get_model(schema.PERSON)
        listed = {str(p.get("email", "")).lower(): p for p in self.data["references"].get("people", [])}
        for email, found in sorted(self.plan.people.items()):
            if found is None:  # checked: allowed by --create-people; inactive until they reset their password
                values = listed.get(email, {})
                organisation = values.get("organisation")
                person = User.objects.create_user(
                    email=email,
                    password=None,
                    is_active=False,
                    first_name=values.get("first_name", ""),
                    last_name=values.get("last_name", ""),
                    job_title=values.get("job_title", ""),
                    organisation=self.plan.organisations.get(canonical(organisation_key_from(organisation)))
                    if organisation
                    else None,
                )
                self.plan.people[email] = person

    # --- values ------------------------------------------------------------------------------------------
    def target(self, name: str, value):
        """The pk of a referenced object; None when it is an object of the dossier not written yet."""
        rank = isinstance(value, int) and not isinstance(value, bool)
        if rank and (name in self.pks or name in self.data["objects"]):
            written = self.pks.get(name, [])
            return written[value - 1] if value <= len(written) else None
        if name == schema.DOSSIER:
            return self.plan.previous.pk if self.plan.previous is not None else None
        if name == "territories.commune":
            return self.plan.communes[value]
        if name in schema.TERRITORIES:
            return value
        if name == schema.ORGANISATION:
            return self.plan.organisations[canonical(organisation_key_from(value))].pk
        if name == schema.PERSON:
            return self.plan.people[value.lower()].pk
        if name == schema.SCHEMA_AXIS:
            return self.plan.axes[canonical(value)].pk
        if name == schema.STRUCTURE:
            return self.plan.structures[canonical(value)].pk
        raise ValueError(name)

    def file(self, value) -> str:
        if not value:
            return ""
        digest, name = value["sha256"], value["name"]
        if digest in self.saved_files:
            return self.saved_files[digest]
        content = self.plan.files[digest]
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                if handle.read() == content:  # the same file already there (the same instance): kept
                    self.saved_files[digest] = name
                    return name
        stored = default_storage.save(name, ContentFile(content))
        self.written_files.append(stored)
        self.saved_files[digest] = stored
        return stored

    def generic(self, value):
        if not isinstance(value, dict):
            return None
        model = value.get("model")
        if "rank" in value:
            written = self.pks.get(model, [])
            rank = value["rank"]
            return written[rank - 1] if isinstance(rank, int) and 0 < rank <= len(written) else None
        return self.target(model, value.get("key"))

    # --- rows --------------------------------------------------------------------------------------------
    def restore_model(self, model) -> None:
        name = schema.label(model)
        rows = self.data["objects"].get(name) or []
        generic_ids = {id_field for _t, id_field, _h in schema.GENERIC.get(name, [])}
        json_ids = {f: keys for (m, f), keys in schema.JSON_IDS.items() if m == name}
        secrets_ = schema.SECRETS.get(name, set())
        omitted = schema.OMITTED.get(name, set())
        self.pks[name] = []
        for row in rows:
            obj = model()
            later = []
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                if field.name in secrets_:
                    # A new secret: the old links stay with the old instance.
                    setattr(obj, field.attname, secrets.token_urlsafe(24))
                    continue
                if field.name in omitted:
                    continue  # a link out of the dossier: left empty here
                if field.name not in row:
                    continue  # an older archive: the field's default
                value = row[field.name]
                if field.is_relation:
                    target = schema.label(field.related_model)
                    pk = None if value is None else self.target(target, value)
                    if value is not None and pk is None:
                        later.append((field.attname, target, value))
                    setattr(obj, field.attname, pk)
                elif schema.is_file(field):
                    setattr(obj, field.attname, self.file(value))
                elif field.name in generic_ids:
                    later.append((field.attname, None, value))
                    setattr(obj, field.attname, None)
                elif field.name in json_ids and isinstance(value, dict):
                    later.append((field.attname, "json", value))
                    setattr(obj, field.attname, value)
                else:
                    setattr(obj, field.attname, _python(field, value))
            obj.save_base(raw=True, force_insert=True)
            self.pks[name].append(obj.pk)
            self.deferred.extend((model, obj.pk, attname, target, value) for attname, target, value in later)
            for field in model._meta.many_to_many:
                if field.name in row and field.remote_field.through._meta.auto_created:
                    self.many.append((obj, field, row[field.name]))

    def finish(self) -> None:
        """Keys to objects written after their holder, generic references and ids inside JSON."""
        for model, pk, attname, target, value in self.deferred:
            if target is None:
                new = self.generic(value)
            elif target == "json":
                keys = dict(schema.JSON_IDS[(schema.label(model), attname)])
                new = dict(value)
                for key in keys:
                    if key in new:
                        new[key] = self.generic(new[key])
            else:
                new = self.target(target, value)
            model._default_manager.filter(pk=pk).update(**{attname: new})
        for obj, field, values in self.many:
            target = schema.label(field.related_model)
            getattr(obj, field.name).set([self.target(target, one) for one in values])

    def run(self, actor, source):
        self.organisations()
        self.schema_axes()
        self.people()
        ordered = [m for m in schema.dossier_models() if schema.label(m) != "core.historyentry"]
        ordered += [apps.get_model("core.historyentry")]  # last: its items are every other model
        try:
            for model in ordered:
                self.restore_model(model)
            self.finish()
        except BaseException:
            for name in self.written_files:  # the transaction rolls back the rows; the files go too
                default_storage.delete(name)
            raise
        ctg = apps.get_model(schema.DOSSIER)._default_manager.get(pk=self.pks[schema.DOSSIER][0])
        history_record(
            ctg=ctg,
            actor=actor,
            action=Action.DOSSIER_IMPORT,
            summary=f"{IMPORT_SUMMARY} ({source or 'source inconnue'}, exporté le "
            f"{self.data.get('exported_at', '?')[:10]} depuis {self.data.get('source') or '?'})",
        )
        return ctg


def _commune(code):
    return resolve_commune_codes([code]).get(code) if code else None


def _python(field, value):
    if value is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def restore(plan, *, actor=None, source=""):
    return Restorer(plan).run(actor, source)
