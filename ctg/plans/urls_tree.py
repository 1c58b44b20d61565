"""The plan's tree and the fiche action pages, under /plan/ctg/<pk>/."""

from django.urls import path

from ctg.plans import views_fiche, views_tree

urlpatterns = [
    path("", views_tree.tree, name="tree"),
    path("enjeux/nouveau/", views_tree.enjeu_create, name="enjeu_create"),
    path("enjeux/<int:enjeu_pk>/modifier/", views_tree.enjeu_edit, name="enjeu_edit"),
    path("enjeux/<int:enjeu_pk>/deplacer/", views_tree.enjeu_move, name="enjeu_move"),
    path("enjeux/<int:enjeu_pk>/supprimer/", views_tree.enjeu_delete, name="enjeu_delete"),
    path("enjeux/<int:enjeu_pk>/objectifs/nouveau/", views_tree.strategic_create, name="strategic_create"),
    path("objectifs/<int:objective_pk>/modifier/", views_tree.strategic_edit, name="strategic_edit"),
    path("objectifs/<int:objective_pk>/deplacer/", views_tree.strategic_move, name="strategic_move"),
    path("objectifs/<int:objective_pk>/supprimer/", views_tree.strategic_delete, name="strategic_delete"),
    path(
        "objectifs/<int:objective_pk>/operationnels/nouveau/",
        views_tree.operational_create,
        name="operational_create",
    ),
    path("operationnels/<int:objective_pk>/modifier/", views_tree.operational_edit, name="operational_edit"),
    path("operationnels/<int:objective_pk>/deplacer/", views_tree.operational_move, name="operational_move"),
    path(
        "operationnels/<int:objective_pk>/supprimer/",
        views_tree.operational_delete,
        name="operational_delete",
    ),
    path("fiches/nouvelle/", views_fiche.fiche_create, name="fiche_create"),
    path("fiches/<int:fiche_pk>/", views_fiche.fiche_detail, name="fiche_detail"),
    path("fiches/<int:fiche_pk>/modifier/", views_fiche.fiche_edit, name="fiche_edit"),
    path("fiches/<int:fiche_pk>/commenter/", views_fiche.fiche_comment, name="fiche_comment"),
    path("fiches/<int:fiche_pk>/budget/", views_fiche.fiche_budget, name="fiche_budget"),
    path("fiches/<int:fiche_pk>/pieces-jointes/", views_fiche.fiche_attachment, name="fiche_attachment"),
    path("fiches/<int:fiche_pk>/etapes/", views_fiche.fiche_steps, name="fiche_steps"),
    path(
        "fiches/<int:fiche_pk>/pieces-jointes/<int:attachment_pk>/",
        views_fiche.fiche_attachment_download,
        name="fiche_attachment_download",
    ),
    path(
        "fiches/<int:fiche_pk>/indicateurs/",
        views_fiche.fiche_indicator_create,
        name="fiche_indicator_create",
    ),
    path(
        "fiches/<int:fiche_pk>/budget/<int:line_pk>/supprimer/",
        views_fiche.fiche_budget_delete,
        name="fiche_budget_delete",
    ),
    path(
        "fiches/<int:fiche_pk>/indicateurs/<int:indicator_pk>/modifier/",
        views_fiche.fiche_indicator_edit,
        name="fiche_indicator_edit",
    ),
    path(
        "fiches/<int:fiche_pk>/indicateurs/<int:indicator_pk>/supprimer/",
        views_fiche.fiche_indicator_delete,
        name="fiche_indicator_delete",
    ),
    path("fiches/<int:fiche_pk>/valeurs/", views_fiche.fiche_indicator_value, name="fiche_indicator_value"),
    path("fiches/<int:fiche_pk>/deplacer/", views_fiche.fiche_move, name="fiche_move"),
    path("fiches/<int:fiche_pk>/supprimer/", views_fiche.fiche_delete, name="fiche_delete"),
]
