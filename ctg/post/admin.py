"""Read-only admin of the coordinator post: every change goes through ctg.post.services, which records it in
the dossier's history."""

from django.contrib import admin

from ctg.core.admin import ReadOnlyMixin
from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding


class FundingInline(ReadOnlyMixin, admin.TabularInline):
    model = PostFunding
    extra = 0
    fields = [
        "year",
        "amount_requested",
        "requested_on",
        "amount_agreed",
        "decided_on",
        "convention_version",
        "signed_on",
        "advance_paid",
        "advance_paid_on",
        "balance_paid",
        "balance_paid_on",
    ]


class ReportInline(ReadOnlyMixin, admin.TabularInline):
    model = ActivityReport
    extra = 0
    fields = ["year", "status", "sent_at", "accepted_at"]


@admin.register(CoordinatorPost)
class CoordinatorPostAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["person_name", "employer", "fte", "start_date", "ctg"]
    search_fields = ["person_name", "ctg__title", "employer__name"]
    inlines = [FundingInline, ReportInline]
