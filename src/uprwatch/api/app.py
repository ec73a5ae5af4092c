"""The REST API (django-ninja). OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Each domain has its own router module in this package; they are all mounted here. The services' user
errors (``uprwatch.errors``) become ``{"detail": ...}`` with their class's status here, once, for every
endpoint; an object a service looked up and did not find is a 404.
"""

from __future__ import annotations

import json

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.parser import Parser

from uprwatch import __version__
from uprwatch.api import analysis, calendar, classify, documents, records, reports, search, tracking
from uprwatch.api.schema import document_responses
from uprwatch.errors import UserError


class ObjectParser(Parser):
    """Every JSON body this API takes is an object. ninja validates a list, ``null`` or a bare string
    as if it were ``{}``, so a body of ``[]`` would save a decision or preferences with every default:
    anything but an object is refused (400 "Cannot parse request body", like a body that is not JSON)."""

    def parse_body(self, request: HttpRequest) -> dict:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError(f"the body is a JSON {type(data).__name__}, not an object")
        return data


class UprwatchAPI(NinjaAPI):
    """ninja's API with the error answers it cannot see documented in the schema (``api.schema``)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        return document_responses(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = UprwatchAPI(
    title="uprwatch API",
    version=__version__,
    description="UN Universal Periodic Review recommendations, responses, analysis, calendar and tracking.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
    parser=ObjectParser(),
)

api.add_router("", records.router)
api.add_router("", search.router)
api.add_router("", documents.router)
api.add_router("", classify.router)
api.add_router("", analysis.router)
api.add_router("", calendar.router)
api.add_router("", tracking.router)
api.add_router("", reports.router)


@api.exception_handler(UserError)
def user_error(request: HttpRequest, exc: UserError) -> HttpResponse:
    return api.create_response(request, exc.as_json(), status=exc.api_status or exc.status)


@api.exception_handler(ObjectDoesNotExist)
def missing_object(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    # The model's own message names the query; the client only needs to know that nothing is there.
    return api.create_response(request, {"detail": "not found"}, status=404)
