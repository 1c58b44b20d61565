from django.contrib import admin

from ctg.conventions.models import Avenant, Ctg, Membership, Milestone, Partner, Signatory


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    exclude = ["communes", "created_by", "updated_by"]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    exclude = ["created_by", "updated_by"]


class AvenantInline(admin.TabularInline):
    model = Avenant
    extra = 0
    exclude = ["created_by", "updated_by"]


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    raw_id_fields = ["organisation"]
    exclude = ["created_by", "updated_by"]


@admin.register(Ctg)
class CtgAdmin(admin.ModelAdmin):
    list_display = ["title", "caf", "epci", "start_year", "end_year", "phase", "agreement", "is_fictitious"]
    list_filter = ["phase", "agreement", "caf"]
    search_fields = ["title"]
    readonly_fields = [
        "phase",
        "agreement",
        "territory_key",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    raw_id_fields = ["epci", "previous"]
    # The territory changes through `services.ctg_territory_update` (page « Modifier le territoire »).
    exclude = ["communes", "excluded_communes"]
    inlines = [MembershipInline, SignatoryInline, AvenantInline, PartnerInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["ctg", "date", "date_precision", "kind", "title", "done"]
    list_filter = ["kind", "done"]
