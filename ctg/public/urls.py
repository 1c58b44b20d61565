"""URLs of the app `ctg.public`, mounted at the root in `ctg/urls.py`: the anonymous pages under
/ctg-publique/, the settings of a dossier's public page under /ctg/<pk>/publication/."""

from django.urls import path

from ctg.public import views

app_name = "public"

urlpatterns = [
    path("ctg-publique/", views.published_list, name="list"),
    path("ctg-publique/<slug:slug>/", views.page, name="page"),
    path("ctg-publique/<slug:slug>/integration/", views.embed, name="embed"),
    path("ctg/<int:pk>/publication/", views.settings_page, name="settings"),
    path("ctg/<int:pk>/publication/publier/", views.publish, name="publish"),
    path("ctg/<int:pk>/publication/retirer/", views.withdraw, name="withdraw"),
]
