"""URLs of the steering of a dossier, all under /gouvernance/ctg/<pk>/… Each area has its own URL module."""

from django.urls import include, path

app_name = "governance"

urlpatterns = [
    path("ctg/<int:pk>/", include("ctg.governance.urls_meetings")),
    path("ctg/<int:pk>/", include("ctg.governance.urls_post")),
]
