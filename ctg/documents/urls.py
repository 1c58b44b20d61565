"""URLs of the documents, under /convention/…: the convention and the diagnostic partagé document."""

from django.urls import path

from ctg.documents import diagnostic_views, views

app_name = "documents"

urlpatterns = [
    path("modele/", views.template_edit, name="template"),
    path("modele/retablir/", views.template_reset, name="template_reset"),
    path("ctg/<int:pk>/", views.convention, name="convention"),
    path("ctg/<int:pk>/generer/", views.generate, name="generate"),
    path("ctg/<int:pk>/avenant/<int:avenant_pk>/generer/", views.avenant_generate, name="avenant_generate"),
    path("ctg/<int:pk>/version/<int:number>/docx/", views.version_docx, name="version_docx"),
    path("ctg/<int:pk>/version/<int:number>/pdf/", views.version_pdf, name="version_pdf"),
    # The diagnostic partagé document.
    path("ctg/<int:pk>/diagnostic/", diagnostic_views.diagnostic_report, name="diagnostic"),
    path(
        "ctg/<int:pk>/diagnostic/generer/", diagnostic_views.diagnostic_generate, name="diagnostic_generate"
    ),
    path(
        "ctg/<int:pk>/diagnostic/version/<int:number>/pdf/",
        diagnostic_views.diagnostic_version_pdf,
        name="diagnostic_version_pdf",
    ),
    path(
        "ctg/<int:pk>/diagnostic/version/<int:number>/docx/",
        diagnostic_views.diagnostic_version_docx,
        name="diagnostic_version_docx",
    ),
    # The yearly funding convention of the coordinator post (issue 14).
    path("modele-poste/", views.post_convention_template, name="post_convention_template"),
    path(
        "modele-poste/retablir/",
        views.post_convention_template_reset,
        name="post_convention_template_reset",
    ),
    path(
        "ctg/<int:pk>/poste/<int:year>/generer/",
        views.post_convention_generate,
        name="post_convention_generate",
    ),
    path(
        "ctg/<int:pk>/poste/<int:year>/version/<int:number>/docx/",
        views.post_convention_docx,
        name="post_convention_docx",
    ),
    path(
        "ctg/<int:pk>/poste/<int:year>/version/<int:number>/pdf/",
        views.post_convention_pdf,
        name="post_convention_pdf",
    ),
]
