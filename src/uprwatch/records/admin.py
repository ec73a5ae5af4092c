from django.contrib import admin

from uprwatch.records import models


@admin.register(models.State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["name", "iso3", "iso2", "regional_group", "is_member"]
    list_filter = ["regional_group", "is_member"]
    search_fields = ["name", "iso3", "iso2"]


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["number", "cycle", "year", "start_date", "end_date"]
    list_filter = ["cycle"]


@admin.register(models.Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["state", "session"]
    list_filter = ["session__cycle"]
    search_fields = ["state__name"]


class LabelInline(admin.TabularInline):
    model = models.Label
    extra = 0
    raw_id_fields = ["term", "decided_by"]


class ProvenanceInline(admin.TabularInline):
    model = models.Provenance
    extra = 0
    raw_id_fields = ["batch", "document"]


@admin.register(models.Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["id", "review", "paragraph", "response", "action_category"]
    list_filter = ["response", "action_category", "review__session__cycle"]
    search_fields = ["text", "paragraph"]
    raw_id_fields = ["review", "duplicate_of"]
    filter_horizontal = ["recommending_states"]
    inlines = [LabelInline, ProvenanceInline]
    list_select_related = ["review__state"]


@admin.register(models.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "taxonomy", "code"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["symbol", "kind", "review", "filename"]
    list_filter = ["kind"]


admin.site.register(models.Cycle)
admin.site.register(models.Bloc)
admin.site.register(models.ImportBatch)
admin.site.register(models.VoluntaryPledge)
