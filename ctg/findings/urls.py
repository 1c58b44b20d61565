"""URLs of the app `ctg.findings` (mounted in `ctg/urls.py`)."""

app_name = "findings"

urlpatterns: list = []
