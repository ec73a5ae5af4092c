"""A value each process builds once per version of the data: the search catalog, the profile arrays.

``get()`` compares the current version (cheap: a file's mtime, a max id) with the one the value was
built for, and rebuilds under a lock when they differ, so concurrent requests of a threaded server
build it once. ``forget()`` drops it (after an edit that the version does not show, and in tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Snapshot(Generic[T]):
    def __init__(self, version: Callable[[], Hashable], build: Callable[[Hashable], T]) -> None:
        self._version = version
        self._build = build
        self._lock = threading.Lock()
        self._value: tuple[Hashable, T] | None = None

    def get(self) -> T:
        version = self._version()
        current = self._value
        if current is not None and current[0] == version:
            return current[1]
        with self._lock:
            if self._value is None or self._value[0] != version:
                self._value = (version, self._build(version))
            return self._value[1]

    @property
    def current(self) -> T | None:
        """The value built last, if any, without checking the version."""
        return self._value[1] if self._value is not None else None

    def forget(self) -> None:
        self._value = None
