"""The axes of the demo CAF's Schéma départemental des services aux familles (issue 14), all fictitious (each
title says « (fictif) », its description says it is a demonstration), written through
`ctg.organisations.schema_axes` by the CAF's adviser, and the demo plan's enjeux tagged with them through
`plans.services.schema_axes.enjeu_axes_set`. One axis is left uncovered, so that the coverage table shows an
axis no CTG covers. Loaded once: nothing is written when the CAF already has axes in its département (a
real schema recorded by the CAF is never mixed with these)."""

from ctg.conventions.models import Ctg
from ctg.organisations.models import SchemaAxis
from ctg.organisations.schema_axes import axis_create
from ctg.plans.services.schema_axes import enjeu_axes_set

PERIOD = "2022-2026"
DESCRIPTION = "Axe fictif de la démonstration : il n'est tiré d'aucun schéma départemental publié."
# (number, title, the beginnings of the titles of the demo enjeux that serve it)
AXES = [
    (
        "1",
        "Développer une offre d'accueil du jeune enfant accessible à toutes les familles (fictif)",
        ["Développer"],
    ),
    ("2", "Soutenir les parents dans leur rôle éducatif (fictif)", ["Accompagner les parents"]),
    ("3", "Favoriser l'engagement et l'autonomie des jeunes (fictif)", ["Offrir aux jeunes"]),
    ("4", "Animer la vie sociale et faciliter l'accès aux droits (fictif)", ["Faciliter l'accès"]),
    ("5", "Améliorer l'accueil des enfants en situation de handicap (fictif)", []),
]


def load_demo_schema_axes(ctg: Ctg, caf_adviser, coordinator) -> bool:
    """Creates the fictitious axes of the dossier's CAF once and tags the demo's enjeux; returns whether it
    created them now."""
    caf = ctg.caf
    if not caf.departement_id or SchemaAxis.objects.filter(caf=caf, departement=caf.departement_id).exists():
        return False
    enjeux = list(ctg.enjeux.all())
    tags: dict[int, list[SchemaAxis]] = {}
    for code, title, prefixes in AXES:
        axis = axis_create(
            actor=caf_adviser,
            caf=caf,
            departement=caf.departement_id,
            code=code,
            title=title,
            description=DESCRIPTION,
            schema_period=PERIOD,
        )
        for enjeu in enjeux:
            if any(enjeu.title.startswith(prefix) for prefix in prefixes):
                tags.setdefault(enjeu.pk, []).append(axis)
    for enjeu in enjeux:
        if enjeu.pk in tags:
            enjeu_axes_set(enjeu=enjeu, axes=tags[enjeu.pk], actor=coordinator)
    return True
