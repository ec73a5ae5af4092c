"""Errors a person can cause; views, API and CLI turn them into a message (never a traceback)."""

from __future__ import annotations

from uprwatch.tracking.permissions import NotAllowed

__all__ = ["Conflict", "Invalid", "NotAllowed"]


class Invalid(ValueError):
    """Bad input (HTTP 400 / 422)."""


class Conflict(Exception):
    """A stale save: someone else saved a newer version first (HTTP 409). Nothing was written."""

    def __init__(self, message: str, current_version: int, current: dict | None = None):
        super().__init__(message)
        self.current_version = current_version
        self.current = current or {}
