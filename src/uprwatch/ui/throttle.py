"""Login throttling: too many failed sign-ins for one account from one client, or from one client in all,
lock that client out a while.

The account counter is kept per client (address + user name), never per account alone: otherwise anyone
could lock anyone out of their account by typing wrong passwords for it. Guessing from many addresses
is bounded by the per-address counter of each.

Failures are counted from Django's ``user_login_failed`` signal, so every way of signing in (the login
page, the admin, the API) counts. ``ThrottledModelBackend`` refuses to even check a password while a
name or address is locked; ``LoginThrottleMiddleware`` answers a locked login form with a clear
HTTP 429 page instead of the form's generic "wrong password" error.

Counters live in the ``throttle`` cache (files under UPRWATCH_HOME), shared by every server process
on the machine.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import PasswordResetView
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string


def _cache():
    return caches["throttle"]


def client_address(request: HttpRequest | None) -> str:
    """The client's address; behind the HTTPS proxy, the address the proxy saw (rightmost hop)."""
    if request is None:
        return ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.HTTPS and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _user_key(username: str, address: str) -> str:
    account = username.strip().casefold()
    return "login-user:" + hashlib.sha256(f"{address}\x00{account}".encode()).hexdigest()


def _address_key(address: str) -> str:
    return "login-addr:" + hashlib.sha256(address.encode()).hexdigest()


@dataclass(frozen=True)
class Lockout:
    reason: str  # "user" or "address"
    retry_after: int  # seconds


def _failures(key: str, now: float) -> tuple[int, float]:
    """(failures, time of the first one) within the current window."""
    count, first = _cache().get(key, (0, now))
    if now - first >= settings.UPRWATCH_LOGIN_WINDOW_SECONDS:
        return 0, now
    return count, first


def record_failure(username: str, address: str) -> None:
    now = time.time()
    window = settings.UPRWATCH_LOGIN_WINDOW_SECONDS
    for key in filter(None, (username and _user_key(username, address), address and _address_key(address))):
        count, first = _failures(key, now)
        _cache().set(key, (count + 1, first), timeout=math.ceil(first + window - now))


def lockout(username: str, address: str) -> Lockout | None:
    """Whether sign-in is refused for this name from this address, or for this address, and for how long."""
    now = time.time()
    window = settings.UPRWATCH_LOGIN_WINDOW_SECONDS
    checks = (
        ("user", username and _user_key(username, address), settings.UPRWATCH_LOGIN_FAILURES_PER_USER),
        ("address", address and _address_key(address), settings.UPRWATCH_LOGIN_FAILURES_PER_ADDRESS),
    )
    for reason, key, limit in checks:
        if not key:
            continue
        count, first = _failures(key, now)
        if count >= limit:
            return Lockout(reason, max(1, math.ceil(first + window - now)))
    return None


def clear_failures(username: str, address: str) -> None:
    _cache().delete(_user_key(username, address))


@receiver(user_login_failed, dispatch_uid="uprwatch-throttle-failed")
def _on_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    record_failure(str(credentials.get("username") or ""), client_address(request))


@receiver(user_logged_in, dispatch_uid="uprwatch-throttle-success")
def _on_logged_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    clear_failures(user.get_username(), client_address(request))


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing while the name or the address is locked out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        name = username if username is not None else kwargs.get("email") or ""
        if lockout(str(name), client_address(request)) is not None:
            # Django's authenticate() stops at PermissionDenied: no password hash is computed.
            raise PermissionDenied("too many failed sign-ins")
        return super().authenticate(request, username=username, password=password, **kwargs)


def _is_login_path(path: str) -> bool:
    return path == settings.LOGIN_URL or path.rstrip("/").endswith("/login")


def throttled_response(request: HttpRequest, locked: Lockout) -> HttpResponse:
    minutes = math.ceil(locked.retry_after / 60)
    message = (
        f"Too many failed sign-ins {'for this account from your address' if locked.reason == 'user' else 'from your address'}. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )
    return too_many_requests(request, message, locked.retry_after)


def too_many_requests(request: HttpRequest, message: str, retry_after: int) -> HttpResponse:
    """The one HTTP 429 of every limit (sign-ins, password resets, anonymous expensive requests):
    ``{"detail": message}`` under /api/ and for JSON clients, else the throttled page; ``Retry-After``."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(
            render_to_string("uprwatch/throttled.html", {"message": message}, request=request), status=429
        )
    response.headers["Retry-After"] = str(retry_after)
    return response


class LoginThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and _is_login_path(request.path):
            locked = lockout(str(request.POST.get("username", "")), client_address(request))
            if locked is not None:
                return throttled_response(request, locked)
        return self.get_response(request)


# --- password-reset e-mails ------------------------------------------------------------------------

def _reset_keys(email: str, address: str) -> list[tuple[str, int]]:
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    keys = [("reset-email:" + digest, settings.UPRWATCH_PASSWORD_RESETS_PER_EMAIL)]
    if address:
        keys.append(("reset-addr:" + hashlib.sha256(address.encode()).hexdigest(),
                     settings.UPRWATCH_PASSWORD_RESETS_PER_ADDRESS))
    return keys


def password_reset_retry_after(email: str, address: str) -> int | None:
    """Count one password-reset request; the seconds to wait when the address or the e-mail is over
    its limit (``None`` when the e-mail may be sent).

    Counted whether or not an account has that address, so the answer says nothing about accounts.
    """
    now = time.time()
    window = settings.UPRWATCH_PASSWORD_RESET_WINDOW_SECONDS
    waits = []
    for key, limit in _reset_keys(email, address):
        count, first = _cache().get(key, (0, now))
        if now - first >= window:
            count, first = 0, now
        if count >= limit:
            waits.append(max(1, math.ceil(first + window - now)))
            continue
        _cache().set(key, (count + 1, first), timeout=math.ceil(first + window - now))
    return max(waits) if waits else None


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password-reset form, sending at most a few e-mails per address and per client an hour:
    otherwise anyone could flood someone's mailbox (and the server's mail reputation)."""

    def form_valid(self, form):
        wait = password_reset_retry_after(form.cleaned_data["email"], client_address(self.request))
        if wait is not None:
            minutes = math.ceil(wait / 60)
            message = (f"Too many password-reset requests for this address or from your network. "
                       f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.")
            return too_many_requests(self.request, message, wait)
        return super().form_valid(form)
