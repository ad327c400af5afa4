"""The one publication policy: published cycles, accepted submissions, statuses and figures by
default, the country's own words and documents only with its consent, decided per question kind."""
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from forms.kinds import KINDS
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Country, MeasureExample, Submission
from reporting.publication import policy
from reporting.reports.content import country_responses, cycle_content
from tests.reports.conftest import COMMENTS, FRENCH_TEXT, GERMAN_TEXT, MEASURES, N1, S1, S2, make_cycle, make_submission

BRITISH_TEXT = "Unaccepted British measures"


def consent(cycle, iso3, may_publish=True):
    with write_transaction():
        submission = db.session.scalar(select(Submission).join(Country).where(
            Submission.cycle_id == cycle.id, Country.iso3 == iso3))
        submission.may_publish = may_publish
    return submission


@pytest.fixture
def published(app):
    """2025 published: FRA accepted and consenting, DEU accepted without consent, GBR submitted (consenting)."""
    cycle = make_cycle("2025", date(2025, 6, 30), state="published")
    make_submission(cycle, "FRA", "accepted", {S1: "implemented", MEASURES: FRENCH_TEXT, COMMENTS: "Commentaire", N1: 100,
                                               "no.such.question": "stale"})
    make_submission(cycle, "DEU", "accepted", {S1: "planned", S2: "not_applicable", MEASURES: GERMAN_TEXT, N1: 300})
    make_submission(cycle, "GBR", "submitted", {S1: "implemented", MEASURES: BRITISH_TEXT})
    consent(cycle, "FRA")
    consent(cycle, "GBR")
    return cycle


def test_public_answers_follow_state_and_consent(published):
    assert policy.public_answers(published) == {
        "FRA": {S1: "implemented", MEASURES: FRENCH_TEXT, COMMENTS: "Commentaire", N1: 100},
        "DEU": {S1: "planned", S2: "not_applicable", N1: 300},
    }
    deu = db.session.scalar(select(Country).where(Country.iso3 == "DEU"))
    assert policy.public_answers(published, deu) == {"DEU": {S1: "planned", S2: "not_applicable", N1: 300}}
    assert [s.country.iso3 for s in policy.public_submissions(published)] == ["DEU", "FRA"]
    assert [policy.text_is_public(s) for s in policy.public_submissions(published)] == [False, True]


@pytest.mark.parametrize("state", ["draft", "open", "closed"])
def test_nothing_of_an_unpublished_cycle_is_public(app, state):
    cycle = make_cycle("2026", date(2026, 6, 30), state=state)
    make_submission(cycle, "FRA", "accepted", {S1: "implemented", MEASURES: FRENCH_TEXT})
    consent(cycle, "FRA")
    assert policy.public_answers(cycle) == {} and policy.public_submissions(cycle) == []
    assert policy.published_cycles() == []
    with app.test_request_context(), pytest.raises(NotFound):
        policy.published_cycle_or_404("2026")


def test_published_cycle_and_submission_loaders(app, published):
    with app.test_request_context():
        assert policy.published_cycle_or_404("2025") is published
        assert policy.public_submission_or_404(published, "fra").country.iso3 == "FRA"
        for label in ("2024", "", "2025\n", "../2025", "x" * 200):
            with pytest.raises(NotFound):
                policy.published_cycle_or_404(label)
        for iso3 in ("GBR", "MEX", "XXX", "FR", "FRA/../DEU", "ÉTA"):  # submitted, not started, unknown, malformed
            with pytest.raises(NotFound):
                policy.public_submission_or_404(published, iso3)


def test_each_kind_says_what_of_its_answer_is_public():
    """Decided by the kinds registry, not by key names: free-text kinds need consent, a table's
    note is free text but its figures are not, everything else is public."""
    assert sorted(name for name, kind in KINDS.items() if kind.free_text) == ["comment", "text", "url"]
    table = {"rows": {"heroin": {"kg": 12.5}}, "year": 2024, "note": "Seized at the border by our customs"}
    assert policy.public_value({"kind": "table"}, table, consented=False) == {"rows": {"heroin": {"kg": 12.5}}, "year": 2024}
    assert policy.public_value({"kind": "table"}, table, consented=True) == table
    assert policy.public_value({"kind": "table"}, {"note": "only words"}, consented=False) is None
    for kind, value in [("status", "planned"), ("number", 3), ("checkbox", True), ("single_choice", "yes"),
                        ("multiple_choice", ["a", "b"])]:
        assert policy.public_value({"kind": kind}, value, consented=False) == value
    for kind, value in [("text", "words"), ("comment", "words"), ("url", "https://example.org/evidence")]:
        assert policy.public_value({"kind": kind}, value, consented=False) is None
        assert policy.public_value({"kind": kind}, value, consented=True) == value
    assert policy.public_value({"kind": "no-such-kind"}, "x", consented=True) is None


def mark(cycle, iso3):
    with write_transaction():
        submission = db.session.scalar(select(Submission).join(Country).where(
            Submission.cycle_id == cycle.id, Country.iso3 == iso3))
        db.session.add(MeasureExample(submission_id=submission.id, key=MEASURES, language="en"))


def test_published_report_quotes_only_consenting_countries(published):
    mark(published, "FRA")
    mark(published, "DEU")
    assert [example.iso2 for example in cycle_content(published).pillars[0].examples] == ["FR"]
    # A draft report (UNODC staff only) quotes every marked example.
    with write_transaction():
        published.state = "closed"
    assert [example.iso2 for example in cycle_content(published).pillars[0].examples] == ["DE", "FR"]


def test_published_profiles_print_free_text_only_with_consent(published):
    countries = list(db.session.scalars(select(Country).where(Country.iso3.in_(["DEU", "FRA"])).order_by(Country.iso3)))
    deu, fra = country_responses(published, countries)
    assert deu.answers == {S1: "planned", S2: "not_applicable", N1: 300}
    assert fra.answers[MEASURES] == FRENCH_TEXT and fra.answers[COMMENTS] == "Commentaire"
    with write_transaction():
        published.state = "closed"
    deu, _fra = country_responses(published, countries)
    assert deu.answers[MEASURES] == GERMAN_TEXT
