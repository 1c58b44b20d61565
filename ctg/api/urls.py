"""URLs of the app `ctg.api` (issue 15), mounted in `ctg/urls.py`."""

app_name = "api"

urlpatterns: list = []
