"""URLs of the app `ctg.api` (issue 15), mounted in `ctg/urls.py`: the API under `/api/` (its schema at
`/api/openapi.json`, its documentation page at `/api/docs`) and the page of a person's tokens."""

from django.urls import path

from ctg.api import views
from ctg.api.api import api

app_name = "api"

urlpatterns = [
    path("api/docs", views.docs, name="docs"),
    path("api/", api.urls),
    path("compte/jetons-api/", views.tokens, name="tokens"),
    path("compte/jetons-api/<int:token_pk>/revoquer/", views.token_revoke, name="token_revoke"),
]
