"""The one vocabulary of errors a person can cause, shared by every layer.

Services raise these; each surface translates them once: the CLI's main group (``Error: ...``, exit 1),
the API's exception handler (JSON ``{"detail": ...}`` with the status below) and the web's error
middleware (a styled page with the status). A subclass chooses its status by its class, never by the
wording of its message, so rewording a message never changes an HTTP status.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class UserError(Exception):
    """Something a person asked for that cannot be done as asked; the message says why (HTTP 400).

    ``status`` is the HTTP status on every surface; a class whose API status was fixed differently
    before this vocabulary existed sets ``api_status`` too (tracking's invalid input: 422 in the API).
    """

    status = 400
    api_status: int | None = None

    def as_json(self) -> dict:
        """The API's body for this error; a subclass may add fields (a conflict's current version)."""
        return {"detail": str(self)}


class NotFound(UserError, LookupError):
    """What was named does not exist, or the person may not know that it exists (HTTP 404)."""

    status = 404


class Invalid(UserError, ValueError):
    """Bad input: a value, a file or a combination of options that cannot be used (HTTP 400)."""

    status = 400


class NotAllowed(UserError):
    """The person may not do this (HTTP 403)."""

    status = 403


class Conflict(UserError):
    """The request clashes with the current state, such as a stale save (HTTP 409). Nothing was written."""

    status = 409


class Unavailable(UserError):
    """A part this request needs is not installed or not reachable (HTTP 503; 501 for a missing extra)."""

    status = 503


class TooLarge(Invalid):
    """The input or the requested output is larger than this server accepts (HTTP 413)."""

    status = 413


class RateLimited(UserError):
    """Too many expensive requests from one client; try again later (HTTP 429)."""

    status = 429


@contextmanager
def nothing_written(*kinds: type[UserError]) -> Iterator[None]:
    """Say in a user error's message that the transaction it ended wrote nothing (``(database unchanged)``).

    For the commands and endpoints that load data in one transaction (init, ingest, restore): the
    person then knows that the database is as it was and that the file can simply be fixed and re-run.
    ``kinds`` narrows it to the errors the transaction itself raises (default: every user error). A
    request refused for its size is refused before any work began and says only that.
    """
    try:
        yield
    except UserError as exc:
        said = getattr(exc, "database_unchanged", False)  # by an inner transaction of the same work
        if said or isinstance(exc, TooLarge) or (kinds and not isinstance(exc, kinds)):
            raise
        exc.args = (f"{exc} (database unchanged)", *exc.args[1:])
        exc.database_unchanged = True
        raise
