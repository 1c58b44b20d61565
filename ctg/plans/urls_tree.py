"""The plan's tree and the fiche action pages, under /plan/ctg/<pk>/."""

from django.urls import path

from ctg.plans import views_tree as views

urlpatterns = [
    path("", views.tree, name="tree"),
    path("enjeux/nouveau/", views.enjeu_create, name="enjeu_create"),
    path("enjeux/<int:enjeu_pk>/modifier/", views.enjeu_edit, name="enjeu_edit"),
    path("enjeux/<int:enjeu_pk>/deplacer/", views.enjeu_move, name="enjeu_move"),
    path("enjeux/<int:enjeu_pk>/supprimer/", views.enjeu_delete, name="enjeu_delete"),
    path("enjeux/<int:enjeu_pk>/objectifs/nouveau/", views.strategic_create, name="strategic_create"),
    path("objectifs/<int:objective_pk>/modifier/", views.strategic_edit, name="strategic_edit"),
    path("objectifs/<int:objective_pk>/deplacer/", views.strategic_move, name="strategic_move"),
    path("objectifs/<int:objective_pk>/supprimer/", views.strategic_delete, name="strategic_delete"),
    path(
        "objectifs/<int:objective_pk>/operationnels/nouveau/",
        views.operational_create,
        name="operational_create",
    ),
    path("operationnels/<int:objective_pk>/modifier/", views.operational_edit, name="operational_edit"),
    path("operationnels/<int:objective_pk>/deplacer/", views.operational_move, name="operational_move"),
    path("operationnels/<int:objective_pk>/supprimer/", views.operational_delete, name="operational_delete"),
    path("fiches/nouvelle/", views.fiche_create, name="fiche_create"),
    path("fiches/<int:fiche_pk>/", views.fiche_detail, name="fiche_detail"),
    path("fiches/<int:fiche_pk>/modifier/", views.fiche_edit, name="fiche_edit"),
    path("fiches/<int:fiche_pk>/commenter/", views.fiche_comment, name="fiche_comment"),
    path("fiches/<int:fiche_pk>/budget/", views.fiche_budget, name="fiche_budget"),
    path("fiches/<int:fiche_pk>/pieces-jointes/", views.fiche_attachment, name="fiche_attachment"),
    path("fiches/<int:fiche_pk>/etapes/", views.fiche_steps, name="fiche_steps"),
    path(
        "fiches/<int:fiche_pk>/pieces-jointes/<int:attachment_pk>/",
        views.fiche_attachment_download,
        name="fiche_attachment_download",
    ),
    path("fiches/<int:fiche_pk>/indicateurs/", views.fiche_indicator_create, name="fiche_indicator_create"),
    path(
        "fiches/<int:fiche_pk>/budget/<int:line_pk>/supprimer/",
        views.fiche_budget_delete,
        name="fiche_budget_delete",
    ),
    path(
        "fiches/<int:fiche_pk>/indicateurs/<int:indicator_pk>/modifier/",
        views.fiche_indicator_edit,
        name="fiche_indicator_edit",
    ),
    path(
        "fiches/<int:fiche_pk>/indicateurs/<int:indicator_pk>/supprimer/",
        views.fiche_indicator_delete,
        name="fiche_indicator_delete",
    ),
    path("fiches/<int:fiche_pk>/valeurs/", views.fiche_indicator_value, name="fiche_indicator_value"),
    path("fiches/<int:fiche_pk>/deplacer/", views.fiche_move, name="fiche_move"),
    path("fiches/<int:fiche_pk>/supprimer/", views.fiche_delete, name="fiche_delete"),
]
