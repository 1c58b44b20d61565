"""What a renewal carries of the governance (registered in `GovernanceConfig.ready` with
`ctg.conventions.renewal.register`): the bodies (COPIL, COTECH…) with their members, each body a choice; the
meetings and decisions stay with the previous CTG."""

from ctg.conventions.models import Ctg
from ctg.conventions.renewal import Choice, Group
from ctg.core.history import history_record
from ctg.core.models import Action
from ctg.governance.models import Body
from ctg.governance.services.bodies import body_create, member_add


def options(previous: Ctg) -> list[Group]:
    bodies = list(Body.objects.filter(ctg=previous).prefetch_related("members").order_by("position", "pk"))
    if not bodies:
        return []
    return [
        Group(
            key="bodies",
            title="Instances de gouvernance et leurs membres",
            choices=[
                Choice(
                    key=f"body:{body.pk}",
                    label=body.name,
                    detail=f"{len(body.members.all())} membre{'s' if len(body.members.all()) > 1 else ''}",
                )
                for body in bodies
            ],
        )
    ]


def carry_over(*, previous: Ctg, new: Ctg, actor, chosen: set[str]) -> list[str]:
    done = []
    for body in Body.objects.filter(ctg=previous).prefetch_related("members").order_by("position", "pk"):
        if f"body:{body.pk}" not in chosen:
            continue
        copy = body_create(ctg=new, actor=actor, kind=body.kind, name=body.name, role=body.role)
        for member in body.members.all():
            member_add(
                body=copy,
                actor=actor,
                organisation=member.organisation,
                person_name=member.person_name,
                capacity=member.capacity,
                email=member.email,
                user=member.user,
            )
        history_record(
            ctg=previous,
            actor=actor,
            action=Action.BODY,
            summary=f"{body.name} : instance renouvelée en « {new.title} » ({new.period_label})",
            item=body,
        )
        done.append(f"Instance reprise : {body.name}")
    return done
