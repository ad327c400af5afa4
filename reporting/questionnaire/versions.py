"""Spec versions: semantic version numbers, freezing a spec in the database, carrying answers forward.

The version says what a change means for respondents: removed or changed
items (old answers lost) → major; added items → minor; anything else
(rewording, rules, register checksum) → patch; identical content → the same
version. A stored ``SpecVersion`` is frozen: the ORM refuses to update it,
and storing other content under an existing version is refused.
"""
import hashlib
import json
from pathlib import Path
import re
from typing import Any, Mapping

from sqlalchemy import event, select

from reporting import audit
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import SpecVersion
from reporting.questionnaire.diff import answer_carries, diff_specs
from reporting.questionnaire.generate import FIRST_VERSION
from reporting.questionnaire.schema import Spec, items, load_spec

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


class SpecVersionConflict(Exception):
    """Other content is already stored under this version."""


class SpecVersionFrozen(RuntimeError):
    """A stored spec version was about to be changed."""


def parse_version(version: str) -> tuple[int, int, int]:
    match = SEMVER.fullmatch(version)
    if not match:
        raise ValueError(f"not a semantic version: {version!r}")
    return tuple(int(part) for part in match.groups())  # type: ignore[return-value]


def next_version(previous: Spec | None, new: Spec) -> str:
    """The version ``new`` gets after ``previous`` (see the module docstring)."""
    if previous is None:
        return FIRST_VERSION
    diff = diff_specs(previous, new)
    major, minor, patch = parse_version(previous["version"])
    if diff.identical:
        return previous["version"]
    if diff.changes("removed") or diff.changes("changed"):  # even merged into a new question: answers change shape
        return f"{major + 1}.0.0"
    if diff.changes("added"):
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def spec_files(directory: Path, spec_id: str) -> list[Path]:
    """``<spec_id>-<semver>.yaml`` files in ``directory``, oldest version first."""
    pattern = re.compile(rf"{re.escape(spec_id)}-({SEMVER.pattern})\.yaml")
    found = [(parse_version(m.group(1)), path) for path in Path(directory).glob(f"{spec_id}-*.yaml")
             if (m := pattern.fullmatch(path.name))]
    return [path for _, path in sorted(found)]


def newest_spec(directory: Path, spec_id: str) -> Spec | None:
    files = spec_files(directory, spec_id)
    return load_spec(files[-1]) if files else None


def content_sha256(spec: Spec) -> str:
    """A digest of the content, independent of YAML formatting and key order."""
    canonical = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def activate_spec(spec: Spec) -> tuple[SpecVersion, bool]:
    """Store a validated spec, frozen, with an audit event; ``(row, created)``.

    Idempotent for identical content; raises ``SpecVersionConflict`` for other
    content under a stored version. The caller validates first.
    """
    digest = content_sha256(spec)
    with write_transaction() as session:
        stored = session.scalar(select(SpecVersion).where(SpecVersion.version == spec["version"]))
        if stored is not None:
            if stored.content_sha256 != digest or stored.spec_id != spec["spec_id"]:
                raise SpecVersionConflict(
                    f"version {spec['version']} is already stored with other content "
                    f"(sha256 {stored.content_sha256[:12]}…, this file {digest[:12]}…); give the new spec a new version")
            return stored, False
        row = SpecVersion(spec_id=spec["spec_id"], version=spec["version"],
                          register_checksum=spec["register_checksum"], content_sha256=digest, content=spec)
        session.add(row)
        session.flush()
        audit.record("spec.activate", "spec_version", row.id, new={"spec_id": row.spec_id, "version": row.version,
                                                                    "content_sha256": digest}, session=session)
    return row, True


def load_version(version: str) -> Spec | None:
    """The content of a stored spec version, or None."""
    stored = db.session.scalar(select(SpecVersion).where(SpecVersion.version == version))
    return stored.content if stored else None


def carry_forward(old: Spec, new: Spec, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers given under ``old`` that pre-fill ``new``.

    An item with the same key carries its answer when it is still valid. A new
    policy question that covers commitments asked one by one before (1.0.0 →
    2.0.0) takes their answers where they agree: the status when every earlier
    status given agrees, measures taken and evidence when only one was given;
    its checklist ticks the commitments reported in progress or implemented.
    Where the earlier statuses disagree the question stays unanswered.
    """
    old_items = {item["key"]: item for _, item in items(old)}
    carried = {item["key"]: answers[item["key"]] for _, item in items(new)
               if item["key"] in answers and item["key"] in old_items and answer_carries(old_items[item["key"]], item)}
    earlier = answers_by_commitment(old, answers)
    for _, item in items(new):
        if item["key"] in old_items or "question" not in item:
            continue
        given = [earlier[(item["kind"], cid)] for cid in item["commitments"] if (item["kind"], cid) in earlier]
        if item.get("checklist"):
            statuses = {cid: earlier.get(("status", cid)) for cid in item["commitments"]}
            ticks = [choice["value"] for choice, cid in zip(item["choices"], item["commitments"])
                     if statuses[cid] in ("in_progress", "implemented")]
            if ticks:
                carried[item["key"]] = sorted(ticks)
        elif item["kind"] in ("status", "text", "url") and given and len(set(given)) == 1:
            carried[item["key"]] = given[0]
    return carried


def answers_by_commitment(spec: Spec, answers: Mapping[str, Any]) -> dict[tuple[str, str], Any]:
    """(kind, commitment id) → the answer of an item asking about that one commitment alone."""
    found = {}
    for _, item in items(spec):
        if len(item["commitments"]) == 1 and answers.get(item["key"]) is not None:
            found[(item["kind"], item["commitments"][0])] = answers[item["key"]]
    return found


@event.listens_for(SpecVersion, "before_update")
def _refuse_update(_mapper, _connection, target) -> None:
    raise SpecVersionFrozen(f"spec version {target.version} is frozen")
