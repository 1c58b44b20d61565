"""Read-only admin of the steering: every change goes through ctg.governance.services, which records it in
the dossier's history."""

from django.contrib import admin

from ctg.core.admin import ReadOnlyMixin
from ctg.governance.models import Body, BodyMember, Decision, Meeting, Participant


class BodyMemberInline(ReadOnlyMixin, admin.TabularInline):
    model = BodyMember
    extra = 0
    fields = ["organisation", "person_name", "capacity", "email", "user"]


class ParticipantInline(ReadOnlyMixin, admin.TabularInline):
    model = Participant
    extra = 0
    fields = ["person_name", "organisation_name", "email", "attendance"]


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["text", "kind", "fiche", "payload", "applied_at", "applied_by"]


@admin.register(Body)
class BodyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "ctg"]
    list_filter = ["kind"]
    search_fields = ["name", "ctg__title"]
    inlines = [BodyMemberInline]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "body", "starts_at", "status", "ctg"]
    list_filter = ["status"]
    search_fields = ["title", "body__name", "ctg__title"]
    inlines = [ParticipantInline, DecisionInline]
