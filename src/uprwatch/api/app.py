"""The REST API (django-ninja). OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Each domain has its own router module in this package; they are all mounted here.
"""

from __future__ import annotations

from ninja import NinjaAPI

from uprwatch import __version__
from uprwatch.api import analysis, calendar, classify, documents, records, reports, search, tracking

api = NinjaAPI(
    title="uprwatch API",
    version=__version__,
    description="UN Universal Periodic Review recommendations, responses, analysis, calendar and tracking.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)

api.add_router("", records.router)
api.add_router("", search.router)
api.add_router("", documents.router)
api.add_router("", classify.router)
api.add_router("", analysis.router)
api.add_router("", calendar.router)
api.add_router("", tracking.router)
api.add_router("", reports.router)
