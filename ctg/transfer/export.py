"""The whole-dossier archive written: `dossier.json` and the files (docs/dossier_archive.md).

Every object of the dossier is carried with all its fields, without its database id: an object of the
dossier is referred to by its rank in its model's list (1, 2…; the lists keep the order of creation, which the
import keeps), a shared object by its natural key (territories by their official codes, organisations by
kind, name, département and SIRET, people by email). `dossier.json` is written with sorted keys, so two
exports of the same dossier differ only by their `exported_at`.
"""

import datetime
import decimal
import hashlib
import io
import json
import zipfile

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from ctg.transfer import schema
from ctg.transfer.schema import label

# Files of the archive: a fixed date, so the same dossier gives the same bytes.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
CHUNK = 500  # ids per IN list


def organisation_key(organisation) -> dict:
    return {
        "kind": organisation.kind,
        "name": organisation.name,
        "departement": organisation.departement_id,
        "siret": organisation.siret,
    }


def dossier_key(ctg) -> dict:
    return {
        "caf": organisation_key(ctg.caf),
        "epci": ctg.epci_id,
        "territory_key": ctg.territory_key,
        "start_year": ctg.start_year,
        "end_year": ctg.end_year,
    }


def structure_key(structure) -> dict:
    if structure.source_id:
        return {"source": structure.source, "source_id": structure.source_id}
    return {"type": structure.type, "name": structure.name, "commune": structure.commune_id}


def schema_axis_key(axis) -> dict:
    return {"caf": organisation_key(axis.caf), "departement": axis.departement_id, "code": axis.code}


def canonical(value):
    """Sorted keys, for ordering natural keys."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class Exporter:
    def __init__(self, ctg):
        self.ctg = ctg
        self.models = schema.dossier_models()
        self.owned = {label(model) for model in self.models}
        self.rows: dict[str, list] = {}
        self.ranks: dict[str, dict[int, int]] = {}
        self.files: dict[str, bytes] = {}
        self.organisations: dict[int, dict] = {}
        self.people: dict[int, dict] = {}
        self.axes: dict[int, dict] = {}
        self.structures: dict[int, dict] = {}

    # --- which rows ------------------------------------------------------------------------------------
    def collect(self) -> None:
        pks: dict[str, set] = {schema.DOSSIER: {self.ctg.pk}}
        changed = True
        while changed:  # a row reached through any of its keys to rows of the dossier
            changed = False
            for model in self.models[1:]:
                got = set()
                for field in schema.owned_foreign_keys(model, self.owned):
                    found = sorted(pks.get(label(field.related_model), ()))
                    for start in range(0, len(found), CHUNK):  # under the databases' parameter limits
                        term = {f"{field.attname}__in": found[start : start + CHUNK]}
                        got |= set(model._default_manager.filter(**term).values_list("pk", flat=True))
                if got - pks.get(label(model), set()):
                    pks[label(model)] = pks.get(label(model), set()) | got
                    changed = True
        for model in self.models:
            wanted = sorted(pks.get(label(model), ()))
            rows = [
                row
                for start in range(0, len(wanted), CHUNK)
                for row in model._default_manager.filter(pk__in=wanted[start : start + CHUNK]).order_by("pk")
            ]
            self.rows[label(model)] = rows
            self.ranks[label(model)] = {row.pk: rank for rank, row in enumerate(rows, start=1)}

    # --- values ----------------------------------------------------------------------------------------
    def reference(self, model, pk):
        """A shared object's natural key, or a dossier object's rank."""
        name = label(model)
        if name in self.owned and pk in self.ranks.get(name, {}):
            return self.ranks[name][pk]
        if name in schema.TERRITORIES:
            return pk
        if name == schema.ORGANISATION:
            return self.organisation(pk)
        if name == schema.PERSON:
            return self.person(pk)
        if name == schema.SCHEMA_AXIS:
            if pk not in self.axes:
                axis = model._default_manager.select_related("caf").get(pk=pk)
                self.organisation(axis.caf_id)
                self.axes[pk] = {
                    "key": schema_axis_key(axis),
                    "title": axis.title,
                    "description": axis.description,
                    "schema_period": axis.schema_period,
                    "position": axis.position,
                    "is_active": axis.is_active,
                }
            return self.axes[pk]["key"]
        if name == schema.STRUCTURE:
            if pk not in self.structures:
                structure = model._default_manager.get(pk=pk)
                self.structures[pk] = {"key": structure_key(structure), "name": structure.name}
            return self.structures[pk]["key"]
        if name == schema.DOSSIER:  # the CTG this one renews
            return dossier_key(model._default_manager.select_related("caf").get(pk=pk))
        raise ValueError(f"{name} #{pk} : objet hors du dossier, sans clé naturelle")

    def organisation(self, pk) -> dict:
        if pk not in self.organisations:
            organisation = apps.get_model(schema.ORGANISATION)._default_manager.get(pk=pk)
            self.organisations[pk] = {
                **organisation_key(organisation),
                "epci": organisation.epci_id,
                "commune": organisation.commune_id,
                "is_fictitious": organisation.is_fictitious,
            }
        return organisation_key_from(self.organisations[pk])

    def person(self, pk) -> str:
        if pk not in self.people:
            person = apps.get_model(schema.PERSON)._default_manager.get(pk=pk)
            self.people[pk] = {
                "email": person.email,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "job_title": person.job_title,
                "organisation": self.organisation(person.organisation_id) if person.organisation_id else None,
            }
        return self.people[pk]["email"]

    def plain(self, field, value):
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC).isoformat()
        if isinstance(value, datetime.date | datetime.time):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):
            places = getattr(field, "decimal_places", None)
            if places is not None:
                value = value.quantize(decimal.Decimal(1).scaleb(-places))
            return format(value, "f")
        return value

    def file(self, value) -> dict | None:
        if not value:
            return None
        with value.open("rb") as handle:
            content = handle.read()
        digest = hashlib.sha256(content).hexdigest()
        self.files[digest] = content
        return {"name": value.name, "sha256": digest, "size": len(content)}

    def generic(self, type_value, id_value, how):
        if not type_value or id_value is None:
            return None
        for name in sorted(self.owned | schema.REFERENCES):
            model = apps.get_model(name)
            written = model._meta.model_name if how == "model_name" else name
            if written != type_value:
                continue
            if name in self.owned:
                if id_value in self.ranks[name]:
                    return {"model": name, "rank": self.ranks[name][id_value]}
            elif model._default_manager.filter(pk=id_value).exists():
                return {"model": name, "key": self.reference(model, id_value)}
        return None  # an object deleted since, or out of the dossier: nothing to point at

    def row(self, model, obj) -> dict:
        name = label(model)
        secrets = schema.not_exported(name)
        generic_ids = {
            id_field: (type_field, how) for type_field, id_field, how in schema.GENERIC.get(name, [])
        }
        out = {}
        blank = set()
        if name in schema.ANONYMOUS:
            parent, flag, fields = schema.ANONYMOUS[name]
            if getattr(getattr(obj, parent), flag):
                blank = fields
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in secrets:
                continue
            value = getattr(obj, field.attname)
            if field.name in blank:
                value = field.get_default()
            if field.is_relation:
                out[field.name] = None if value is None else self.reference(field.related_model, value)
            elif schema.is_file(field):
                out[field.name] = self.file(getattr(obj, field.name))
            elif field.name in generic_ids:
                type_field, how = generic_ids[field.name]
                out[field.name] = self.generic(getattr(obj, type_field), value, how)
            else:
                value = self.plain(field, value)
                ids = schema.JSON_IDS.get((name, field.name))
                if ids and isinstance(value, dict):
                    value = dict(value)
                    for key, target in ids.items():
                        if key in value:
                            found = self.ranks.get(target, {}).get(_int(value[key]))
                            value[key] = {"model": target, "rank": found} if found else None
                out[field.name] = value
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            if not through._meta.auto_created:
                continue  # an explicit through model is a model of the dossier, carried as such
            targets = getattr(obj, field.name).values_list("pk", flat=True)
            keys = [self.reference(field.related_model, pk) for pk in targets]
            out[field.name] = sorted(keys, key=canonical)
        return out

    # --- the whole ---------------------------------------------------------------------------------------
    def build(self) -> dict:
        self.collect()
        objects = {
            label(model): [self.row(model, obj) for obj in self.rows[label(model)]] for model in self.models
        }
        return {
            "format": schema.FORMAT,
            "version": schema.VERSION,
            "exported_at": timezone.now().astimezone(datetime.UTC).isoformat(),
            "source": settings.CTG_SITE_URL,
            "dossier": {"title": self.ctg.title, **dossier_key(self.ctg)},
            "models": [label(model) for model in self.models],
            "objects": objects,
            "references": {
                "organisations": sorted(self.organisations.values(), key=canonical),
                "people": sorted(self.people.values(), key=canonical),
                "schema_axes": sorted(self.axes.values(), key=canonical),
                "structures": sorted(self.structures.values(), key=canonical),
            },
            "files": {
                digest: {"path": f"{schema.FILES_DIR}{digest}", "size": len(content)}
                for digest, content in sorted(self.files.items())
            },
        }


def organisation_key_from(values: dict) -> dict:
    return {key: values[key] for key in ("kind", "name", "departement", "siret")}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def dumps(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")


def export_data(ctg) -> tuple[dict, dict[str, bytes]]:
    """The content of `dossier.json` and the files by SHA-256."""
    exporter = Exporter(ctg)
    return exporter.build(), exporter.files


def export_dossier(ctg) -> bytes:
    """The archive of the dossier: a ZIP with `dossier.json` and `files/<sha256>`."""
    data, files = export_data(ctg)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, schema.JSON_NAME, dumps(data))
        for digest, content in sorted(files.items()):
            _write(archive, f"{schema.FILES_DIR}{digest}", content)
    return buffer.getvalue()


def _write(archive, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, content)
