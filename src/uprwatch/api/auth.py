"""Who is calling the API: an API token (``Authorization: Bearer <token>``) or a signed-in browser session.

Every endpoint a signed-in member may use accepts a token too: writes declare ``auth=member`` (a token
first, else the session with its CSRF check), reads that show more to members call ``caller(request)``
(a bad or revoked token is a 401, never a silent fall back to what an outsider sees).
"""

from __future__ import annotations

from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from uprwatch.tracking import organisations


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = organisations.user_for_token(token)
        if user is not None:
            request.user = user
        return user


bearer = TokenAuth()
# ninja tries each in turn: a request with a valid token passes without a session (and without CSRF,
# which protects cookies, not tokens); a browser's session still works.
member = [bearer, django_auth]


def caller(request):
    """The user behind the request's bearer token, else its session user (anonymous without either).

    :raises HttpError: 401 for an Authorization header that is not a valid, unrevoked bearer token
    """
    header = request.headers.get("Authorization", "")
    if not header:
        return request.user
    scheme, _, key = header.partition(" ")
    user = organisations.user_for_token(key.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise HttpError(401, "invalid or revoked token")
    request.user = user
    return user
