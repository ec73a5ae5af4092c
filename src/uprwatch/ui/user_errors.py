"""The web's one translation of ``uprwatch.errors``: a page with the message and the error's status.

A view lets a service's user error propagate; this middleware answers it with the error page of the
view's app (``<app>/error.html``, else ``uprwatch/error.html``) and the status of the error's class.
A person who is not signed in and is not allowed to do something is sent to the login page instead.
An object a service looked up and did not find (Django's ``DoesNotExist``) is the site's 404 page, and
a value the database cannot hold (``ui.database_errors``) a 400, in JSON under /api/ (the API's own
errors are answered by its exception handler before they get here).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import select_template

from uprwatch.errors import NotAllowed, UserError
from uprwatch.ui.database_errors import DATABASE_VALUE_ERRORS, describe


class UserErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_VALUE_ERRORS):
            message = describe(exception)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(f"Bad request: {message}.", content_type="text/plain; charset=utf-8")
        if isinstance(exception, ObjectDoesNotExist) and not isinstance(exception, UserError):
            return response_for_exception(request, Http404("not found"))
        if not isinstance(exception, UserError):
            return None
        if isinstance(exception, NotAllowed) and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        match = request.resolver_match
        names = [f"{match.app_name}/error.html"] if match and match.app_name else []
        template = select_template([*names, "uprwatch/error.html"])
        context = {"message": str(exception), "status": exception.status, "back": _back(request)}
        return HttpResponse(template.render(context, request), status=exception.status)


def _back(request: HttpRequest) -> str:
    """The page the person came from, when it is on this site: the error page links back to it."""
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return ""
