"""URLs of the CAF's view: the axes of the Schéma départemental des services aux familles and their coverage
by the CTGs of the département (included by `ctg.dashboard.urls`, namespace `dashboard`)."""

from django.urls import path

from ctg.dashboard import views_axes

urlpatterns = [
    path("<str:departement>/axes/", views_axes.axes, name="axes"),
    path("<str:departement>/axes/couverture.csv", views_axes.axes_csv, name="axes_csv"),
    path("<str:departement>/axes/nouveau/", views_axes.axis_create, name="axis_create"),
    path("<str:departement>/axes/<int:axis_pk>/modifier/", views_axes.axis_edit, name="axis_edit"),
    path("<str:departement>/axes/<int:axis_pk>/vigueur/", views_axes.axis_active, name="axis_active"),
    path("<str:departement>/axes/<int:axis_pk>/deplacer/", views_axes.axis_move, name="axis_move"),
    path("<str:departement>/axes/<int:axis_pk>/supprimer/", views_axes.axis_delete, name="axis_delete"),
]
