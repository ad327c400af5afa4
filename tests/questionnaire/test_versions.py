"""A register change, seen through versions: the diff, the semantic version, carry-forward, the frozen copy in the database."""
import copy

import pytest
from sqlalchemy import func, select

from reporting.models import AuditEvent, SpecVersion
from reporting.questionnaire.diff import diff_specs, to_markdown, to_text
from reporting.questionnaire.generate import generate_spec
from reporting.questionnaire.schema import items, load_spec
from reporting.questionnaire.versions import (
    SpecVersionConflict, SpecVersionFrozen, activate_spec, carry_forward, load_version, next_version,
)

from tests.questionnaire.conftest import CHECKSUM, record, write_spec

OTHER_CHECKSUM = "1" * 64
NEW = record("ungass2016.1.zz", "demand_reduction", 1, "Offer naloxone in every overdose hotspot")


def member_state_commitments(register):
    return [commitment for commitment in register if "member_states" in commitment["addressees"]]


@pytest.fixture
def change(real_register):
    """The real register, and a copy with one commitment removed, one reworded and one added."""
    asked = member_state_commitments(real_register)
    removed, reworded = asked[10], asked[200]
    changed = [copy.deepcopy(c) for c in real_register if c["id"] != removed["id"]]
    target = next(c for c in changed if c["id"] == reworded["id"])
    target["text"] += " Reworded."
    target["title"] = "A reworded title"
    changed.append(copy.deepcopy(NEW))
    return real_register, changed, removed, reworded


def keys_of(commitment_id):
    return {f"{commitment_id}.{suffix}" for suffix in ("status", "measures", "evidence")}


def test_diff_shows_added_removed_and_reworded_items_by_section(change):
    old_register, new_register, removed, reworded = change
    old, new = generate_spec(old_register, CHECKSUM), generate_spec(new_register, OTHER_CHECKSUM, "2.0.0")
    diff = diff_specs(old, new)
    assert {c.key for c in diff.changes("added")} == keys_of(NEW["id"])
    assert {c.key for c in diff.changes("removed")} == keys_of(removed["id"])
    assert {c.key for c in diff.changes("reworded")} == keys_of(reworded["id"])
    assert diff.changes("changed") == diff.changes("adjusted") == []
    status = next(c for c in diff.changes("reworded") if c.key.endswith(".status"))
    assert status.details == ("label", f"text of {reworded['id']}") and status.label == "A reworded title"
    by_section = {group.key: {c.key for c in group.changes} for group in diff.sections}
    section_of = {item["key"]: section["key"] for spec in (old, new) for section, item in items(spec)}
    for key in keys_of(NEW["id"]) | keys_of(removed["id"]) | keys_of(reworded["id"]):
        assert key in by_section[section_of[key]]
    assert set(diff.not_carried) == keys_of(removed["id"])
    assert len(diff.carried) == len(list(items(old))) - 3

    text = to_text(diff)
    assert f"- removed  {removed['id']}.status [status] — answer will not carry" in text
    assert f"+ added    {NEW['id']}.status [status] — new question" in text
    assert f"~ reworded {reworded['id']}.status [status] (label, text of {reworded['id']}) — answer carries" in text
    markdown = to_markdown(diff)
    assert markdown.startswith("# arq 1.0.0 → 2.0.0\n")
    assert f"| removed | `{removed['id']}.status` | status |" in markdown


def test_answers_carry_forward_by_key(change):
    old_register, new_register, removed, reworded = change
    old, new = generate_spec(old_register, CHECKSUM), generate_spec(new_register, OTHER_CHECKSUM)
    answers = {item["key"]: "in_progress" for _, item in items(old) if item["kind"] == "status"}
    carried = carry_forward(old, new, answers)
    assert f"{reworded['id']}.status" in carried and f"{removed['id']}.status" not in carried
    assert f"{NEW['id']}.status" not in carried
    assert len(carried) == len(answers) - 1


def test_an_answer_does_not_carry_to_an_item_it_no_longer_fits(valid_spec):
    new = copy.deepcopy(valid_spec)
    section_items = new["pillars"][0]["sections"][0]["items"]
    section_items[3]["choices"] = [{"value": "school", "label": "School"}, {"value": "work", "label": "Work"}]
    section_items[2]["number"]["type"] = "integer"
    diff = diff_specs(valid_spec, new)
    assert [(c.key, c.details) for c in diff.changes("changed")] == [
        ("poa2009.I.4.f.budget", ("number type",)), ("poa2009.I.4.f.settings", ("choice family removed",))]
    answers = {"poa2009.I.4.f.budget": 2.5, "poa2009.I.4.f.settings": ["school"], "poa2009.I.4.f.status": "planned"}
    assert carry_forward(valid_spec, new, answers) == {"poa2009.I.4.f.status": "planned"}
    assert next_version(valid_spec, {**new, "version": "9.9.9"}) == "2.0.0"


def test_the_version_says_what_changed(valid_spec):
    assert next_version(None, valid_spec) == "1.0.0"
    assert next_version(valid_spec, copy.deepcopy(valid_spec)) == "1.0.0"
    added = copy.deepcopy(valid_spec)
    added["pillars"][0]["sections"][0]["items"].insert(1, {
        "key": "poa2009.I.4.f.year", "kind": "number", "commitments": ["poa2009.I.4.f"], "label": "Year",
        "number": {"type": "year"}})
    assert next_version(valid_spec, added) == "1.1.0"
    reworded = copy.deepcopy(valid_spec)
    reworded["pillars"][0]["sections"][0]["items"][0]["label"] = "Deliver prevention programmes"
    assert next_version(valid_spec, reworded) == "1.0.1"
    adjusted = copy.deepcopy(valid_spec)
    adjusted["pillars"][0]["sections"][0]["items"][1].pop("show_if")
    assert next_version(valid_spec, adjusted) == "1.0.1"
    assert diff_specs(valid_spec, adjusted).changes("adjusted")[0].details == ("show_if",)
    assert next_version(valid_spec, {**valid_spec, "register_checksum": OTHER_CHECKSUM}) == "1.0.1"
    removed = copy.deepcopy(valid_spec)
    removed["pillars"][0]["sections"][0]["items"].pop(2)
    assert next_version(valid_spec, removed) == "2.0.0"


def test_context_and_moves_appear_in_the_diff(valid_spec):
    new = copy.deepcopy(valid_spec)
    new["pillars"][0]["sections"][0]["context"] = []
    moved = new["pillars"][0]["sections"][0]["items"].pop(0)
    new["pillars"][1]["sections"][0]["items"].insert(0, moved)
    diff = diff_specs(valid_spec, new)
    group = next(group for group in diff.sections if group.key == "dr-prevention")
    assert group.context_removed == ["ungass2016.1.r"]
    assert [(c.kind, c.details) for c in diff.changes("adjusted")] == [("adjusted", ("moved from dr-prevention",))]
    assert "context - ungass2016.1.r" in to_text(diff)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_activation_freezes_the_spec_and_is_idempotent(db, valid_spec):
    events = count(db, AuditEvent)
    row, created = activate_spec(valid_spec)
    assert created and row.version == "1.0.0" and row.content == valid_spec
    again, created = activate_spec(copy.deepcopy(valid_spec))
    assert (again.id, created) == (row.id, False)
    assert count(db, SpecVersion) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "spec.activate"))
    assert event.object_id == str(row.id) and event.new["version"] == "1.0.0"
    assert load_version("1.0.0") == valid_spec and load_version("9.0.0") is None

    other = copy.deepcopy(valid_spec)
    other["title"] = "Another title"
    with pytest.raises(SpecVersionConflict, match="version 1.0.0 is already stored with other content"):
        activate_spec(other)
    assert count(db, SpecVersion) == 1 and count(db, AuditEvent) == events + 1

    row.content = other
    with pytest.raises(SpecVersionFrozen):
        db.session.commit()
    db.session.rollback()


def test_cli_activate(runner, db, register_dir, small_register, tmp_path, valid_spec):
    registry = str(register_dir(small_register))
    path = write_spec(tmp_path / "arq-1.0.0.yaml", valid_spec)
    result = runner.invoke(args=["spec", "activate", str(path), "--register", registry])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Activated arq 1.0.0 (sha256 ")
    result = runner.invoke(args=["spec", "activate", str(path), "--register", registry])
    assert result.exit_code == 0 and "Already active with identical content: arq 1.0.0" in result.output

    valid_spec["title"] = "Changed without a new version"
    write_spec(path, valid_spec)
    result = runner.invoke(args=["spec", "activate", str(path), "--register", registry])
    assert result.exit_code != 0 and "already stored with other content" in result.output
    assert count(db, SpecVersion) == 1


def test_cli_activate_refuses_an_invalid_spec(runner, db, register_dir, small_register, tmp_path, valid_spec):
    valid_spec["version"] = "1.1.0"
    valid_spec["pillars"][0]["sections"][0]["items"][1]["show_if"] = "poa2009.I.4.f.status in ['planned'"
    path = write_spec(tmp_path / "bad.yaml", valid_spec)
    before = count(db, SpecVersion), count(db, AuditEvent)
    result = runner.invoke(args=["spec", "activate", str(path), "--register", str(register_dir(small_register))])
    assert result.exit_code != 0
    assert f"{path}: item poa2009.I.4.f.measures: show_if: unexpected end of expression at character 35" in result.output
    assert "Traceback" not in result.output
    assert (count(db, SpecVersion), count(db, AuditEvent)) == before


def test_cli_diff_prints_and_writes_a_changelog(runner, tmp_path, valid_spec):
    old = write_spec(tmp_path / "arq-1.0.0.yaml", valid_spec)
    new_spec = load_spec(old)
    new_spec["version"] = "2.0.0"
    new_spec["pillars"][0]["sections"][0]["items"].pop(2)
    new_spec["pillars"][0]["sections"][0].pop("checks")
    new_spec["pillars"][0]["sections"][0]["items"][0]["label"] = "Deliver prevention programmes"
    new = write_spec(tmp_path / "arq-2.0.0.yaml", new_spec)
    result = runner.invoke(args=["spec", "diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "arq 1.0.0 -> 2.0.0: 0 added, 1 removed, 1 reworded, 0 changed, 0 adjusted." in result.output
    assert "[dr-prevention] Prevention" in result.output
    assert "- removed  poa2009.I.4.f.budget [number] — answer will not carry" in result.output
    changelog = tmp_path / "changelog" / "arq-1.0.0-to-2.0.0.md"
    assert f"Changelog written to {changelog}" in result.output
    assert "| reworded | `poa2009.I.4.f.status` | status | Deliver prevention programmes | label | answer carries |" \
        in changelog.read_text(encoding="utf-8")

    target = tmp_path / "CHANGES.md"
    result = runner.invoke(args=["spec", "diff", str(old), str(new), "--changelog", str(target)])
    assert result.exit_code == 0 and target.exists()


def test_cli_diff_refuses_an_invalid_spec(runner, tmp_path, valid_spec):
    old = write_spec(tmp_path / "old.yaml", valid_spec)
    valid_spec["pillars"][0]["sections"][0]["items"][0]["kind"] = "essay"
    new = write_spec(tmp_path / "new.yaml", valid_spec)
    result = runner.invoke(args=["spec", "diff", str(old), str(new), "--changelog", str(tmp_path / "c.md")])
    assert result.exit_code != 0 and "item poa2009.I.4.f.status: 'essay' is not one of" in result.output
    assert not (tmp_path / "c.md").exists()
