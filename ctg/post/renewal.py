"""What a renewal carries of the coordinator post (registered in `PostConfig.ready` with
`ctg.conventions.renewal.register`): the person, employer, ETP and missions, for a new period starting on
the 1st of January of the new CTG's first year; the CAF's yearly fundings and reports stay with the previous
CTG (each year is asked again)."""

import datetime

from ctg.conventions.models import Ctg
from ctg.conventions.renewal import Choice, Group
from ctg.core.history import history_record
from ctg.core.models import Action
from ctg.post.models import CoordinatorPost
from ctg.post.services import post_set


def options(previous: Ctg) -> list[Group]:
    post = CoordinatorPost.objects.filter(ctg=previous).select_related("employer").first()
    if post is None:
        return []
    return [
        Group(
            key="post",
            title="Poste de coordination",
            help_text="Une nouvelle période commence au 1er janvier de la première année de la nouvelle CTG.",
            choices=[Choice(key="post", label=str(post), detail=f"{post.employer}, {post.fte} ETP")],
        )
    ]


def carry_over(*, previous: Ctg, new: Ctg, actor, chosen: set[str]) -> list[str]:
    post = CoordinatorPost.objects.filter(ctg=previous).select_related("employer", "user").first()
    if post is None or "post" not in chosen:
        return []
    post_set(
        ctg=new,
        actor=actor,
        person_name=post.person_name,
        user=post.user,
        employer=post.employer,
        fte=post.fte,
        start_date=datetime.date(new.start_year, 1, 1),
        missions=post.missions,
    )
    history_record(
        ctg=previous,
        actor=actor,
        action=Action.POST,
        summary=f"Poste de coordination renouvelé en « {new.title} » ({new.period_label})",
        item=post,
    )
    return [f"Poste de coordination repris : {post}"]
