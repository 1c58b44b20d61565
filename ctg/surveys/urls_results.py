"""URLs of the results of a questionnaire, appended to `ctg/surveys/urls.py` (namespace `surveys`)."""

from django.urls import path

from ctg.surveys import views_results

Q = "<int:questionnaire_pk>/resultats/"

urlpatterns = [
    path(Q, views_results.results_page, name="results"),
    path(f"{Q}reponses-libres/", views_results.results_texts, name="results_texts"),
    path(f"{Q}reponses-libres/<int:answer_pk>/etiquettes/", views_results.answer_tags, name="answer_tags"),
    path(f"{Q}export-csv/", views_results.export_csv, name="results_csv"),
    path(f"{Q}export-xlsx/", views_results.export_xlsx, name="results_xlsx"),
    path(f"{Q}synthese-csv/", views_results.export_aggregate, name="results_aggregate"),
]
