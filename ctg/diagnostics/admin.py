"""Read-only admin: imports are made with `ctg import_data`, never edited by hand."""

from django.contrib import admin

from ctg.diagnostics.models import DatasetImport


@admin.register(DatasetImport)
class DatasetImportAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "year",
        "source_name",
        "rows_read",
        "communes_matched",
        "imported_at",
        "imported_by",
    ]
    list_filter = ["kind", "year"]
    date_hierarchy = "imported_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
