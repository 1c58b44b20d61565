"""URLs of the app `ctg.surveys` (mounted in `ctg/urls.py` under /diagnostic/ctg/<pk>/questionnaires/)."""

from django.urls import path

from ctg.surveys import views

app_name = "surveys"

Q = "<int:questionnaire_pk>/"

urlpatterns = [
    path("", views.questionnaire_list, name="list"),
    path("ajouter/", views.questionnaire_create, name="create"),
    path(Q, views.questionnaire_detail, name="detail"),
    path(f"{Q}modifier/", views.questionnaire_edit, name="edit"),
    path(f"{Q}supprimer/", views.questionnaire_delete, name="delete"),
    path(f"{Q}ouvrir/", views.questionnaire_open, name="open"),
    path(f"{Q}fermer/", views.questionnaire_close, name="close"),
    path(f"{Q}apercu/", views.preview, name="preview"),
    path(f"{Q}saisie-papier/", views.paper_entry, name="paper"),
    path(f"{Q}droit-acces/", views.respondent_access, name="access"),
    path(f"{Q}sections/ajouter/", views.section_add, name="section_add"),
    path(f"{Q}sections/<int:section_pk>/modifier/", views.section_edit, name="section_edit"),
    path(f"{Q}sections/<int:section_pk>/supprimer/", views.section_delete, name="section_delete"),
    path(f"{Q}sections/<int:section_pk>/deplacer/", views.section_move, name="section_move"),
    path(f"{Q}questions/ajouter/", views.question_add, name="question_add"),
    path(f"{Q}questions/<int:question_pk>/modifier/", views.question_edit, name="question_edit"),
    path(f"{Q}questions/<int:question_pk>/supprimer/", views.question_delete, name="question_delete"),
    path(f"{Q}questions/<int:question_pk>/deplacer/", views.question_move, name="question_move"),
    path(f"{Q}questions/<int:question_pk>/champ/", views.question_field, name="question_field"),
    path(f"{Q}questions/<int:question_pk>/options/ajouter/", views.option_add, name="option_add"),
    path(f"{Q}options/<int:option_pk>/modifier/", views.option_edit, name="option_edit"),
    path(f"{Q}options/<int:option_pk>/supprimer/", views.option_delete, name="option_delete"),
    path(f"{Q}options/<int:option_pk>/deplacer/", views.option_move, name="option_move"),
    path(f"{Q}liens/", views.links, name="links"),
    path(f"{Q}liens/public/", views.link_add, name="link_add"),
    path(f"{Q}liens/usage-unique/", views.links_generate, name="links_generate"),
    path(f"{Q}liens/<int:link_pk>/desactiver/", views.link_deactivate, name="link_deactivate"),
]

from ctg.surveys import urls_results  # noqa: E402

urlpatterns += urls_results.urlpatterns
