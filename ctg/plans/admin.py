from django.contrib import admin

from ctg.plans.models import (
    Attachment,
    BudgetLine,
    Comment,
    Enjeu,
    FicheAction,
    FicheStep,
    IndicatorValue,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)

READONLY = ("created_at", "created_by", "updated_at", "updated_by")


class TrackedAdmin(admin.ModelAdmin):
    readonly_fields = READONLY


class StrategicObjectiveInline(admin.TabularInline):
    model = StrategicObjective
    fields = ("position", "title")
    extra = 0


class OperationalObjectiveInline(admin.TabularInline):
    model = OperationalObjective
    fields = ("position", "title")
    extra = 0


class FicheStepInline(admin.TabularInline):
    model = FicheStep
    fields = ("year", "description")
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    fields = ("year", "funder", "planned", "spent")
    extra = 0


class PlanIndicatorInline(admin.TabularInline):
    model = PlanIndicator
    fields = ("position", "label", "unit", "direction", "nature", "portrait_indicator", "territory_code")
    extra = 0
    show_change_link = True


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    fields = ("year", "kind", "value", "origin", "source")
    extra = 0


@admin.register(Enjeu)
class EnjeuAdmin(TrackedAdmin):
    list_display = ("title", "ctg", "position")
    list_filter = ("ctg",)
    search_fields = ("title",)
    inlines = [StrategicObjectiveInline]


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(TrackedAdmin):
    list_display = ("title", "enjeu", "position")
    search_fields = ("title",)
    inlines = [OperationalObjectiveInline]


@admin.register(OperationalObjective)
class OperationalObjectiveAdmin(TrackedAdmin):
    list_display = ("title", "strategic", "position")
    search_fields = ("title",)


@admin.register(FicheAction)
class FicheActionAdmin(TrackedAdmin):
    list_display = ("title", "ctg", "status", "priority", "position", "version")
    list_filter = ("status", "priority", "ctg")
    search_fields = ("title",)
    filter_horizontal = ("objectives", "communes", "partners")
    readonly_fields = (*READONLY, "version")
    inlines = [FicheStepInline, BudgetLineInline, PlanIndicatorInline]


@admin.register(PlanIndicator)
class PlanIndicatorAdmin(TrackedAdmin):
    list_display = ("label", "fiche", "portrait_indicator", "territory_code")
    search_fields = ("label",)
    inlines = [IndicatorValueInline]


@admin.register(Comment)
class CommentAdmin(TrackedAdmin):
    list_display = ("fiche", "created_by", "created_at")


@admin.register(Attachment)
class AttachmentAdmin(TrackedAdmin):
    list_display = ("title", "fiche", "created_at")
