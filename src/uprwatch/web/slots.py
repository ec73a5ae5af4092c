"""At most a few expensive requests (exports, matrices, briefs) are built at once on the whole server.

One such request keeps a core busy for up to seconds. Left alone, a burst of them on a 2-core server takes
every core, and the pages people read (tens of milliseconds of CPU each) wait behind them: with 50 readers
and one request in ten an export, a page took seconds. So the expensive ones take turns: each holds one of
``UPRWATCH_EXPENSIVE_SLOTS`` slots (default: half the CPUs, at least one) while it is built, and the others
wait for a slot — the rest of the CPUs stay free for pages. The slots are lock files under
``UPRWATCH_HOME/cache/slots`` (``flock``), so they are shared by all of gunicorn's worker processes, and a
crashed worker's lock is released by the kernel.

A streamed answer keeps its slot while it is sent, which is while it is built; but a client reading slowly
would keep it for minutes, so an answer gives its slot up after ``MAX_HOLD_SECONDS`` and finishes without.

A request that waited may find its answer already made by the request it waited for: the cost limits
(``uprwatch.web.costs``) look in their cache again once they hold a slot, so a burst of identical
downloads is built once.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings

POLL_SECONDS = 0.05
MAX_HOLD_SECONDS = 10.0


def slot_count() -> int:
    configured = getattr(settings, "UPRWATCH_EXPENSIVE_SLOTS", 0)
    return configured if configured > 0 else max(1, (os.cpu_count() or 1) // 2)


class Slot:
    """One held slot; ``release()`` it once the answer is built (streamed answers: after the last chunk)."""

    def __init__(self, handle):
        self._handle = handle
        self._since = time.monotonic()

    def held_too_long(self) -> bool:
        return time.monotonic() - self._since > MAX_HOLD_SECONDS

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def holding(chunks: Iterable[bytes], slot: Slot) -> Iterator[bytes]:
    """Pass a streamed body through, giving ``slot`` up after the last chunk (or after MAX_HOLD_SECONDS)."""
    try:
        for chunk in chunks:
            yield chunk
            if slot.held_too_long():
                slot.release()
    finally:
        slot.release()


def acquire(timeout: float = 90.0) -> Slot:
    """Wait for a free slot (at most ``timeout`` seconds, then go ahead anyway: a slow answer is better than
    none, and gunicorn's own timeout is 120 s). Returns the held slot."""
    folder = Path(settings.HOME) / "cache" / "slots"
    folder.mkdir(parents=True, exist_ok=True)
    count = slot_count()
    deadline = time.monotonic() + timeout
    while True:
        for number in range(count):
            handle = open(folder / f"slot-{number}.lock", "a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            return Slot(handle)
        if time.monotonic() >= deadline:
            return Slot(None)
        time.sleep(POLL_SECONDS)
