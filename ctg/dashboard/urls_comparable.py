"""URLs of the CAF's view: the comparison of territories (included by `ctg.dashboard.urls`): the EPCI of a
département side by side, and the comparable territories of an EPCI."""

from django.urls import path, re_path

from ctg.dashboard import views_comparable

CODE = r"(?P<code>[0-9]{2}|2[AB]|97[0-9])"

urlpatterns: list = [
    re_path(rf"^{CODE}/comparaison/$", views_comparable.comparison, name="comparison"),
    re_path(rf"^{CODE}/comparaison\.csv$", views_comparable.comparison_csv, name="comparison_csv"),
    re_path(rf"^{CODE}/comparaison\.xlsx$", views_comparable.comparison_xlsx, name="comparison_xlsx"),
    path("territoires-comparables/", views_comparable.comparable_search, name="comparable_search"),
    path("territoires-comparables/<str:siren>/", views_comparable.comparable_epci, name="comparable"),
]
