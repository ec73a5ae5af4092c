"""The download client (``sources.download``) as a ``Fetch``: one GET, its body and status in memory.

UPR Info's pages and UN documents are small (kilobytes to a few megabytes), so their clients work on
bytes; the download client still does the HTTP work: retries with back-off on 429/5xx (honouring
``Retry-After``), truncated-transfer checks, the conditional GET (its validators are kept beside the
file, per address) and the User-Agent naming uprwatch.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from uprwatch.sources.download import DownloadError, UnexpectedContent, download
from uprwatch.sources.uwazi import Answer, Fetch, SourceAnswerError, SourceUnreachable


def fetcher(workdir: Path, *, conditional: bool = False, expect: str | tuple[str, ...] | None = None,
            backoff: float = 2.0, retries: int = 4, sleep: Callable[[float], None] = time.sleep,
            name: Callable[[str], str] | None = None) -> Fetch:
    """A ``Fetch`` that downloads into ``workdir`` (one file per address, or per ``name(url)``).

    With ``conditional`` the stored validators are sent and a ``304`` comes back as ``Answer(304)``.
    """

    def fetch(url: str, headers: dict[str, str]) -> Answer:
        dest = workdir / (name(url) if name else hashlib.sha1(url.encode()).hexdigest()[:20])
        try:
            result = download(url, dest, expect=expect, headers=headers, conditional=conditional,
                              backoff=backoff, retries=retries, sleep=sleep)
        except UnexpectedContent as exc:
            raise SourceAnswerError(str(exc)) from None
        except DownloadError as exc:
            if exc.status is not None and 400 <= exc.status < 500:  # the source's own answer (404...)
                return Answer(exc.status, {}, b"", url)
            raise SourceUnreachable(str(exc)) from None
        validators = {"etag": result.etag, "last_modified": result.last_modified}
        if result.status == "not_modified":
            return Answer(304, validators, dest.read_bytes() if dest.exists() else b"", url)
        return Answer(200, validators, dest.read_bytes(), url)

    return fetch
