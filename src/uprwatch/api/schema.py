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
# Operations about a selection of recommendations: a State under Review, a query or a campaign, at least
# one of them (``reports.selection.select`` answers 400 otherwise). Separate query parameters cannot say
# "at least one", so the schema gives them as one object parameter (``style: form, explode: true``: the
# same ``?sur=...&q=...`` on the wire) whose schema requires one of the three.
SELECTIONS = {"/api/reports/brief", "/api/reports/matrix"}
# What a route checks itself (400 with its own message) about one parameter, stated in the schema too:
# (path, parameter) → JSON schema keywords. ninja would answer 422 with pydantic's wording had they been
# declared as constraints in the signature.
PARAMETER_RULES = {
    ("/api/recommendations/export", "format"): {"enum": ["csv", "json", "xlsx"]},
    ("/api/recommendations/{rec_id}/similar", "k"): {"minimum": 1, "maximum": 100},
    ("/api/states/{name}/recurring", "limit"): {"minimum": 1, "maximum": 1000},
    ("/api/classify/review", "limit"): {"minimum": 1, "maximum": 200},
    ("/api/classify/review", "offset"): {"minimum": 0, "maximum": 1_000_000_000},
    ("/api/reports/brief", "format"): {"enum": ["json", "html", "pdf"]},
    ("/api/reports/matrix", "format"): {"enum": ["docx", "xlsx"]},
}
# Every whole number the API takes ends up in a 64-bit database integer (ids are BigAutoField): beyond
# that range the database cannot look it up and the request is refused (400, ``ui.database_errors``).
INTEGER_RANGE = {"minimum": -(2**63), "maximum": 2**63 - 1}
# Upload fields that must hold at least one file (ninja answers 422 "Field required" for none).
AT_LEAST_ONE_FILE = {"/api/documents/ingest": "files"}
SELECTION_PARAMETERS = ("sur", "q", "campaign")
SELECTION_MEANINGS = {
    "sur": "the State under Review, by any of its names",
    "q": "a search query (the search syntax)",
    "campaign": "a campaign, by name or number",
}


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


def _selection_parameter(operation: dict) -> None:
    """Replace the operation's ``sur``, ``q`` and ``campaign`` parameters by one that requires one of them."""
    parameters = operation.get("parameters", [])
    chosen = [p for p in parameters if p.get("in") == "query" and p.get("name") in SELECTION_PARAMETERS]
    if not chosen:
        return
    properties = {
        p["name"]: {"type": "string", "description": SELECTION_MEANINGS[p["name"]]} for p in chosen
    }
    # a value of only spaces is no selection either
    some = {"type": "string", "pattern": r"\S"}
    operation["parameters"] = [
        {
            "in": "query", "name": "selection", "style": "form", "explode": True, "required": True,
            "description": "What the report is about: at least one of `sur`, `q` and `campaign` "
                           "(each a query parameter of its own); otherwise 400.",
            "schema": {
                "type": "object",
                "properties": properties,
                "anyOf": [{"required": [name], "properties": {name: some}} for name in properties],
            },
        },
        *(p for p in parameters if p not in chosen),
    ]


def _bounded(schema: dict) -> None:
    """Give an integer parameter (or a list of them) without a range the database's range."""
    for part in (schema, schema.get("items", {}), *schema.get("anyOf", [])):
        if part.get("type") == "integer":
            for keyword, value in INTEGER_RANGE.items():
                part.setdefault(keyword, value)


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
            for parameter in operation.get("parameters", []):
                parameter.get("schema", {}).update(PARAMETER_RULES.get((path, parameter.get("name")), {}))
                _bounded(parameter.get("schema", {}))
            if path in SELECTIONS:
                _selection_parameter(operation)
            if path in AT_LEAST_ONE_FILE:
                form = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
                form.get("schema", {}).get("properties", {}).get(AT_LEAST_ONE_FILE[path], {})["minItems"] = 1
            if path in DOWNLOADS and method == "get":
                ok = responses.setdefault(200, {"description": "OK"})
                content = ok.setdefault("content", {})
                for media_type in DOWNLOADS[path]:
                    content.setdefault(media_type, {"schema": {}})
    return schema
