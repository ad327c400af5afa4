"""Two people editing the same submission never overwrite each other silently."""
import re

from sqlalchemy import select

from reporting.models import Answer
from tests.conftest import PASSWORD, login
from tests.conftest import form_state, post_section


def test_stale_save_is_refused_with_409_and_keeps_input(app, db, cycle, user_factory):
    user_factory("focal_point", "FRA", email="a@fra.example.org")
    user_factory("focal_point", "FRA", email="b@fra.example.org")
    alice, bob = app.test_client(), app.test_client()
    login(alice, "a@fra.example.org", PASSWORD)
    login(bob, "b@fra.example.org", PASSWORD)
    alice_state = form_state(alice, "/cycles/2025/FRA/dr-prevention")
    bob_state = form_state(bob, "/cycles/2025/FRA/dr-prevention")

    assert post_section(alice, "dr-prevention", {"t.1.status": "implemented"}, state=alice_state).status_code == 302
    response = post_section(bob, "dr-prevention", {"t.1.status": "planned", "t.1.measures": "Bob's careful text"}, state=bob_state)

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "a@fra.example.org" in page  # who saved in the meantime
    assert "Bob&#39;s careful text" in page  # nothing Bob typed is lost
    db.session.rollback()
    assert db.session.scalars(select(Answer.value).where(Answer.key == "t.1.status")).all() == ["implemented"]

    # Bob's page is now based on the current version: saving again is deliberate and works.
    new_version = re.search(r'name="base_version"[^>]*value="(\d+)"', page).group(1)
    response = post_section(bob, "dr-prevention", {"t.1.status": "planned"}, state={**bob_state, "base_version": new_version})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalars(select(Answer.value).where(Answer.key == "t.1.status")).all() == ["planned"]


def test_save_is_all_or_nothing(app, db, cycle, login_as, client, monkeypatch):
    """A failure in the middle of a save leaves the old answers, not a mix."""
    from reporting.responses import submissions

    login_as("focal_point", "FRA")
    post_section(client, "dr-prevention", {"t.1.status": "planned", "t.2.status": "planned"})
    original = submissions.audit.record_many

    def failing_record_many(*args, **kwargs):
        original(*args, **kwargs)  # the new answers and their events are written by now
        raise RuntimeError("simulated crash mid-save")

    monkeypatch.setattr(submissions.audit, "record_many", failing_record_many)
    response = post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.2.status": "implemented"})
    assert response.status_code == 500
    db.session.rollback()
    values = dict(db.session.execute(select(Answer.key, Answer.value)).all())
    assert values == {"t.1.status": "planned", "t.2.status": "planned"}
