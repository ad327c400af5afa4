"""HTTP caching of the public responses: one body per URL and publication state.

Every public response is a pure function of what has been published — the
published cycles and the generation of their open-data files — and of the URL
(and, for a page, its language). ``publication_state`` names that state in a
short string (one small query and a stat of each manifest); ``cached`` keeps
each body with its ETag and Last-Modified in a bounded in-process cache keyed
by URL and state, so a repeated request costs a dictionary lookup, and a
publication or a rebuild changes the key, never serving a stale body.

Responses carry ``ETag``, ``Last-Modified`` and ``Cache-Control: public,
max-age=PUBLIC_MAX_AGE`` so a proxy may serve them; ``If-None-Match`` /
``If-Modified-Since`` are answered with 304.
"""
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
import hashlib
import threading

from flask import Response, current_app, g, request
from reporting.opendata.files import read_manifest
from reporting.publication import policy

CACHE_SIZE = 2048
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Cached:
    body: bytes
    mimetype: str
    etag: str
    last_modified: datetime
    status: int = 200


@dataclass(frozen=True)
class State:
    key: str  # changes whenever anything published changes
    last_modified: datetime  # the latest publication or generation


def parse_time(moment: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(moment) if moment else None
    except ValueError:
        return None


def published() -> list:
    """``policy.published_cycles()``, asked once per request (the state and the lookups share it)."""
    if "published_cycles" not in g:
        g.published_cycles = policy.published_cycles()
    return g.published_cycles


def published_cycle(label: str):
    """The published cycle with exactly this label, or None (unknown and unpublished alike)."""
    return next((cycle for cycle in published() if cycle.label == label), None)


def publication_state() -> State:
    """Published cycles with their publication time and open-data generation."""
    parts, moments = [], [EPOCH]
    for cycle in published():
        label, published_at = cycle.label, cycle.published_at
        manifest = read_manifest(label) or {}
        parts.append(f"{label}\0{published_at}\0{manifest.get('generation')}")
        if published_at is not None:
            moments.append(published_at if published_at.tzinfo else published_at.replace(tzinfo=timezone.utc))
        moments.append(parse_time(manifest.get("generated_at")) or EPOCH)
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]
    return State(key, max(moments))


class BodyCache:
    """A bounded LRU of rendered bodies, shared by the threads of one process."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[tuple, Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: tuple, make: Callable[[], Cached]) -> Cached:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = make()
        with self._lock:
            self._items[key] = made
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _bodies() -> BodyCache:
    """This app's cache (an app per process in production; the tests make many)."""
    return current_app.extensions.setdefault("opendata_bodies", BodyCache())


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def cached(key: tuple, state: State, make: Callable[[], tuple[bytes, str]] | Callable[[], tuple[bytes, str, int]],
           last_modified: datetime | None = None) -> Response:
    """The response for ``key`` in ``state``: made once by ``make`` (body, mimetype[, status]), then reused."""
    def build() -> Cached:
        body, mimetype, *status = make()
        return Cached(body, mimetype, etag_of(body), last_modified or state.last_modified, *status)

    return conditional(_bodies().get_or_make((state.key, *key), build))


def conditional(entry: Cached, vary: str | None = None) -> Response:
    """``entry`` as a response with its validators and caching headers, or 304 if the client has it."""
    response = Response(entry.body, status=entry.status, mimetype=entry.mimetype)
    response.set_etag(entry.etag)
    response.last_modified = entry.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["PUBLIC_MAX_AGE"]
    if vary:
        response.vary.add(vary)
    if request.method in ("GET", "HEAD") and entry.status == 200:
        # Werkzeug's make_conditional: If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
        response.make_conditional(request.environ)
    return response
