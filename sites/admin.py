from django.contrib import admin

from .models import (
    Department,
    PrerequisiteCheck,
    Region,
    ResourceCentre,
    Site,
    SiteEvent,
    SiteStatusChange,
    Wave,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "starts_on", "ends_on", "coaching_hours_per_site", "is_current"]


@admin.register(ResourceCentre)
class ResourceCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "email"]
    filter_horizontal = ["regions"]
    search_fields = ["name", "short_name"]


class StatusChangeInline(admin.TabularInline):
    model = SiteStatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]
    can_delete = False


class PrerequisiteInline(admin.TabularInline):
    model = PrerequisiteCheck
    extra = 0
    readonly_fields = ["checked_by", "checked_at"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "communes", "department", "wave", "status"]
    list_filter = ["wave", "kind", "status", "department__region"]
    search_fields = ["name", "communes", "qpv_code"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["department", "wave"]
    autocomplete_fields = ["department"]
    inlines = [PrerequisiteInline, StatusChangeInline]


@admin.register(SiteEvent)
class SiteEventAdmin(admin.ModelAdmin):
    """The site's journal, read only: it is the programme's memory, written by the services that act
    (an adversarial sweep rewrote an entry through this page)."""

    list_display = ["occurred_at", "site", "kind", "summary", "actor"]
    list_filter = ["kind"]
    search_fields = ["site__name", "summary"]
    list_select_related = ["site", "actor"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
