"""Cost limits: a CPU budget per client for expensive anonymous requests (429 with a clear message),
cached answers to identical ones, streamed exports, sign-in for parsing documents through the API, and a
body-size limit enforced before the body is read."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from uprwatch.tracking import organisations

MATRIX = "/reports/matrix/?sur=China&q=torture&format=xlsx"
EXPENSIVE = [
    MATRIX,
    "/api/reports/matrix?sur=China&q=torture&format=docx",
    "/reports/brief/?sur=China&q=torture&format=html",
    "/api/reports/brief?sur=China&q=torture",
    "/search/export.csv?q=torture&sur=China",
    "/api/recommendations/export?q=torture&sur=China&format=json",
]


@pytest.fixture
def budget(settings):
    caches["throttle"].clear()
    caches["exports"].clear()
    settings.UPRWATCH_ANONYMOUS_CPU_SECONDS = 0.001  # any real request spends it
    settings.UPRWATCH_ANONYMOUS_CPU_WINDOW_SECONDS = 600
    settings.UPRWATCH_EXPORT_CACHE_SECONDS = 0
    yield settings
    caches["throttle"].clear()
    caches["exports"].clear()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", EXPENSIVE)
def test_anonymous_clients_have_a_budget_then_a_clear_429(client, db, budget, url):
    first = client.get(url, REMOTE_ADDR="198.51.100.7")
    assert first.status_code == 200
    _body(first)  # a streamed answer is charged once it is sent
    refused = client.get(url, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    text = refused.content.decode()
    assert "not signed in" in text and "Try again in" in text
    # another client still has its own budget
    assert client.get(url, REMOTE_ADDR="198.51.100.8").status_code == 200


def test_signed_in_people_and_tokens_are_not_held_to_the_anonymous_budget(client, coalition, budget):
    _body(client.get(MATRIX, REMOTE_ADDR="198.51.100.9"))
    assert client.get(MATRIX, REMOTE_ADDR="198.51.100.9").status_code == 429
    token = organisations.create_token(coalition.bob)[1]
    api = "/api/reports/matrix?sur=China&q=torture&format=xlsx"
    signed = client.get(api, REMOTE_ADDR="198.51.100.9", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert signed.status_code == 200
    _body(signed)  # a streamed answer holds its turn (uprwatch.web.slots) until it is sent
    client.force_login(coalition.bob)
    assert client.get(MATRIX, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_pages_are_not_counted(client, db, budget):
    _body(client.get(MATRIX, REMOTE_ADDR="198.51.100.10"))
    assert client.get("/search/?q=torture", REMOTE_ADDR="198.51.100.10").status_code == 200


def test_identical_requests_are_answered_from_the_cache(client, db, budget):
    budget.UPRWATCH_EXPORT_CACHE_SECONDS = 600
    url = "/search/export.csv?q=torture&sur=China"
    first = client.get(url, REMOTE_ADDR="198.51.100.11")
    content = _body(first)
    assert first.status_code == 200 and content.startswith(b"id,")
    # the budget is spent, yet the same export comes back at once, from the cache, byte for byte
    again = client.get(url, REMOTE_ADDR="198.51.100.11")
    assert again.status_code == 200 and again.headers["X-Uprwatch-Cache"] == "hit"
    assert _body(again) == content
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    # a different request is not
    assert client.get("/search/export.csv?q=women", REMOTE_ADDR="198.51.100.11").status_code == 429


def test_expensive_requests_take_turns(settings):
    """A burst of exports must not take every core from the pages: one slot each (here one in all)."""
    import threading
    import time

    from uprwatch.web import slots

    settings.UPRWATCH_EXPENSIVE_SLOTS = 1
    held = slots.acquire()
    started = time.monotonic()
    waited = slots.acquire(timeout=0.3)  # nothing frees the slot: it waits the whole time, then goes ahead
    assert time.monotonic() - started >= 0.3 and waited._handle is None
    threading.Timer(0.2, held.release).start()
    started = time.monotonic()
    turn = slots.acquire(timeout=10)  # its turn comes once the other is done
    assert 0.15 <= time.monotonic() - started < 5 and turn._handle is not None
    turn.release()
    settings.UPRWATCH_EXPENSIVE_SLOTS = 2
    both = [slots.acquire(timeout=0), slots.acquire(timeout=0)]
    assert all(slot._handle is not None for slot in both)
    for slot in both:
        slot.release()


def test_a_slow_reader_gives_its_turn_up(settings, monkeypatch):
    """A streamed download keeps its slot while it is sent, but a client reading slowly must not keep every
    other export waiting: after MAX_HOLD_SECONDS the slot is free again while the answer goes on."""
    from uprwatch.web import slots

    settings.UPRWATCH_EXPENSIVE_SLOTS = 1
    monkeypatch.setattr(slots, "MAX_HOLD_SECONDS", 0.0)
    body = slots.holding(iter([b"first", b"second"]), slots.acquire())
    assert next(body) == b"first"  # the client reads the first chunk, and is slow to ask for more
    assert slots.acquire(timeout=0)._handle is None  # still held while the chunk is sent
    assert next(body) == b"second"  # asking for more finds the hold too long: the slot goes
    other = slots.acquire(timeout=0)
    assert other._handle is not None
    other.release()
    body.close()


def test_a_request_that_waited_its_turn_takes_the_answer_built_meanwhile(client, db, budget, monkeypatch):
    """Identical downloads arriving together are built once: the one that waited finds the cached answer."""
    from uprwatch.web import costs, slots

    budget.UPRWATCH_EXPORT_CACHE_SECONDS = 600
    url = "/search/export.csv?q=torture&sur=China"
    first = client.get(url, REMOTE_ADDR="198.51.100.12")
    content = _body(first)
    entry = caches["exports"].get(costs._cache_key(first.wsgi_request))
    assert entry is not None
    caches["exports"].clear()
    acquire = slots.acquire

    def slow_turn(*args, **kwargs):  # while this request waits, the identical one finishes
        caches["exports"].set(costs._cache_key(second_request[0]), entry, 600)
        return acquire(*args, **kwargs)

    second_request = []
    real_key = costs._cache_key
    monkeypatch.setattr(costs, "_cache_key", lambda request: second_request.append(request) or real_key(request))
    monkeypatch.setattr(slots, "acquire", slow_turn)
    again = client.get(url, REMOTE_ADDR="198.51.100.13")
    assert again.headers.get("X-Uprwatch-Cache") == "hit" and _body(again) == content
    # nothing was built, so nothing was charged: this client's budget is whole
    assert costs.retry_after("198.51.100.13") is None


def test_server_timing_only_when_asked(client, db, settings):
    assert "Server-Timing" not in client.get("/calendar/").headers
    settings.UPRWATCH_SERVER_TIMING = True
    timing = dict(part.split(";dur=") for part in client.get("/calendar/").headers["Server-Timing"].split(", "))
    assert set(timing) == {"cpu", "total"} and 0 < float(timing["cpu"]) <= float(timing["total"]) * 1.5


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_exports_are_streamed(client, db, fmt):
    response = client.get(f"/search/export.{fmt}?q=torture")
    assert response.status_code == 200 and response.streaming
    first = next(iter(response.streaming_content))
    assert first  # the first bytes come before the rest is built
    rest = b"".join(response.streaming_content)
    assert len(first) < len(first + rest)


def test_parsing_documents_through_the_api_needs_sign_in(client, coalition, tmp_path):
    response = client.post("/api/documents/parse", {"file": ("x.pdf", b"%PDF-1.4")})
    assert response.status_code == 401
    token = organisations.create_token(coalition.bob)[1]
    signed = client.post("/api/documents/parse", {"file": _pdf(tmp_path)}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert signed.status_code == 400 and "detail" in signed.json()


def _pdf(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4 not really")
    return open(path, "rb")


@pytest.mark.parametrize("path", ["/api/documents/parse", "/api/documents/ingest", "/documents/upload/",
                                  "/api/tracking/events/1/evidence", "/tracking/campaigns/new/", "/accounts/login/"])
def test_oversized_bodies_are_refused_before_they_are_read(client, db, path):
    """The declared length alone decides: the test body is a few bytes, so reading it as 1 GB would fail."""
    response = client.post(path, data=b"--x--", content_type="multipart/form-data; boundary=x",
                           CONTENT_LENGTH=str(1024 * 1024 * 1024))
    assert response.status_code == 413
    assert "at most" in response.content.decode()


def test_normal_uploads_still_pass_the_limit(client, coalition, tmp_path):
    token = organisations.create_token(coalition.bob)[1]
    with open(tmp_path / "ok.txt", "wb") as handle:
        handle.write(b"a" * (3 * 1024 * 1024))
    from uprwatch.tracking import events

    event = events.create_event(coalition.bob, coalition.org, title="t", occurred_on="2023-01-01")
    with open(tmp_path / "ok.txt", "rb") as handle:
        response = client.post(f"/api/tracking/events/{event.pk}/evidence", {"citation": "c", "file": handle},
                               HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201, response.content
