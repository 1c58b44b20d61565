"""URLs of the steering of a dossier, all under /gouvernance/ctg/<pk>/… (the coordinator post, ctg.post, has
its own under /gouvernance/ctg/<pk>/poste/)."""

from django.urls import include, path

app_name = "governance"

urlpatterns = [
    path("ctg/<int:pk>/", include("ctg.governance.urls_meetings")),
]
