"""HTTP caching of the open-data pages and the public API: one body per URL and publication state.

Every such response is a pure function of its URL (and, for a page, its language) and of what is
published: the published cycles and the generation of each one's open-data files (what the files,
the catalogue and most of the API read), and, for what comes from the report content (a
commitment's statuses), the portal's state of everything public (``publication.services.portal_state``:
submissions, report files, code). ``publication_state`` names that in one key (one query, a stat
per cycle; the portal's four queries only where needed); the bodies are kept in the portal's cache
of rendered bodies (``publication.services.cached_body``) under it, so a repeated request costs a
lookup, and a publication, a review decision or a rewrite of the files changes the key — a stale
body is never served.

Responses carry ``ETag``, ``Last-Modified`` and ``Cache-Control: public, max-age=PUBLIC_MAX_AGE``
so a proxy may serve them; ``If-None-Match`` / ``If-Modified-Since`` are answered with 304.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
import hashlib
from pathlib import Path

from flask import Response, current_app, g, request

from reporting.extensions import db
from reporting.opendata.files import read_manifest
from reporting.publication import policy
from reporting.publication.services import cached_body, portal_state

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class State:
    key: str  # changes whenever anything public changes
    last_modified: datetime  # the latest publication or open-data generation


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


@lru_cache(maxsize=1)
def _code_version() -> str:
    """This package and its templates: a deployment that changes how a body is made changes every ETag."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), *(package.parent / "templates" / "opendata").glob("*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def publication_state(portal: bool = False) -> State:
    """The published cycles and the open-data generation of each: all that the files, the catalogue and
    most of the API are made from; with ``portal``, also the portal's state of everything public (for what
    is read from the report content, such as a commitment's statuses)."""
    parts = [_code_version(), str(db.engine.url), current_app.config["BASE_URL"], portal_state() if portal else ""]
    moments = [EPOCH]
    for cycle in published():
        manifest = read_manifest(cycle.label) or {}
        parts.append(f"{cycle.label}\0{manifest.get('generation')}")
        if cycle.published_at is not None:
            moments.append(cycle.published_at if cycle.published_at.tzinfo
                           else cycle.published_at.replace(tzinfo=timezone.utc))
        moments.append(parse_time(manifest.get("generated_at")) or EPOCH)
    return State(hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32], max(moments))


def cached(key: tuple, make: Callable[[], bytes], mimetype: str, vary: str | None = None,
           portal: bool = False) -> Response:
    """The response for ``key`` in the current state (see ``publication_state``): 304 if the client has it,
    else the body ``make`` made once for this state (errors it raises are not kept)."""
    state = publication_state(portal)
    etag = hashlib.sha256(repr((state.key, *key)).encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        return conditional(Response(status=304), etag, state.last_modified, vary)
    response = Response(cached_body(etag, make), mimetype=mimetype)
    return conditional(response, etag, state.last_modified, vary)


def conditional(response: Response, etag: str, last_modified: datetime, vary: str | None = None) -> Response:
    """``response`` with its validators and caching headers, or 304 if ``If-Modified-Since`` still holds."""
    response.set_etag(etag)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["PUBLIC_MAX_AGE"]
    if vary:
        response.vary.add(vary)
    if response.status_code == 200 and request.method in ("GET", "HEAD"):
        # Werkzeug's make_conditional: If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
        response.make_conditional(request.environ)
    return response
