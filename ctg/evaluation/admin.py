from django.contrib import admin

from ctg.evaluation.models import BilanAnnuel

READONLY = ("created_at", "created_by", "updated_at", "updated_by")


@admin.register(BilanAnnuel)
class BilanAnnuelAdmin(admin.ModelAdmin):
    list_display = ("ctg", "year", "status", "validated_at", "validated_by")
    list_filter = ("status",)
    readonly_fields = (*READONLY, "validated_at", "validated_by")
