"""URLs of the app `ctg.ateliers` (mounted in `ctg/urls.py`)."""

app_name = "ateliers"

urlpatterns: list = []
