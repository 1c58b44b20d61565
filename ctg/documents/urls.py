"""URLs of the convention document, under /convention/…"""

from django.urls import path

from ctg.documents import views

app_name = "documents"

urlpatterns = [
    path("ctg/<int:pk>/", views.convention, name="convention"),
]
