"""URLs of the app `ctg.jobs` (issue 15), mounted in `ctg/urls.py`."""

app_name = "jobs"

urlpatterns: list = []
