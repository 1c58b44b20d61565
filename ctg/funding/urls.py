"""URLs of the app `ctg.funding`, mounted at /caf/financements/ in `ctg/urls.py` (namespace `funding`): the
CAF's funding parameter table and the simulator."""

app_name = "funding"

urlpatterns: list = []
