"""A small published demo for the portal: countries that did and did not consent, submissions
accepted and not, private words planted where the public must never read them."""
import copy
from datetime import date
import hashlib
import io

import pytest
from sqlalchemy import select

from reporting.database import write_transaction
from reporting.documents.storage import store
from reporting.extensions import db
from reporting.models import Country, CycleState, Document, MeasureExample, ReviewComment, Submission
from reporting.responses.cycles import change_state
from tests.conftest import make_user
from tests.reports.conftest import COMMENTS, MEASURES, N1, S1, S2, S3, SPEC, make_cycle, make_submission

# Planted wherever the public must never read it: the own words of an accepted country that did not
# consent, every answer of a submission that is not accepted, reviewers' comments, contributors'
# names and e-mails, and everything of a cycle that is not published.
MARKER = "Privatemarker7f3a"
# The own words of an accepted country that consented: they must be readable somewhere.
CONSENTED = "Consentedtext42"
EVIDENCE = "ungass2016.1.a.evidence"

PORTAL_SPEC = copy.deepcopy(SPEC)
PORTAL_SPEC["version"] = "1.1.0"
PORTAL_SPEC["pillars"][0]["sections"][0]["items"].insert(
    2, {"key": EVIDENCE, "kind": "url", "commitments": ["ungass2016.1.a"], "label": "Evidence (link)"})


def set_consent(cycle, iso3: str, may_publish: bool) -> Submission:
    with write_transaction():
        submission = db.session.scalar(select(Submission).join(Country).where(
            Submission.cycle_id == cycle.id, Country.iso3 == iso3))
        submission.may_publish = may_publish
    return submission


def mark_example(cycle, iso3: str) -> None:
    with write_transaction():
        submission = db.session.scalar(select(Submission).join(Country).where(
            Submission.cycle_id == cycle.id, Country.iso3 == iso3))
        db.session.add(MeasureExample(submission_id=submission.id, key=MEASURES, language="en"))


def png(text: bytes) -> bytes:
    """A real PNG image carrying ``text`` in a tEXt chunk (readable in its bytes, as a leak would be)."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def attach(cycle, iso3: str, filename: str, text: bytes) -> Document:
    """An evidence document, stored as an upload stores it (the cycle is no longer open for uploads)."""
    data = png(text)
    digest = hashlib.sha256(data).hexdigest()
    store().put("documents", digest, data)
    with write_transaction():
        submission = db.session.scalar(select(Submission).join(Country).where(
            Submission.cycle_id == cycle.id, Country.iso3 == iso3))
        document = Document(submission_id=submission.id, item_key=EVIDENCE, sha256=digest, filename=filename,
                            media_type="image/png", size=len(data))
        db.session.add(document)
    return document


def private_words(tag: str) -> dict:
    return {MEASURES: f"{MARKER} {tag} measures", COMMENTS: f"{MARKER} {tag} comments",
            EVIDENCE: f"https://example.org/{MARKER}/{tag}"}


@pytest.fixture
def portal_demo(app):
    """2025 closed then published (built after publication by the test that needs files); 2026 closed.

    2025: FRA accepted and consenting (CONSENTED), DEU and NGA accepted without consent (MARKER),
    GBR submitted but consenting (MARKER), MEX returned (MARKER), JPN in progress (MARKER); every
    status "implemented" etc. is public. Examples of measures are marked for FRA, DEU and GBR.
    2026 (not published): FRA accepted and consenting, with MARKER in every answer.
    """
    statuses = {S1: "implemented", S2: "in_progress", S3: "implemented", N1: 120}
    cycle = make_cycle("2025", date(2025, 6, 30), state="closed", spec=PORTAL_SPEC)
    make_submission(cycle, "FRA", "accepted", {**statuses, MEASURES: f"{CONSENTED} national prevention in schools", COMMENTS: "Consentedcomment fr",
                                               EVIDENCE: "https://example.org/consented"})
    make_submission(cycle, "DEU", "accepted", {**statuses, S1: "planned", **private_words("DEU")})
    make_submission(cycle, "NGA", "accepted", {**statuses, S2: "not_applicable", **private_words("NGA")})
    for iso3, state in (("ITA", "accepted"), ("ESP", "accepted"), ("BRA", "accepted")):
        make_submission(cycle, iso3, state, {**statuses, S2: "planned"})
    make_submission(cycle, "GBR", "submitted", {**statuses, S1: "not_started", **private_words("GBR")})
    make_submission(cycle, "MEX", "returned", {**statuses, **private_words("MEX")})
    make_submission(cycle, "JPN", "in_progress", {S1: "implemented", **private_words("JPN")})
    for iso3 in ("FRA", "GBR", "MEX", "JPN", "ITA"):
        set_consent(cycle, iso3, True)
    for iso3 in ("FRA", "DEU", "GBR"):
        mark_example(cycle, iso3)
    attach(cycle, "FRA", "consented-evidence.png", b"Consentedtext42 document")
    attach(cycle, "DEU", f"{MARKER}-evidence.png", f"{MARKER} document".encode())
    attach(cycle, "GBR", f"{MARKER}-unaccepted.png", f"{MARKER} document".encode())
    # A reviewer's comment and a contributor's name on the consenting, accepted response.
    contributor = make_user("contributor", "FRA", email=f"{MARKER.lower()}@example.org", name=f"{MARKER} Person")
    with write_transaction():
        france = db.session.scalar(select(Submission).join(Country).where(
            Submission.cycle_id == cycle.id, Country.iso3 == "FRA"))
        france.updated_by_id = contributor.id
        db.session.add(ReviewComment(submission_id=france.id, section_key="demand_reduction.prevention",
                                     text=f"{MARKER} reviewer comment"))
        change_state(cycle, CycleState.PUBLISHED)
    later = make_cycle("2026", date(2026, 6, 30), state="closed", spec=PORTAL_SPEC)
    make_submission(later, "FRA", "accepted", {S1: "implemented", **private_words("2026")})
    set_consent(later, "FRA", True)
    return cycle, later
