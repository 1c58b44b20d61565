from django.contrib import admin

from ctg.conventions.models import Ctg, Membership, Milestone, Signatory


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    exclude = ["communes", "created_by", "updated_by"]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    exclude = ["created_by", "updated_by"]


@admin.register(Ctg)
class CtgAdmin(admin.ModelAdmin):
    list_display = ["title", "caf", "epci", "start_year", "end_year", "status", "is_fictitious"]
    list_filter = ["status", "caf"]
    search_fields = ["title"]
    readonly_fields = ["status", "territory_key", "created_at", "created_by", "updated_at", "updated_by"]
    filter_horizontal = ["partners"]
    raw_id_fields = ["epci", "previous"]
    # The territory changes through `services.ctg_territory_update` (page « Modifier le territoire »).
    exclude = ["communes", "excluded_communes"]
    inlines = [MembershipInline, SignatoryInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["ctg", "date", "kind", "title", "done"]
    list_filter = ["kind", "done"]
