"""Tracking data in the Django admin, read-only: changes go through the services so they are audited."""

from django.contrib import admin

from uprwatch.tracking import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "coalition")


@admin.register(models.Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "user", "role")
    list_filter = ("role",)


@admin.register(models.Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation", "visibility", "version")


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("recommendation", "organisation", "status", "visibility", "version")


@admin.register(models.Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("title", "occurred_on", "organisation", "visibility")


@admin.register(models.Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "status", "attempts", "created_at", "finished_at")
    list_filter = ("status", "kind")


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "action", "object_type", "object_id", "organisation")
    list_filter = ("action", "object_type")
