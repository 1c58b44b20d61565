from django.urls import path

from ctg.diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("ctg/<int:pk>/", views.ctg_portrait, name="ctg"),
    path("ctg/<int:pk>/communes.csv", views.ctg_communes_csv, name="ctg_communes_csv"),
    path("ctg/<int:pk>/pdf/", views.ctg_pdf, name="ctg_pdf"),
    path("<str:code>/", views.territory, name="territory"),
    path("<str:code>/communes.csv", views.communes_csv, name="communes_csv"),
    path("<str:code>/pdf/", views.pdf, name="pdf"),
]
