"""The error answers and download types of the OpenAPI schema, added to what ninja generates.

ninja documents the success answer it can see in a signature; the errors come from ``HttpError``, the
authentication classes, the request parser, the body-size limit and the anonymous cost limit, which it
cannot see. Every error answer of this API has the same body, ``{"detail": ...}`` (a message, or for
422 ninja's list of validation errors), so one schema documents them all. Which operation can answer
which status is decided here from its path, method and security, in one place next to the code that
answers them.
"""

from __future__ import annotations

from typing import Any

from uprwatch.spreadsheet import XLSX_CONTENT_TYPE
from uprwatch.web.costs import is_expensive

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "object"}},
            ],
            "description": "What went wrong: a message, or (422) one entry per invalid field.",
        },
    },
    "required": ["detail"],
}

MESSAGES = {
    400: "Bad input: a value, a combination of options or a body that cannot be used",
    401: "No token, or an invalid or revoked one",
    403: "Signed in, but without the role this needs",
    404: "No such object, or one the caller may not see (the same answer for both)",
    409: "The object changed since it was read (a stale version): nothing was written",
    413: "The request body, or the requested output, is larger than this server accepts",
    422: "A parameter or field does not have the expected type or form",
    429: "An anonymous client spent its budget for expensive requests; see Retry-After",
    501: "This server cannot produce that format (an optional part is not installed)",
    503: "A part this request needs is not installed or not ready",
}

# Downloads: the media types of a 200 by path (the JSON ones stay as ninja wrote them).
DOWNLOADS = {
    "/api/recommendations/export": ["text/csv; charset=utf-8", "application/json",
                                    XLSX_CONTENT_TYPE],
    "/api/reports/matrix": [XLSX_CONTENT_TYPE,
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    "/api/reports/brief": ["application/json", "text/html; charset=utf-8", "application/pdf"],
    "/api/tracking/organisations/{slug}/audit": ["application/json", "text/csv"],
}
WRITES = {"post", "put", "patch", "delete"}


def statuses(path: str, method: str, operation: dict) -> set[int]:
    """The error statuses an operation can answer."""
    found = {400, 404, 413, 422}
    secured = bool(operation.get("security"))
    if secured or path.startswith("/api/tracking/"):
        # the tracking reads take an optional token: a bad one is a 401
        found |= {401, 403}
    if path.startswith("/api/tracking/") and method in WRITES:
        found.add(409)
    if path.startswith("/api/classify/review") and method in WRITES:
        found.add(409)
    if path == "/api/classify/predict":
        found |= {409, 503}  # no trained model yet / the model's files missing
    if is_expensive(path) and not secured:
        found.add(429)
    if path == "/api/reports/brief":
        found.add(501)
    return found


def document_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers (and download media types) to every operation of ``schema``, in place."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses(path, method, operation)):
                responses.setdefault(status, {
                    "description": MESSAGES[status],
                    "content": {"application/json": {"schema": reference}},
                })
            if path in DOWNLOADS and method == "get":
                ok = responses.setdefault(200, {"description": "OK"})
                content = ok.setdefault("content", {})
                for media_type in DOWNLOADS[path]:
                    content.setdefault(media_type, {"schema": {}})
    return schema
