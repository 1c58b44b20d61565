"""Read-only admin: the reference data comes from the COG import (`ctg load_territories`), not from edits."""

from django.contrib import admin

from ctg.territories.models import Commune, Departement, Epci, FormerCommuneCode, Region, TerritoryImport


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search; the next import would overwrite any change, so none is offered."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region", "is_active"]
    list_filter = ["is_active", "region"]
    list_select_related = ["region"]
    search_fields = ["code", "name", "search_name"]


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin):
    list_display = ["siren", "name", "nature", "financing", "population", "is_active"]
    list_filter = ["is_active", "nature", "financing"]
    search_fields = ["siren", "name", "search_name"]


class FormerCommuneCodeInline(admin.TabularInline):
    model = FormerCommuneCode
    fields = ["code", "name", "kind"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "departement", "epci", "population", "postal_codes", "is_active"]
    list_filter = ["is_active", "departement__region", "departement"]
    list_select_related = ["departement", "epci"]
    search_fields = ["code", "name", "search_name", "postal_codes", "siren"]
    inlines = [FormerCommuneCodeInline]


@admin.register(FormerCommuneCode)
class FormerCommuneCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "commune"]
    list_filter = ["kind"]
    list_select_related = ["commune"]
    search_fields = ["code", "name", "commune__code", "commune__name"]


@admin.register(TerritoryImport)
class TerritoryImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "source", "duration", "source_hash"]
    date_hierarchy = "imported_at"
