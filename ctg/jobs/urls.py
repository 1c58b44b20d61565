"""URLs of the app `ctg.jobs` (issue 15), mounted in `ctg/urls.py` under /travaux/."""

from django.urls import path

from ctg.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/etat/", views.status, name="status"),
    path("<int:pk>/fichier/", views.result_file, name="file"),
]
