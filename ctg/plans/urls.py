"""URLs of the plan d'action, all under /plan/ctg/<pk>/… Each area has its own URL module and views."""

from django.urls import include, path

app_name = "plans"

urlpatterns = [
    path("ctg/<int:pk>/", include("ctg.plans.urls_tree")),
    path("ctg/<int:pk>/", include("ctg.plans.urls_follow")),
    path("ctg/<int:pk>/", include("ctg.plans.urls_bilan")),
]
