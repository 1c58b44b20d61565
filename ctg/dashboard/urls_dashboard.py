"""URLs of the CAF's view: dashboard (included by `ctg.dashboard.urls`)."""

urlpatterns: list = []
