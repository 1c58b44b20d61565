"""URLs of the CAF's view: dashboard (included by `ctg.dashboard.urls`).

The argument `departement` (named as on the axes' pages) is a département code, two digits, 2A, 2B or 97x:
any other segment is left to the other pages of /caf/."""

from django.urls import path, re_path

from ctg.dashboard import views_dashboard

CODE = r"(?P<departement>[0-9]{2}|2[AB]|97[0-9])"

urlpatterns: list = [
    path("", views_dashboard.dashboard_home, name="home"),
    re_path(rf"^{CODE}/$", views_dashboard.departement_dashboard, name="departement"),
    re_path(rf"^{CODE}/export\.csv$", views_dashboard.departement_csv, name="departement_csv"),
    re_path(rf"^{CODE}/export\.xlsx$", views_dashboard.departement_xlsx, name="departement_xlsx"),
]
