"""Filling in and reviewing without friction, through the real app and without JavaScript:
the submit page names each question, every section page leads to the next unanswered
question, long sections come in sub-topics, carried-over answers are confirmed in one go,
and the review goes through a confirmation step."""
import copy
from datetime import date
import re

import pytest
from sqlalchemy import select, update

from reporting.database import write_transaction
from reporting.models import Answer, AuditEvent, Country, ReviewComment, Submission
from reporting.responses.cycles import open_cycle
from tests.conftest import SPEC, csrf_token, form_state, login, post_section, store_spec


def submission_of(db, label, iso3):
    from reporting.models import Cycle

    db.session.rollback()
    return db.session.scalar(
        select(Submission).join(Country).join(Cycle).where(Cycle.label == label, Country.iso3 == iso3)
    )


# A questionnaire whose first section cites two source documents, with the commitments frozen in it.
CITED = copy.deepcopy(SPEC)
CITED["version"] = "9.7.15"  # unique: form classes are cached per spec version
_prevention = CITED["pillars"][0]["sections"][0]
for item in _prevention["items"]:
    item["commitments"] = [{"t.1": "pd2009.14", "t.2": "poa2009.I.2.a"}[c] for c in item["commitments"]]
    item["key"] = item["key"].replace("t.1.", "pd2009.14.").replace("t.2.", "poa2009.I.2.a.")
    if "show_if" in item:
        item["show_if"] = item["show_if"].replace("t.1.", "pd2009.14.")
_prevention["checks"] = []
CITED["commitments"] = {
    "pd2009.14": {"document": "pd2009", "label": "14", "title": "Raise public awareness", "text": "Decide to continue to raise public awareness."},
    "poa2009.I.2.a": {"document": "poa2009", "label": "2 (a)", "title": "Prevention in schools", "text": "Prevention in schools."},
}
# Long enough to be split into sub-topics: ten more questions from the Plan of Action.
for _letter in "bcdefghijk":
    CITED["commitments"][f"poa2009.I.2.{_letter}"] = {"document": "poa2009", "label": f"2 ({_letter})", "title": f"Action 2 ({_letter})", "text": "…"}
    _prevention["items"].insert(-1, {"key": f"poa2009.I.2.{_letter}.status", "kind": "status", "commitments": [f"poa2009.I.2.{_letter}"], "label": f"Action 2 ({_letter})"})


@pytest.fixture
def cited_cycle(app):
    with write_transaction():
        spec = store_spec(CITED)
    with write_transaction():
        return open_cycle("2025", spec.version, date(2026, 6, 30))


def test_submit_page_groups_problems_by_section_naming_each_question(db, client, cited_cycle, login_as):
    login_as("focal_point", "FRA")
    post_section(client, "dr-prevention", {"pd2009.14.status": "implemented"})
    response = client.get("/cycles/2025/FRA/submit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # One group per section, with its count: Prevention lacks one answer, Precursors and EU–CELAC one each.
    assert re.search(r"<strong>Prevention</strong> <span class=\"count\">\(1\)</span>", page)
    assert re.search(r"<strong>Precursors</strong> <span class=\"count\">\(1\)</span>", page)
    assert "Before you can submit: 3 questions to answer or confirm" in page
    # Each line names the question, its reference, and links to the field.
    assert '/cycles/2025/FRA/dr-prevention#item-poa2009.I.2.a.status">Treatment services</a>' in page
    assert "(Plan of Action 2009, Action 2 (a))" in page
    assert "This question needs an answer." in page
    assert "International cooperation" not in page  # no generic section-only lines


def test_failed_submit_then_language_switch_lands_on_a_page(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    response = client.post("/cycles/2025/FRA/submit", data=form_state(client, "/cycles/2025/FRA/submit"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # The language switcher of the failed-submit page returns to the submit page, which answers GET.
    target = re.search(r'name="next" value="([^"]+)"', page).group(1)
    assert target == "/cycles/2025/FRA/submit"
    switched = client.post("/language", data={"lang": "fr", "next": target, "csrf_token": csrf_token(client, "/cycles/")})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/cycles/2025/FRA/submit")
    again = client.get(switched.headers["Location"])
    assert again.status_code == 200 and '<html lang="fr"' in again.get_data(as_text=True)


def test_section_page_leads_to_the_next_unanswered_question_and_every_section(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    page = client.get("/cycles/2025/FRA/dr-prevention").get_data(as_text=True)
    assert 'id="next-unanswered" href="/cycles/2025/FRA/dr-prevention#item-t.1.status"' in page
    for section in ("dr-prevention", "sr-precursors", "sofia-cooperation"):
        assert f'href="/cycles/2025/FRA/{section}"' in page  # the jump list
    post_section(client, "dr-prevention", {"t.1.status": "planned", "t.2.status": "planned"})
    page = client.get("/cycles/2025/FRA/dr-prevention").get_data(as_text=True)
    # This section is done: the link leads on to the next section's first open question.
    assert 'id="next-unanswered" href="/cycles/2025/FRA/sr-precursors#item-t.3.status"' in page


def test_long_sections_come_in_sub_topics_per_source_document_with_their_progress(db, client, cited_cycle, login_as):
    login_as("focal_point", "FRA")
    post_section(client, "dr-prevention", {"pd2009.14.status": "implemented"})
    page = client.get("/cycles/2025/FRA/dr-prevention").get_data(as_text=True)
    topics = re.findall(r'<details class="topic" id="topic-\d"( open)?>\s*<summary><span class="topic-title">([^<]+)</span>', page)
    # Complete groups are folded, open ones unfolded; the section comment comes last, alone.
    assert topics == [("", "Political Declaration 2009"), (" open", "Plan of Action 2009"), (" open", "Other questions")]
    assert "1 of 1 answered" in page and "0 of 1 answered" in page
    # A short section stays one table.
    assert '<details class="topic"' not in client.get("/cycles/2025/FRA/sr-precursors").get_data(as_text=True)


def test_save_and_next_section_saves_then_opens_the_next_section(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    response = post_section(client, "dr-prevention", {"t.1.status": "planned", "action": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cycles/2025/FRA/sr-precursors")
    assert {a.key: a.value for a in submission_of(db, "2025", "FRA").answers} == {"t.1.status": "planned"}
    # After the last section it leads to the submit page.
    response = post_section(client, "sofia-cooperation", {"s.1.status": "planned", "action": "next"})
    assert response.headers["Location"].endswith("/cycles/2025/FRA/submit")


def _carry_over(db, client, cycle):
    post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.1.measures": "Strategy 2024", "t.2.status": "planned"})
    with write_transaction():
        fra = db.session.scalar(select(Country.id).where(Country.iso3 == "FRA"))
        db.session.execute(update(Submission).where(Submission.country_id == fra).values(state="accepted"))
        open_cycle("2026", cycle.spec_version.version, date(2027, 6, 30))


def test_carried_over_answers_are_prefilled_not_answered_until_confirmed(db, client, cycle, login_as, user_factory):
    login_as("focal_point", "FRA")
    _carry_over(db, client, cycle)
    overview = client.get("/cycles/2026/FRA/").get_data(as_text=True)
    assert "0% of required questions answered" in overview
    assert "2 answers are pre-filled from the previous cycle and not yet confirmed" in overview
    page = client.get("/cycles/2026/FRA/dr-prevention").get_data(as_text=True)
    assert "0 of 2 required questions answered · 2 pre-filled, not yet confirmed" in page
    assert "Confirm all carried-over answers of this section" in page

    state = form_state(client, "/cycles/2026/FRA/dr-prevention")
    response = client.post("/cycles/2026/FRA/dr-prevention/confirm", data=state)
    assert response.status_code == 302
    assert "3 carried-over answers confirmed." in client.get(response.headers["Location"]).get_data(as_text=True)
    submission = submission_of(db, "2026", "FRA")
    assert not any(answer.carried_over for answer in submission.answers)
    assert {a.key: a.value for a in submission.answers}["t.1.measures"] == "Strategy 2024"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.submission_id == submission.id, AuditEvent.action == "answers.confirmed"))
    assert event.actor == "focal_point.fra@example.org" and sorted(event.new) == ["t.1.measures", "t.1.status", "t.2.status"]
    # A stale confirmation (someone saved meanwhile) changes nothing.
    response = client.post("/cycles/2026/FRA/dr-prevention/confirm", data=state)
    assert "nothing was confirmed" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_dashboard_shows_prefilled_countries_apart_from_answered_ones(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    _carry_over(db, client, cycle)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login_as("compiler", None)
    page = client.get("/cycles/2026/").get_data(as_text=True)
    row = page[page.index('href="/cycles/2026/FRA/"'):].split("</tr>")[0]
    assert "pre-filled, not yet confirmed" in row and "2 pre-filled" in row and "France: 0% answered" in row
    csv_rows = client.get("/cycles/2026/dashboard.csv").get_data(as_text=True).splitlines()
    assert csv_rows[0].split(",")[5:7] == ["progress_percent", "prefilled_unconfirmed"]
    assert [line for line in csv_rows if line.startswith("FRA,")][0].split(",")[5:7] == ["0", "2"]


def _submitted(client, db):
    post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.1.measures": "National strategy", "t.2.status": "planned"})
    post_section(client, "sr-precursors", {"t.3.status": "in_progress", "t.3.evidence": "https://example.gouv.fr/p"})
    post_section(client, "sofia-cooperation", {"s.1.status": "not_applicable"})
    assert client.post("/cycles/2025/FRA/submit", data=form_state(client, "/cycles/2025/FRA/submit")).status_code == 302


def test_review_page_shows_every_answer_as_text_and_returns_with_question_comments(db, client, cycle, user_factory):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    user_factory("compiler", None, email="compiler@unodc.example.org")
    login(client, "fp@fra.example.org")
    _submitted(client, db)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login(client, "compiler@unodc.example.org")

    page = client.get("/cycles/2025/FRA/review").get_data(as_text=True)
    for text in ("Prevention programmes", "Implemented", "National strategy", "https://example.gouv.fr/p", "Not applicable", "Precursors"):
        assert text in page
    assert 'type="radio"' not in page  # answers as text, not disabled radio buttons
    assert page.index('value="return"') < page.index('value="accept"') and 'class="primary"' not in page.split('id="decision-title"')[1]

    state = form_state(client, "/cycles/2025/FRA/review")
    # Return without any comment: refused, nothing changes.
    response = client.post("/cycles/2025/FRA/review", data={**state, "action": "return"})
    assert response.status_code == 422 and "add a comment to at least one section or question" in response.get_data(as_text=True)
    comments = {"comment-t.3.status": "Which precursors?", "comment-dr-prevention": "Add the 2025 plan."}
    confirmation = client.post("/cycles/2025/FRA/review", data={**state, "action": "return", **comments})
    text = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200 and "Return the questionnaire of France for correction?" in text
    assert "Which precursors?" in text and "Precursor controls" in text and "Add the 2025 plan." in text and "Whole section" in text
    # "Back to the review" keeps the comments typed.
    back = client.post("/cycles/2025/FRA/review", data={**state, "action": "edit", "confirmed": "1", **comments}).get_data(as_text=True)
    assert ">Which precursors?</textarea>" in back
    assert submission_of(db, "2025", "FRA").state == "submitted"

    response = client.post("/cycles/2025/FRA/review", data={**state, "action": "return", "confirmed": "1", **comments})
    assert response.status_code == 302
    submission = submission_of(db, "2025", "FRA")
    assert submission.state == "returned"
    stored = {(c.section_key, c.item_key, c.text) for c in submission.comments}
    assert stored == {("sr-precursors", "t.3.status", "Which precursors?"), ("dr-prevention", None, "Add the 2025 plan.")}

    # The focal point sees the question's comment beside the question.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login(client, "fp@fra.example.org")
    page = client.get("/cycles/2025/FRA/sr-precursors").get_data(as_text=True)
    row = page[page.index('id="item-t.3.status"'):].split("</tr>")[0]
    assert "Which precursors?" in row


def test_accept_needs_the_confirmation_step(db, client, cycle, user_factory):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    user_factory("compiler", None, email="compiler@unodc.example.org")
    login(client, "fp@fra.example.org")
    _submitted(client, db)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login(client, "compiler@unodc.example.org")
    state = form_state(client, "/cycles/2025/FRA/review")
    page = client.post("/cycles/2025/FRA/review", data={**state, "action": "accept"}).get_data(as_text=True)
    assert "Accept the questionnaire of France?" in page and 'name="confirmed" value="1"' in page
    assert submission_of(db, "2025", "FRA").state == "submitted"
    assert client.post("/cycles/2025/FRA/review", data={**state, "action": "accept", "confirmed": "1"}).status_code == 302
    assert submission_of(db, "2025", "FRA").state == "accepted"


def test_review_page_is_for_compilers_only(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    assert client.get("/cycles/2025/FRA/review").status_code == 403


def test_review_marks_carried_over_and_changed_answers(db, client, cycle, login_as, user_factory):
    login_as("focal_point", "FRA")
    _carry_over(db, client, cycle)
    state = form_state(client, "/cycles/2026/FRA/dr-prevention")
    client.post("/cycles/2026/FRA/dr-prevention", data={**state, "t.1.status": "implemented", "t.1.measures": "Strategy 2026", "t.2.status": "planned"})
    with write_transaction():
        db.session.execute(update(Answer).where(Answer.key == "t.2.status").values(carried_over=True))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login_as("compiler", None)
    page = client.get("/cycles/2026/FRA/review").get_data(as_text=True)
    measures = page[page.index('id="review-item-t.1.status"'):].split("</tr>")[0]
    assert "changed since the last cycle" in measures and "previously: Strategy 2024" in measures
    treatment = page[page.index('id="review-item-t.2.status"'):].split("</tr>")[0]
    assert "carried over" in treatment


def test_fields_are_named_by_their_question_and_errors_are_tied_to_them(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    response = post_section(client, "dr-prevention", {"t.1.status": "planned", "t.1.measures": "x" * 201})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # The follow-up's label says which question it belongs to (hidden text for screen readers).
    assert '<label for="t.1.measures"><span class="visually-hidden">Prevention programmes: </span>Measures taken' in page
    assert re.search(r'<textarea id="t.1.measures"[^>]* aria-invalid="true" aria-describedby="error-t.1.measures"', page)
    assert '<p class="field-error" id="error-t.1.measures">At most 200 characters.</p>' in page
    # Required questions are marked, and the progress bar has a name.
    assert re.search(r'id="t.1.status-planned"[^>]* required', page) and 'class="required"' in page
    assert 'aria-labelledby="label-t.1.status head-1-planned"' in page and 'id="head-1-planned"' in page
    assert '<progress id="section-progress" max="2" value="0" aria-labelledby="section-progress-text">' in page
