"""The public answering pages of the questionnaires (no account), mounted under /questionnaire/ in
`ctg/urls.py`."""

app_name = "answer"

urlpatterns: list = []
