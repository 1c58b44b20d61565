"""URLs of the app `ctg.transfer` (issue 15), mounted in `ctg/urls.py`."""

app_name = "transfer"

urlpatterns: list = []
