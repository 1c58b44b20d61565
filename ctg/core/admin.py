from django.contrib import admin

from ctg.core.models import HistoryEntry


class ReadOnlyMixin:
    """An admin (or inline) that shows and never writes: changes go through the apps' services, which record
    them in the dossier's history."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ["ctg", "at", "actor", "action", "summary"]
    list_filter = ["action"]
    readonly_fields = [
        "ctg",
        "at",
        "actor",
        "action",
        "item_type",
        "item_id",
        "item_version",
        "summary",
        "changes",
        "cause_type",
        "cause_id",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
