from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "uprwatch.search"
    label = "search"

    def ready(self) -> None:
        from uprwatch.records.signals import recommendations_changed
        from uprwatch.search import indexing, panels

        recommendations_changed.connect(indexing.on_recommendations_changed, dispatch_uid="search-reindex")
        panels.register()
