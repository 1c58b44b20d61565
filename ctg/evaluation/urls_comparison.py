"""URL of the comparison of a CTG with the one it renews, under /plan/ctg/<pk>/comparaison/ (included by
`ctg/evaluation/urls.py`, namespace `evaluation`)."""

from django.urls import path

from ctg.evaluation.views_comparison import comparison_page

urlpatterns = [
    path("", comparison_page, name="comparison"),
]
