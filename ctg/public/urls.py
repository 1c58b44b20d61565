"""URLs of the app `ctg.public` (mounted in `ctg/urls.py`)."""

app_name = "public"

urlpatterns: list = []
