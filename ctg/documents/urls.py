"""URLs of the convention document, under /convention/…"""

from django.urls import path

from ctg.documents import views

app_name = "documents"

urlpatterns = [
    path("modele/", views.template_edit, name="template"),
    path("modele/retablir/", views.template_reset, name="template_reset"),
    path("ctg/<int:pk>/", views.convention, name="convention"),
    path("ctg/<int:pk>/generer/", views.generate, name="generate"),
    path("ctg/<int:pk>/avenant/<int:avenant_pk>/generer/", views.avenant_generate, name="avenant_generate"),
    path("ctg/<int:pk>/version/<int:number>/docx/", views.version_docx, name="version_docx"),
    path("ctg/<int:pk>/version/<int:number>/pdf/", views.version_pdf, name="version_pdf"),
]
