"""The restore drill: back up, damage, restore, and compare every answer, document and audit event.

Runs on SQLite (online backup API) and, in the PostgreSQL pass, on PostgreSQL (pg_dump/pg_restore).
"""
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from reporting.database import write_transaction
from reporting.models import Answer, AuditEvent, Country, Submission



def answers(db) -> list[tuple]:
    return list(db.session.execute(select(Country.iso3, Answer.key, Answer.value, Answer.carried_over, Submission.state,
                                          Submission.version).join(Submission, Answer.submission_id == Submission.id)
                                   .join(Country, Submission.country_id == Country.id).order_by(Country.iso3, Answer.key)))


def audit_events(db) -> list[tuple]:
    return list(db.session.execute(select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.action,
                                          AuditEvent.object_id, AuditEvent.key, AuditEvent.old, AuditEvent.new)
                                   .order_by(AuditEvent.id)))


def documents(app) -> dict[str, str]:
    folder = Path(app.config["DOCUMENTS_DIR"])
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def filled(app, db, client, cycle, user_factory):
    """Three countries' answers saved through the API (so they are audited), and two stored documents."""
    from reporting.accounts.services import create_api_token

    for iso3 in ("FRA", "KEN", "MEX"):
        user = user_factory("focal_point", iso3)
        with write_transaction():
            token = create_api_token(user.email, "drill")
        headers = {"Authorization": f"Bearer {token}"}
        response = client.patch(f"/api/v1/cycles/2025/submissions/{iso3}/answers", headers=headers, json={
            "base_version": 1, "answers": {"t.1.status": "implemented", "t.1.measures": f"Mesures de {iso3} — ✓",
                                           "t.2.status": "planned", "t.2.indicator.1": 1200}})
        assert response.status_code == 200, response.json
    folder = Path(app.config["DOCUMENTS_DIR"])
    (folder / "FRA").mkdir(parents=True)
    (folder / "FRA" / "strategy.pdf").write_bytes(b"%PDF-1.7 national strategy " * 1000)
    (folder / "KEN.docx").write_bytes(bytes(range(256)) * 64)
    db.session.rollback()
    return answers(db), audit_events(db), documents(app)


def test_restore_drill(app, db, runner, filled, tmp_path):
    before_answers, before_events, before_documents = filled
    assert len(before_answers) == 12 and len(before_documents) == 2

    result = runner.invoke(args=["backup", "create", "--out", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    assert "Backed up 12 answers, 193 submissions" in result.output and "2 documents" in result.output
    backup = next((tmp_path / "backups").glob("backup-*"))

    # Damage: answers deleted and changed, a new answer, a document lost, another overwritten.
    with write_transaction():
        db.session.execute(delete(Answer).where(Answer.key == "t.1.measures"))
        db.session.execute(text("UPDATE answers SET value = :v WHERE key = 't.2.status'"), {"v": json.dumps("implemented")})
    (Path(app.config["DOCUMENTS_DIR"]) / "FRA" / "strategy.pdf").unlink()
    (Path(app.config["DOCUMENTS_DIR"]) / "KEN.docx").write_bytes(b"ransom")
    db.session.rollback()
    assert answers(db) != before_answers and documents(app) != before_documents

    result = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored and verified 12 answers, 193 submissions" in result.output

    db.session.remove()
    assert answers(db) == before_answers
    assert documents(app) == before_documents
    after_events = audit_events(db)
    assert after_events[:-1] == before_events  # every event back, and the restore itself recorded last
    assert after_events[-1].action == "backup.restored" and after_events[-1].object_id == backup.name


def test_a_damaged_backup_is_refused_and_changes_nothing(app, db, runner, filled, tmp_path):
    before_answers, before_events, before_documents = filled
    assert runner.invoke(args=["backup", "create", "--out", str(tmp_path)]).exit_code == 0
    backup = next(tmp_path.glob("backup-*"))
    database = next(path for path in backup.iterdir() if path.name.startswith("database."))
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    result = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert result.exit_code == 1
    assert f"the backup is damaged: {database} does not match its checksum" in result.output
    (backup / "documents" / "KEN.docx").unlink()
    result = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert "the backup is incomplete" in result.output or "does not match its checksum" in result.output
    db.session.remove()
    assert answers(db) == before_answers and audit_events(db) == before_events and documents(app) == before_documents


@pytest.mark.parametrize(("args", "message"), [
    (["backup", "restore", "{tmp}", "--yes"], "is not a backup: no manifest.json"),
    (["backup", "restore", "{tmp}/none", "--yes"], "does not exist"),
    (["backup", "create", "--out", "{tmp}/file/sub"], "cannot write to"),
])
def test_bad_arguments(app, runner, tmp_path, args, message):
    (tmp_path / "file").write_text("not a folder")
    result = runner.invoke(args=[arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert result.exit_code != 0 and message in result.output
