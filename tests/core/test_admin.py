"""The admins of the steering and of the coordinator post only show: every write goes through the services."""

from django.contrib import admin
from django.test import RequestFactory

from ctg.core.admin import ReadOnlyMixin
from ctg.governance.models import Body, Meeting
from ctg.post.models import CoordinatorPost


def test_the_steering_and_post_admins_never_write(django_user_model):
    request = RequestFactory().get("/admin/")
    request.user = django_user_model(is_staff=True, is_superuser=True)
    for model in (Body, Meeting, CoordinatorPost):
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ReadOnlyMixin)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        for inline in model_admin.get_inline_instances(request):
            assert isinstance(inline, ReadOnlyMixin)
