"""URLs of the app `ctg.funding`, mounted at /caf/financements/ in `ctg/urls.py` (namespace `funding`): the
CAF's funding parameter table and the simulator."""

from django.urls import path

from ctg.funding import views

app_name = "funding"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:caf_pk>/parametres/", views.parameters, name="parameters"),
    path("<int:caf_pk>/parametres/<int:year>/<slug:key>/", views.parameter, name="parameter"),
    path("<int:caf_pk>/simulateur/", views.simulator, name="simulator"),
]
