"""The import of a whole plan into an empty one (`ctg.exchange` checks the file, then calls
`plan_import_create`): bulk writes, one insert per table whatever the number of fiches."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.conventions.models import Ctg
from ctg.conventions.selectors import dossier_organisations
from ctg.core.history import history_record
from ctg.core.models import Action
from ctg.findings.models import Finding
from ctg.findings.services import findings_import
from ctg.organisations.models import Organisation
from ctg.plans import rules
from ctg.plans.models import (
    BudgetLine,
    Enjeu,
    FicheAction,
    FicheStep,
    IndicatorValue,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)
from ctg.plans.services.common import _person

IMPORTED_FINDINGS_LABEL = "Plan d'action importé"


def _chunks(items: list, size: int = 500):
    """`items` in slices of `size` (an IN list stays under the databases' parameter limits)."""
    for index in range(0, len(items), size):
        yield items[index : index + size]


def _import_tree(ctg: Ctg, enjeux: list[dict], tracked: dict) -> dict:
    """The enjeux, then their strategic objectives, then the operational ones, each in one insert; returns the
    operational objectives by their key."""
    enjeu_objects = Enjeu.objects.bulk_create(
        [
            Enjeu(
                ctg=ctg,
                position=position,
                **{k: v for k, v in e.items() if k not in ("objectives", "findings")},
                **tracked,
            )
            for position, e in enumerate(enjeux, start=1)
        ]
    )
    _import_findings(ctg, enjeu_objects, enjeux, tracked)
    strategic_items = []  # (strategic object, its operational values in order)
    for enjeu, e in zip(enjeu_objects, enjeux, strict=True):
        for position, s in enumerate(e["objectives"], start=1):
            strategic = StrategicObjective(
                enjeu=enjeu, title=s["title"], description=s["description"], position=position, **tracked
            )
            strategic_items.append((strategic, s["operational"]))
    StrategicObjective.objects.bulk_create([strategic for strategic, _ in strategic_items])
    objectives = {}
    for strategic, operational in strategic_items:
        for position, o in enumerate(operational, start=1):
            objectives[o["key"]] = OperationalObjective(
                strategic=strategic,
                title=o["title"],
                description=o["description"],
                position=position,
                **tracked,
            )
    OperationalObjective.objects.bulk_create(list(objectives.values()))
    return objectives


def _import_findings(ctg: Ctg, enjeu_objects: list[Enjeu], enjeux: list[dict], tracked: dict) -> None:
    """The findings the enjeux cite (« constats », titles): a finding of the dossier of that title when there
    is one, else a new one (« à qualifier », labelled as coming with the imported plan), written by
    `ctg.findings.services.findings_import` in one insert; then the citations in one insert."""
    titles = list(dict.fromkeys(title for e in enjeux for title in e.get("findings") or []))
    if not titles:
        return
    known: dict[str, Finding] = {}
    for chunk in _chunks(titles):
        for finding in Finding.objects.filter(ctg=ctg, title__in=chunk).order_by("-pk"):
            known[finding.title] = finding  # the oldest of a title wins
    fields_of = {}
    for e in enjeux:
        for title in e.get("findings") or []:
            fields_of.setdefault(title, list(e.get("fields") or []))
    missing = [title for title in titles if title not in known]
    created = findings_import(
        ctg=ctg,
        actor=tracked["created_by"],
        rows=[
            {
                "kind": Finding.Kind.A_QUALIFIER,
                "title": title,
                "fields": fields_of[title],
                "source_kind": Finding.SourceKind.TYPED,
                "source_label": IMPORTED_FINDINGS_LABEL,
                "is_fictitious": ctg.is_fictitious,
            }
            for title in missing
        ],
        summary=f"{len(missing)} constat(s) créé(s) par l'import du plan d'action",
    )
    known.update(zip(missing, created, strict=True))
    Enjeu.findings.through.objects.bulk_create(
        [
            Enjeu.findings.through(enjeu_id=enjeu.pk, finding_id=known[title].pk)
            for enjeu, e in zip(enjeu_objects, enjeux, strict=True)
            for title in dict.fromkeys(e.get("findings") or [])
        ]
    )


def _import_organisations(ctg, fiches: list[dict]) -> dict[str, Organisation]:
    """Organisations by exact name among those the dossier may name (its territory, département(s), national
    ones: `conventions.selectors.dossier_organisations`): the oldest one of that name, else created in the
    département of the dossier's CAF (in the order of the fiches), so that it is not offered to every
    dossier of France. The one rule of the organisations a dossier names (`selectors
    .check_dossier_organisations`) holds by construction: a name of another CAF's organisation (or of a
    fictitious one in a real dossier) is never matched, a namesake of the CAF's département is created."""
    offered = dossier_organisations(ctg)
    names = list(
        dict.fromkeys(
            name
            for f in fiches
            for name in ([f["pilot_organisation"]] if f["pilot_organisation"] else []) + f["partners"]
        )
    )
    organisations: dict[str, Organisation] = {}
    for chunk in _chunks(names):
        for found in offered.filter(name__in=chunk).order_by("-pk"):
            organisations[found.name] = found  # the last one written is the oldest
    missing = [
        Organisation(
            name=name,
            kind=Organisation.Kind.AUTRE,
            departement_id=ctg.caf.departement_id,
            is_fictitious=ctg.is_fictitious,
        )
        for name in names
        if name not in organisations
    ]
    for created in Organisation.objects.bulk_create(missing):
        organisations[created.name] = created
    return organisations


def _import_fiche_details(fiches, values: list[dict], objectives, communes, organisations, tracked) -> None:
    """The fiches' links, calendar, budget and indicators: one insert per table for the whole plan."""
    objective_links, commune_links, partner_links = [], [], []
    steps, budget, indicators, indicator_values = [], [], [], []
    for fiche, f in zip(fiches, values, strict=True):
        objective_links += [
            FicheAction.objectives.through(ficheaction_id=fiche.pk, operationalobjective_id=pk)
            for pk in dict.fromkeys(objectives[key].pk for key in f["objectives"])
        ]
        commune_links += [
            FicheAction.communes.through(ficheaction_id=fiche.pk, commune_id=pk)
            for pk in dict.fromkeys(communes[code].pk for code in f["communes"])
        ]
        partner_links += [
            FicheAction.partners.through(ficheaction_id=fiche.pk, organisation_id=pk)
            for pk in dict.fromkeys(organisations[name].pk for name in f["partners"])
        ]
        steps += [
            FicheStep(fiche=fiche, year=s["year"], description=s["description"], **tracked)
            for s in f["steps"]
        ]
        budget += [BudgetLine(fiche=fiche, **line, **tracked) for line in f["budget"]]
        for position, i in enumerate(f["indicators"], start=1):
            fields = {name: value for name, value in i.items() if name != "values"}
            indicator = PlanIndicator(fiche=fiche, position=position, **fields, **tracked)
            indicators.append(indicator)
            indicator_values.append((indicator, i["values"]))
    FicheAction.objectives.through.objects.bulk_create(objective_links)
    FicheAction.communes.through.objects.bulk_create(commune_links)
    FicheAction.partners.through.objects.bulk_create(partner_links)
    FicheStep.objects.bulk_create(steps)
    BudgetLine.objects.bulk_create(budget)
    PlanIndicator.objects.bulk_create(indicators)
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator=indicator, **value, **tracked)
            for indicator, values in indicator_values
            for value in values
        ]
    )


IMPORTED_FICHE_FIELDS = (
    "title",
    "fields",
    "context",
    "description",
    "target_public",
    "all_communes",
    "pilot_person",
    "start_date",
    "end_date",
    "status",
    "priority",
    "notes",
)


def plan_import_target(ctg: Ctg) -> Ctg:
    """The dossier locked for an import (call it inside the import's transaction); refuses a plan that is not
    empty."""
    ctg = Ctg.objects.select_for_update().get(pk=ctg.pk)
    if ctg.enjeux.exists() or ctg.fiches.exists():
        raise ValidationError(
            "Le plan d'action de ce dossier n'est pas vide : l'import ne remplit qu'un plan vide "
            "(aucun enjeu ni fiche action)."
        )
    return ctg


@transaction.atomic(savepoint=False)  # inside the import's transaction: no savepoint (two queries fewer)
def plan_import_create(*, ctg: Ctg, actor, enjeux: list[dict], fiches: list[dict]) -> tuple[int, int]:
    """Writes a whole checked plan into the empty plan of `ctg`, in bulk (one insert per table, in batches,
    whatever the number of fiches), and records the import in the dossier's history; returns (enjeux, fiches).

    `enjeux`: in order, each with its "objectives" (strategic, in order) and theirs "operational" (in order,
    each with a "key"); `fiches`: each with its "position", the keys of its "objectives", the INSEE codes of
    its "communes", the names of its "pilot_organisation" and "partners", its "steps", "budget" lines and
    "indicators" (with their "values"). Every fiche must pass `rules.fiche_problems` and its steps, budget
    lines and typed values be of years of the CTG (the import checks them first, sheet by sheet)."""
    period = rules.Period.of(ctg)
    for f in fiches:
        problems = rules.fiche_problems(f, period)
        years = [s["year"] for s in f["steps"]] + [line["year"] for line in f["budget"]]
        years += [
            v["year"]
            for i in f["indicators"]
            for v in i["values"]
            if v["origin"] == IndicatorValue.Origin.TYPED
        ]
        problems += [p for year in years if (p := rules.year_problem(year, period)) is not None]
        if problems:
            raise ValidationError([f"« {f['title']} » : {p.message}" for p in problems])
    user = _person(actor)
    tracked = {"created_by": user, "updated_by": user}
    objectives = _import_tree(ctg, enjeux, tracked)
    organisations = _import_organisations(ctg, fiches)
    objects = [
        FicheAction(
            ctg=ctg,
            position=f["position"],
            pilot_organisation=organisations[f["pilot_organisation"]] if f["pilot_organisation"] else None,
            **{name: f[name] for name in IMPORTED_FICHE_FIELDS},
            **tracked,
        )
        for f in fiches
    ]
    FicheAction.objects.bulk_create(objects)
    communes = {c.code: c for c in ctg.communes.all()}
    _import_fiche_details(objects, fiches, objectives, communes, organisations, tracked)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.PLAN_IMPORT,
        summary=(
            f"Import du plan d'action ({_counted(len(enjeux), 'enjeu', 'enjeux')}, "
            f"{_counted(len(fiches), 'fiche', 'fiches')})"
        ),
        changes={"enjeux": len(enjeux), "fiches": len(fiches)},
    )
    return len(enjeux), len(fiches)


def _counted(n: int, singular: str, plural: str) -> str:
    return f"{n} {plural if n > 1 else singular}"
