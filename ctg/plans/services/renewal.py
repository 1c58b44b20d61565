"""What a renewal carries of the plan d'action (registered in `PlansConfig.ready` with
`ctg.conventions.renewal.register`): the fiches not finished (neither « Réalisée » nor « Abandonnée »), under
copies of their enjeux and objectives, each linked to the fiche it continues (`FicheAction.carried_from`, its
history stays in the previous CTG); their indicators, whose baseline becomes the last realised value of the
previous CTG (value and year). Targets and realised values belong to the previous period and stay there."""

from ctg.conventions.models import Ctg
from ctg.conventions.renewal import Choice, Group
from ctg.core.history import history_record
from ctg.core.models import Action
from ctg.plans.models import FicheAction, IndicatorValue, OperationalObjective, PlanIndicator
from ctg.plans.services.fiches import fiche_create
from ctg.plans.services.indicators import indicator_create
from ctg.plans.services.tree import enjeu_create, operational_objective_create, strategic_objective_create

FINISHED = (FicheAction.Status.REALISEE, FicheAction.Status.ABANDONNEE)


def unfinished_fiches(previous: Ctg):
    return (
        FicheAction.objects.filter(ctg=previous)
        .exclude(status__in=FINISHED)
        .prefetch_related("indicators")
        .order_by("position", "pk")
    )


def last_realised(indicator: PlanIndicator) -> IndicatorValue | None:
    return (
        IndicatorValue.objects.filter(indicator=indicator, kind=IndicatorValue.Kind.REALISED)
        .order_by("-year", "-pk")
        .first()
    )


def _baseline_text(indicator: PlanIndicator) -> str:
    value = last_realised(indicator)
    if value is not None:
        return f"valeur de référence : {_number(value.value)} en {value.year} (dernier réalisé)"
    if indicator.baseline_value is not None:
        return f"valeur de référence gardée : {_number(indicator.baseline_value)}"
    return "sans valeur de référence"


def _number(value) -> str:
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text.replace(".", ",")


def options(previous: Ctg) -> list[Group]:
    groups = []
    for fiche in unfinished_fiches(previous):
        choices = [
            Choice(
                key=f"fiche:{fiche.pk}", label=fiche.title, detail=f"Statut : {fiche.get_status_display()}"
            )
        ]
        choices.extend(
            Choice(
                key=f"indicator:{indicator.pk}",
                label=indicator.label,
                detail=_baseline_text(indicator),
                parent=f"fiche:{fiche.pk}",
            )
            for indicator in fiche.indicators.all()
        )
        groups.append(
            Group(key=f"fiche-{fiche.pk}", title=f"Fiche action « {fiche.title} »", choices=choices)
        )
    return groups


def carry_over(*, previous: Ctg, new: Ctg, actor, chosen: set[str]) -> list[str]:
    done = []
    copies: dict[tuple[str, int], object] = {}

    def operational_copy(objective: OperationalObjective):
        strategic, enjeu = objective.strategic, objective.strategic.enjeu
        if ("enjeu", enjeu.pk) not in copies:
            copies["enjeu", enjeu.pk] = enjeu_create(
                ctg=new, actor=actor, title=enjeu.title, description=enjeu.description, fields=enjeu.fields
            )
        if ("strategic", strategic.pk) not in copies:
            copies["strategic", strategic.pk] = strategic_objective_create(
                enjeu=copies["enjeu", enjeu.pk],
                actor=actor,
                title=strategic.title,
                description=strategic.description,
            )
        if ("operational", objective.pk) not in copies:
            copies["operational", objective.pk] = operational_objective_create(
                strategic=copies["strategic", strategic.pk],
                actor=actor,
                title=objective.title,
                description=objective.description,
            )
        return copies["operational", objective.pk]

    for fiche in unfinished_fiches(previous):
        if f"fiche:{fiche.pk}" not in chosen:
            continue
        objectives = [
            operational_copy(o)
            for o in fiche.objectives.select_related("strategic__enjeu").order_by(
                "strategic__enjeu__position", "strategic__position", "position"
            )
        ]
        copy = fiche_create(
            ctg=new,
            actor=actor,
            title=fiche.title,
            objectives=objectives,
            fields=[f for f in fiche.fields if f in new.fields],
            context=fiche.context,
            description=fiche.description,
            target_public=fiche.target_public,
            all_communes=fiche.all_communes,
            communes=list(fiche.communes.filter(pk__in=new.communes.values("pk"))),
            pilot_organisation=fiche.pilot_organisation,
            pilot_person=fiche.pilot_person,
            partners=list(fiche.partners.all()),
            status=fiche.status,
            priority=fiche.priority,
        )
        FicheAction.objects.filter(pk=copy.pk).update(carried_from=fiche)
        copy.carried_from = fiche
        history_record(
            ctg=new,
            actor=actor,
            action=Action.FICHE,
            summary=(
                f"Fiche action « {copy.title} » reprise de « {previous.title} » ({previous.period_label})"
            ),
            item=copy,
            item_version=copy.version,
        )
        history_record(
            ctg=previous,
            actor=actor,
            action=Action.FICHE,
            summary=f"Fiche action « {fiche.title} » renouvelée en « {new.title} » ({new.period_label})",
            item=fiche,
            item_version=fiche.version,
        )
        done.append(f"Fiche action reprise : {fiche.title}")
        for indicator in fiche.indicators.all():
            if f"indicator:{indicator.pk}" not in chosen:
                continue
            last = last_realised(indicator)
            indicator_create(
                fiche=copy,
                actor=actor,
                label=indicator.label,
                unit=indicator.unit,
                direction=indicator.direction,
                nature=indicator.nature,
                baseline_value=last.value if last else indicator.baseline_value,
                baseline_year=last.year if last else indicator.baseline_year,
                portrait_indicator=indicator.portrait_indicator,
                territory_code=indicator.territory_code,
            )
            done.append(f"Indicateur repris : {indicator.label}")
    return done
