"""A whole-dossier archive checked against this instance, then written in one transaction.

Nothing is merged silently: every territory code must be known in the current COG (a former commune code is
mapped to the commune in force), every person must exist by email (or `create_people`: inactive accounts),
every organisation by its natural key (or `create_organisations`; a near-duplicate — same name, another kind —
is refused and explained), the axes of the CAF's schema and the structures of the offer must exist, and no
dossier of the same territory may overlap the period. Every problem is listed, in French, with the JSON path.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import JSONField

from ctg.territories.selectors import resolve_commune_codes
from ctg.transfer import archive, restore, schema
from ctg.transfer.export import canonical


@dataclass
class Plan:
    """What the import will do, computed before any write."""

    data: dict
    files: dict
    communes: dict[str, str] = field(default_factory=dict)  # archive code → code in force
    organisations: dict[str, object] = field(default_factory=dict)  # canonical key → Organisation or None
    people: dict[str, object] = field(default_factory=dict)  # email → User or None
    axes: dict[str, object] = field(default_factory=dict)
    structures: dict[str, object] = field(default_factory=dict)
    previous: object = None
    notes: list[str] = field(default_factory=list)


class Checker:
    def __init__(
        self, data, files, *, create_people: bool, create_organisations: bool, create_schema_axes: bool
    ):
        self.plan = Plan(data=data, files=files)
        self.create_people = create_people
        self.create_organisations = create_organisations
        self.create_schema_axes = create_schema_axes
        self.problems: list[str] = []
        self.models = {schema.label(model): model for model in schema.dossier_models()}
        self.territory_codes: dict[str, set] = {name: set() for name in schema.TERRITORIES}
        self.keys: dict[str, list] = {schema.ORGANISATION: [], schema.SCHEMA_AXIS: [], schema.STRUCTURE: []}
        self.emails: set[str] = set()

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"$.{path} : {message}")

    # --- the shape ---------------------------------------------------------------------------------------
    def check_shape(self) -> None:
        objects = self.plan.data["objects"]
        for name, rows in objects.items():
            model = self.models.get(name)
            if model is None:
                self.problem(f"objects.{name}", "modèle inconnu de cette instance.")
                continue
            if not isinstance(rows, list):
                self.problem(f"objects.{name}", "une liste est attendue.")
                continue
            generic = {id_field for _type, id_field, _how in schema.GENERIC.get(name, [])}
            fields = {
                f.name: f for f in model._meta.concrete_fields if not f.primary_key and f.name not in generic
            }
            fields.update({f.name: f for f in model._meta.many_to_many})
            for index, row in enumerate(rows):
                if not isinstance(row, dict):
                    self.problem(f"objects.{name}[{index}]", "un objet est attendu.")
                    continue
                for key, value in row.items():
                    path = f"objects.{name}[{index}].{key}"
                    if key in generic:
                        continue  # a type and an id: resolved on writing, None when unknown
                    if key not in fields:
                        self.problem(path, "champ inconnu de cette instance.")
                        continue
                    self.collect(path, fields[key], value, objects)
        if len(objects.get(schema.DOSSIER) or []) != 1:
            self.problem(f"objects.{schema.DOSSIER}", "l'archive doit contenir exactement un dossier.")

    def collect(self, path, model_field, value, objects) -> None:
        plain = not model_field.is_relation and not schema.is_file(model_field)
        if plain and value is not None and not isinstance(model_field, JSONField):
            try:
                model_field.to_python(value)
            except (ValidationError, TypeError, ValueError):
                self.problem(path, f"valeur illisible pour ce champ : {str(value)[:80]!r}.")
            return
        if value is None or not model_field.is_relation:
            missing = not isinstance(value, dict) or value.get("sha256") not in self.plan.files
            if schema.is_file(model_field) and value is not None and missing:
                self.problem(path, "fichier absent de l'archive.")
            return
        target = schema.label(model_field.related_model)
        values = value if model_field.many_to_many else [value]
        if not isinstance(values, list):
            self.problem(path, "une liste est attendue.")
            return
        for one in values:
            self.collect_one(path, target, one, objects)

    def collect_one(self, path, target, value, objects) -> None:
        if target in self.models and isinstance(value, int) and not isinstance(value, bool):
            if target == schema.DOSSIER and not path.startswith(f"objects.{schema.DOSSIER}["):
                return
            if not 1 <= value <= len(objects.get(target) or []):
                self.problem(path, f"renvoie à l'objet n° {value} de {target}, absent de l'archive.")
            return
        if target in schema.TERRITORIES and isinstance(value, str):
            self.territory_codes[target].add(value)
        elif target == schema.PERSON and isinstance(value, str):
            self.emails.add(value.lower())
        elif target in self.keys and isinstance(value, dict):
            self.keys[target].append((path, value))
        elif target == schema.DOSSIER and isinstance(value, dict):
            self.plan.previous = value
        else:
            self.problem(path, f"référence illisible vers {target}.")

    # --- the references ----------------------------------------------------------------------------------
    def check_territories(self) -> None:
        communes = sorted(self.territory_codes.pop("territories.commune"))
        found = resolve_commune_codes(communes)
        missing = [code for code in communes if code not in found]
        if missing:
            self.problem("objects", f"communes inconnues du COG de cette instance : {', '.join(missing)}.")
        self.plan.communes = found
        for name, codes in sorted(self.territory_codes.items()):
            model = apps.get_model(name)
            known = set(model._default_manager.filter(pk__in=codes).values_list("pk", flat=True))
            missing = sorted(set(codes) - known)
            if missing:
                what = model._meta.verbose_name_plural
                self.problem("objects", f"{what} inconnu·es de cette instance : {', '.join(missing)}.")

    def check_organisations(self) -> None:
        Organisation = apps.get_model(schema.ORGANISATION)
        listed = {canonical(_key(o)): o for o in self.plan.data["references"].get("organisations", [])}
        wanted = {canonical(_key(v)): (p, _key(v)) for p, v in self.keys[schema.ORGANISATION]}
        for person in self.plan.data["references"].get("people", []):
            if person.get("organisation"):
                wanted.setdefault(
                    canonical(_key(person["organisation"])), ("references.people", person["organisation"])
                )
        for axis in self.plan.data["references"].get("schema_axes", []):
            caf = (axis.get("key") or {}).get("caf")
            if caf:
                wanted.setdefault(canonical(_key(caf)), ("references.schema_axes", caf))
        for text, (path, key) in sorted(wanted.items()):
            found = Organisation.objects.filter(
                kind=key["kind"],
                name=key["name"],
                departement_id=key["departement"],
                siret=key["siret"] or "",
            ).first()
            self.plan.organisations[text] = found
            if found is not None:
                continue
            near = Organisation.objects.filter(name__iexact=key["name"]).exclude(kind=key["kind"]).first()
            if near is not None:
                self.problem(
                    path,
                    f"l'organisation « {key['name']} » ({key['kind']}) n'existe ici que sous le type "
                    f"« {near.kind} » : rien n'est fusionné en silence, corrigez l'une ou l'autre.",
                )
            elif not self.create_organisations:
                self.problem(
                    path,
                    f"organisation inconnue : « {key['name']} » ({key['kind']}, département "
                    f"{key['departement'] or '—'}) ; relancez avec --create-organisations pour la créer.",
                )
            elif text not in listed:
                self.problem(path, f"organisation « {key['name']} » absente de $.references.organisations.")
            else:
                self.check_new_organisation(path, listed[text])

    def check_new_organisation(self, path, values) -> None:
        """An organisation to create: its territories must be known here."""
        for name, code in (
            ("territories.departement", values.get("departement")),
            ("territories.epci", values.get("epci")),
        ):
            if code and not apps.get_model(name)._default_manager.filter(pk=code).exists():
                self.problem(path, f"« {values.get('name')} » : territoire {code} inconnu de cette instance.")
        commune = values.get("commune")
        if commune and commune not in resolve_commune_codes([commune]):
            self.problem(path, f"« {values.get('name')} » : commune {commune} inconnue de cette instance.")

    def check_people(self) -> None:
        User = apps.get_model(schema.PERSON)
        for person in self.plan.data["references"].get("people", []):
            self.emails.add(str(person.get("email", "")).lower())
        self.emails.discard("")
        known = {user.email.lower(): user for user in User.objects.filter(email__in=self.emails)}
        missing = sorted(self.emails - set(known))
        self.plan.people = {email: known.get(email) for email in self.emails}
        if missing and not self.create_people:
            self.problem(
                "references.people",
                f"personnes inconnues de cette instance : {', '.join(missing)} ; relancez avec "
                "--create-people pour créer leurs comptes (inactifs).",
            )

    def check_axes_and_structures(self) -> None:
        Axis = apps.get_model(schema.SCHEMA_AXIS)
        Structure = apps.get_model(schema.STRUCTURE)
        for path, key in self.keys[schema.SCHEMA_AXIS]:
            caf = self.plan.organisations.get(canonical(_key(key.get("caf") or {})))
            found = (
                Axis.objects.filter(
                    caf=caf, departement_id=key.get("departement"), code=key.get("code")
                ).first()
                if caf
                else None
            )
            known = canonical(key) in self.plan.axes
            self.plan.axes[canonical(key)] = found
            if found is not None or known:
                continue
            listed = [a for a in self.plan.data["references"].get("schema_axes", []) if a.get("key") == key]
            if not self.create_schema_axes:
                self.problem(
                    path,
                    f"axe {key.get('code')} du schéma départemental ({key.get('departement')}) inconnu "
                    "de cette instance ; relancez avec --create-schema-axes pour le créer.",
                )
            elif not listed:
                self.problem(path, f"axe {key.get('code')} absent de $.references.schema_axes.")
            elif (
                not apps.get_model("territories.departement")
                ._default_manager.filter(pk=key.get("departement"))
                .exists()
            ):
                self.problem(path, f"axe {key.get('code')} : département {key.get('departement')} inconnu.")
        for path, key in self.keys[schema.STRUCTURE]:
            query = Structure.objects.filter(**{k: v for k, v in key.items() if k != "commune"})
            if "commune" in key:
                query = query.filter(commune_id=self.plan.communes.get(key["commune"], key["commune"]))
            found = query.order_by("pk").first()
            self.plan.structures[canonical(key)] = found
            if found is None:
                self.problem(
                    path, f"structure de l'offre inconnue ({canonical(key)}) : importez d'abord l'offre."
                )

    def check_dossier(self) -> None:
        Ctg = apps.get_model(schema.DOSSIER)
        rows = self.plan.data["objects"].get(schema.DOSSIER) or [{}]
        row = rows[0]
        start, end = row.get("start_year"), row.get("end_year")
        query = Ctg.objects.filter(start_year__lte=end, end_year__gte=start)
        if row.get("epci"):
            query = query.filter(epci_id=row["epci"])
        else:
            query = query.filter(territory_key=row.get("territory_key"))
        existing = query.first()
        if existing is not None:
            self.problem(
                f"objects.{schema.DOSSIER}[0]",
                f"un dossier du même territoire couvre déjà une partie de la période {start}-{end} : "
                f"« {existing.title} » ({existing.start_year}-{existing.end_year}) ; rien n'est fusionné en "
                "silence, supprimez-le ou importez ailleurs.",
            )
        if self.plan.previous:
            previous = self.plan.previous
            self.plan.previous = Ctg.objects.filter(
                epci_id=previous.get("epci"),
                territory_key=previous.get("territory_key"),
                start_year=previous.get("start_year"),
                end_year=previous.get("end_year"),
            ).first()
            if self.plan.previous is not None and Ctg.objects.filter(previous=self.plan.previous).exists():
                self.problem(
                    f"objects.{schema.DOSSIER}[0].previous",
                    f"la CTG précédente « {self.plan.previous.title} » est déjà renouvelée sur cette "
                    "instance par un autre dossier ; rien n'est fusionné en silence.",
                )
            if self.plan.previous is None:
                self.plan.notes.append(
                    f"La CTG précédente ({previous.get('start_year')}-{previous.get('end_year')}) "
                    "n'existe pas "
                    "ici : le lien de renouvellement n'est pas repris."
                )

    def check_unique(self) -> None:
        """A unique value already used here (a public page's slug…) is refused, not changed."""
        for name, rows in self.plan.data["objects"].items():
            model = self.models.get(name)
            if model is None or not isinstance(rows, list):
                continue
            secrets = schema.not_exported(name)
            for model_field in model._meta.concrete_fields:
                if not model_field.unique or model_field.primary_key or model_field.name in secrets:
                    continue
                if model_field.is_relation:  # the renewal link, checked with the dossier
                    continue
                values = [row.get(model_field.name) for row in rows if isinstance(row, dict)]
                taken = model._default_manager.filter(**{f"{model_field.name}__in": [v for v in values if v]})
                for value in taken.values_list(model_field.name, flat=True):
                    index = values.index(value)
                    self.problem(
                        f"objects.{name}[{index}].{model_field.name}",
                        f"« {value} » est déjà utilisé sur cette instance.",
                    )

    def run(self) -> Plan:
        self.check_shape()
        if not self.problems:
            self.check_territories()
            self.check_organisations()
            self.check_people()
            self.check_axes_and_structures()
            self.check_dossier()
            self.check_unique()
        if self.problems:
            raise ValidationError(self.problems)
        return self.plan


def _key(values: dict) -> dict:
    return {key: values.get(key) for key in ("kind", "name", "departement", "siret")}


def check(
    data: bytes,
    name: str = "archive",
    *,
    create_people=False,
    create_organisations=False,
    create_schema_axes=False,
) -> Plan:
    """The archive read and checked against this instance; a ValidationError lists every problem."""
    content, files = archive.read(data, name)
    try:
        return Checker(
            content,
            files,
            create_people=create_people,
            create_organisations=create_organisations,
            create_schema_axes=create_schema_axes,
        ).run()
    except ValidationError as error:
        raise ValidationError(
            [f"{name}/{schema.JSON_NAME} {message}" for message in error.messages]
        ) from None
    except (KeyError, TypeError, AttributeError) as error:
        raise ValidationError(f"{name}/{schema.JSON_NAME} : contenu inattendu ({error!r}).") from None


def import_dossier(
    data: bytes,
    name: str = "archive",
    *,
    actor=None,
    create_people=False,
    create_organisations=False,
    create_schema_axes=False,
    dry_run=False,
):
    """Checks the archive, then writes the dossier in one transaction; returns (dossier or None, plan)."""
    plan = check(
        data,
        name,
        create_people=create_people,
        create_organisations=create_organisations,
        create_schema_axes=create_schema_axes,
    )
    if dry_run:
        return None, plan
    with transaction.atomic():
        ctg = restore.restore(plan, actor=actor, source=name)
    return ctg, plan
