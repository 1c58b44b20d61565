"""URLs of the plan d'action, all under /plan/ctg/<pk>/… Each area has its own URL module and views; the
exchange of the plan (`ctg.exchange.urls`, an app above plans) is added to this namespace by `ctg/urls.py`.
The yearly bilan, under /plan/ctg/<pk>/bilan/, is `ctg.evaluation.urls` (namespace `evaluation`)."""

from django.urls import include, path

app_name = "plans"

urlpatterns = [
    path("ctg/<int:pk>/", include("ctg.plans.urls_tree")),
    path("ctg/<int:pk>/", include("ctg.plans.urls_follow")),
    path("ctg/<int:pk>/", include("ctg.plans.urls_evidence")),
    path("ctg/<int:pk>/", include("ctg.plans.urls_scenario")),
    path("ctg/<int:pk>/", include("ctg.plans.urls_findings")),
]
