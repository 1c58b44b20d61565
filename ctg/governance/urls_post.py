from django.urls import path

from ctg.governance import views_post as views

urlpatterns = [
    path("poste/", views.post, name="post"),
]
