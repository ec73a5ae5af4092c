"""Tracking's errors, in the shared vocabulary of ``uprwatch.errors`` (each surface translates them once)."""

from __future__ import annotations

from uprwatch import errors

__all__ = ["Conflict", "Hidden", "Invalid", "NotAllowed"]


class Invalid(errors.Invalid):
    """Bad input (HTTP 400 on the web; 422 in the API, as the tracking API has always answered it).

    ``field``: the model field at fault, when there is one, so a form can show the message beside it.
    """

    api_status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotAllowed(errors.NotAllowed):
    """The user may not do this (HTTP 403; the web sends an anonymous person to the login page)."""


class Hidden(errors.NotFound):
    """Private content of another organisation is reported as missing, so its existence does not leak."""

    def __init__(self, message: str = "not found"):
        super().__init__(message)


class Conflict(errors.Conflict):
    """A stale save: someone else saved a newer version first (HTTP 409). Nothing was written."""

    def __init__(self, message: str, current_version: int, current: dict | None = None):
        super().__init__(message)
        self.current_version = current_version
        self.current = current or {}

    def as_json(self) -> dict:
        return {"detail": str(self), "current_version": self.current_version, "current": self.current}
