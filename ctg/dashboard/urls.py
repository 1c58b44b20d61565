"""URLs of the app `ctg.dashboard`, mounted at /caf/ in `ctg/urls.py` (namespace `dashboard`): the
départemental dashboard (`urls_dashboard`), the comparison of territories (`urls_comparable`) and the axes of
the Schéma départemental des services aux familles (`urls_axes`)."""

from ctg.dashboard import urls_axes, urls_comparable, urls_dashboard

app_name = "dashboard"

urlpatterns = [*urls_dashboard.urlpatterns, *urls_comparable.urlpatterns, *urls_axes.urlpatterns]
