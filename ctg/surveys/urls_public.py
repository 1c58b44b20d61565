"""The public answering pages of the questionnaires (no account), mounted under /questionnaire/ in
`ctg/urls.py`."""

from django.urls import path

from ctg.surveys import views_public

app_name = "answer"

urlpatterns = [
    path("<str:token>/", views_public.notice, name="notice"),
    path("<str:token>/repondre/", views_public.answer, name="form"),
    path("<str:token>/merci/", views_public.thanks, name="thanks"),
]
