"""Answers carry forward from the previous cycle's accepted submission, marked until confirmed."""
from datetime import date

from sqlalchemy import select, update

from reporting.database import write_transaction
from reporting.models import Answer, Country, Submission
from reporting.responses.cycles import open_cycle
from tests.conftest import form_state, post_section


def test_accepted_answers_prefill_the_next_cycle(app, db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.1.measures": "Strategy 2024", "t.2.status": "planned"})
    with write_transaction():
        fra = db.session.scalar(select(Country.id).where(Country.iso3 == "FRA"))
        db.session.execute(update(Submission).where(Submission.country_id == fra).values(state="accepted"))
        nxt = open_cycle("2026", cycle.spec_version.version, date(2027, 6, 30))
    carried = dict(
        db.session.execute(
            select(Answer.key, Answer.carried_over).join(Submission).where(Submission.cycle_id == nxt.id, Submission.country_id == fra)
        ).all()
    )
    assert carried == {"t.1.status": True, "t.1.measures": True, "t.2.status": True}

    page = client.get("/cycles/2026/FRA/dr-prevention").get_data(as_text=True)
    assert "carried over" in page and "Strategy 2024" in page
    response = client.post("/cycles/2026/FRA/submit", data=form_state(client, "/cycles/2026/FRA/submit"))
    assert "Carried over from the previous cycle: confirm or change it." in response.get_data(as_text=True)

    # Saving the section unchanged confirms what was carried over.
    path = "/cycles/2026/FRA/dr-prevention"
    client.post(path, data={**form_state(client, path), "t.1.status": "implemented", "t.1.measures": "Strategy 2024", "t.2.status": "planned"})
    db.session.rollback()
    flags = db.session.scalars(
        select(Answer.carried_over).join(Submission).where(Submission.cycle_id == nxt.id, Submission.country_id == fra)
    ).all()
    assert flags == [False, False, False]


def test_answers_of_submissions_not_accepted_do_not_carry(app, db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    post_section(client, "dr-prevention", {"t.1.status": "implemented"})
    with write_transaction():
        nxt = open_cycle("2026", cycle.spec_version.version, date(2027, 6, 30))
    assert db.session.scalars(select(Answer).join(Submission).where(Submission.cycle_id == nxt.id)).all() == []
