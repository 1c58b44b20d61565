"""URLs of the CAF's view: axes (included by `ctg.dashboard.urls`)."""

urlpatterns: list = []
