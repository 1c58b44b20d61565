"""URLs of the CAF's view: comparable (included by `ctg.dashboard.urls`)."""

urlpatterns: list = []
