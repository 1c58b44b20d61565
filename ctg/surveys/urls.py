"""URLs of the app `ctg.surveys` (mounted in `ctg/urls.py`)."""

app_name = "surveys"

urlpatterns: list = []
