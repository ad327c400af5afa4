"""What changed between two versions of a spec, item by item, and which answers carry forward.

Items are matched by key (keys derive from commitment ids). A key in both
versions is *reworded* when what the respondent reads changed (its label,
choice labels, unit, or the text of a commitment it covers), *adjusted*
when only its rules changed (show_if, required, range, added choices, its
section), and *changed* when an old answer no longer fits it (another kind
or number type, a choice value gone). Answers carry forward unless the item
was removed or changed.
"""
from dataclasses import dataclass, field
from typing import Any

from reporting.questionnaire.schema import Spec, items, sections

CARRYING = ("reworded", "adjusted")
KINDS = ("added", "removed", "reworded", "changed", "adjusted")
SYMBOLS = {"added": "+", "removed": "-", "reworded": "~", "changed": "!", "adjusted": "*"}


def _values(item: dict) -> list[str]:
    """What an answer may hold: choice values; for a table its rows and its columns with their units
    (a table answer carries while every row and column it may hold is still there, in the same unit)."""
    table = item.get("table")
    if table:
        return ([f"row {row['value']}" for row in (*table["rows"], *table.get("optional_rows", ()))]
                + [f"column {column['key']} in {column['unit']}" for column in table["columns"]])
    return [choice["value"] for choice in item.get("choices", ())]


def _number(item: dict) -> dict:
    return item.get("number") or {}


def answer_carries(old: dict, new: dict) -> bool:
    """Whether an answer to ``old`` is still a valid answer to ``new``."""
    return (old["kind"] == new["kind"] and _number(old).get("type") == _number(new).get("type")
            and set(_values(old)) <= set(_values(new)))


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    key: str
    item_kind: str
    label: str
    details: tuple[str, ...] = ()
    merged_from: tuple[str, ...] = ()  # an added policy question: the old items asking its commitments alone
    merged_into: tuple[str, ...] = ()  # a removed item: the new policy questions its answer feeds

    @property
    def carries(self) -> bool:
        return self.kind in CARRYING


@dataclass
class SectionChanges:
    key: str
    title: str
    changes: list[Change] = field(default_factory=list)
    context_added: list[str] = field(default_factory=list)
    context_removed: list[str] = field(default_factory=list)
    old_title: str | None = None


@dataclass
class SpecDiff:
    spec_id: str
    old_version: str
    new_version: str
    sections: list[SectionChanges]  # only those with a change, in questionnaire order
    carried: list[str]  # keys in both versions whose answers carry forward
    identical: bool  # the same content apart from the version

    def changes(self, kind: str) -> list[Change]:
        return [change for section in self.sections for change in section.changes if change.kind == kind]

    @property
    def not_carried(self) -> list[str]:
        """Keys whose answers are lost: removed or changed, and feeding no new question."""
        return [change.key for kind in ("removed", "changed") for change in self.changes(kind) if not change.merged_into]

    def summary(self) -> str:
        counts = ", ".join(f"{len(self.changes(kind))} {kind}" for kind in KINDS)
        merged = [change for change in self.changes("added") if change.merged_from]
        feeding = [change for change in self.changes("removed") if change.merged_into]
        return (f"{counts}. Answers: {len(self.carried)} carry forward, "
                f"{len(self.not_carried)} will not (removed or changed items)"
                + (f"; {len(feeding)} removed items feed {len(merged)} new ones that cover their commitments, "
                   "pre-filled where the earlier answers agree." if merged else "."))


def _changed_fields(old: dict, new: dict, old_texts: dict, new_texts: dict) -> tuple[list[str], list[str]]:
    """(wording changes, rule changes) of an item whose answers still fit."""
    wording = [name for name in ("label",) if old[name] != new[name]]
    old_labels = {c["value"]: c["label"] for c in old.get("choices", ())}
    if any(old_labels.get(c["value"], c["label"]) != c["label"] for c in new.get("choices", ())):
        wording.append("choice labels")
    old_number, new_number = _number(old), _number(new)
    if old_number.get("unit") != new_number.get("unit"):
        wording.append("unit")
    wording += [f"text of {cid}" for cid in new["commitments"]
                if cid in old["commitments"] and old_texts[cid]["text"] != new_texts[cid]["text"]]
    if old["commitments"] != new["commitments"]:
        wording.append("commitments covered")
    rules = [name for name in ("show_if", "required", "max_length") if old.get(name) != new.get(name)]
    rules += [f"number {bound}" for bound in ("min", "max") if old_number.get(bound) != new_number.get(bound)]
    if set(_values(new)) - set(_values(old)):
        rules.append("choices added")
    return wording, rules


def merged_from(new: dict, asked_alone: dict[tuple[str, str], str]) -> tuple[str, ...]:
    """The old items (``(kind, commitment id)`` → key) a new policy question draws its answers from:
    its commitments' items of the same kind, and for a checklist their statuses."""
    kind = "status" if new.get("checklist") else new["kind"]
    return tuple(asked_alone[kind, cid] for cid in new["commitments"] if (kind, cid) in asked_alone)


def _item_change(old: dict | None, new: dict | None, old_spec: Spec, new_spec: Spec,
                 moved_from: str | None, asked_alone: dict[tuple[str, str], str],
                 merged_into: dict[str, tuple[str, ...]]) -> Change | None:
    if old is None:
        sources = merged_from(new, asked_alone) if "question" in new else ()
        details = (f"from {', '.join(sources)}",) if sources else ()
        return Change("added", new["key"], new["kind"], new["label"], details, sources)
    if new is None:
        targets = merged_into.get(old["key"], ())
        return Change("removed", old["key"], old["kind"], old["label"],
                      (f"merged into {', '.join(targets)}",) if targets else (), merged_into=targets)
    if not answer_carries(old, new):
        details = [f"kind {old['kind']} → {new['kind']}"] if old["kind"] != new["kind"] else []
        details += ["number type"] if _number(old).get("type") != _number(new).get("type") else []
        details += [f"choice {value} removed" for value in _values(old) if value not in _values(new)]
        return Change("changed", new["key"], new["kind"], new["label"], tuple(details))
    wording, rules = _changed_fields(old, new, old_spec["commitments"], new_spec["commitments"])
    rules += [f"moved from {moved_from}"] if moved_from else []
    if not (wording or rules):
        return None
    return Change("reworded" if wording else "adjusted", new["key"], new["kind"], new["label"], tuple(wording + rules))


def diff_specs(old: Spec, new: Spec) -> SpecDiff:
    """Every item change from ``old`` to ``new``, grouped by section (the new one; the old one when removed)."""
    old_items = {item["key"]: (section, item) for section, item in items(old)}
    new_items = {item["key"]: (section, item) for section, item in items(new)}
    old_sections = {section["key"]: section for _, section in sections(old)}
    grouped: dict[str, SectionChanges] = {}
    for _pillar, section in sections(new):
        previous = old_sections.get(section["key"], {})
        old_context, new_context = previous.get("context", []), section.get("context", [])
        grouped[section["key"]] = SectionChanges(
            section["key"], section["title"],
            context_added=[cid for cid in new_context if cid not in old_context],
            context_removed=[cid for cid in old_context if cid not in new_context],
            old_title=previous["title"] if previous and previous["title"] != section["title"] else None)
    for _pillar, section in sections(old):
        if section["key"] not in grouped:
            grouped[section["key"]] = SectionChanges(section["key"], section["title"],
                                                     context_removed=list(section.get("context", [])))
    asked_alone = {(item["kind"], item["commitments"][0]): key for key, (_section, item) in old_items.items()
                   if len(item["commitments"]) == 1}
    merged_into: dict[str, tuple[str, ...]] = {}
    for key, (_section, item) in new_items.items():
        if key not in old_items and "question" in item:
            for source in merged_from(item, asked_alone):
                merged_into[source] = (*merged_into.get(source, ()), key)
    carried = []
    for key in [*new_items, *(key for key in old_items if key not in new_items)]:
        old_section, old_item = old_items.get(key, (None, None))
        new_section, new_item = new_items.get(key, (None, None))
        moved_from = old_section["key"] if old_section and new_section and old_section["key"] != new_section["key"] else None
        change = _item_change(old_item, new_item, old, new, moved_from, asked_alone, merged_into)
        if change:
            grouped[(new_section or old_section)["key"]].changes.append(change)
        if old_item and new_item and (change is None or change.carries):
            carried.append(key)
    changed = [group for group in grouped.values()
               if group.changes or group.context_added or group.context_removed or group.old_title]
    same = {**old, "version": None} == {**new, "version": None}
    return SpecDiff(new["spec_id"], old["version"], new["version"], changed, carried, same)


def _answer_note(change: Change) -> str:
    if change.kind == "added":
        return "pre-filled where those earlier answers agree" if change.merged_from else "new question"
    if change.merged_into:
        return "feeds the new question where the answers agree"
    return "answer carries" if change.carries else "answer will not carry"


def to_text(diff: SpecDiff) -> str:
    """The diff for a terminal: one line per item, grouped by section."""
    lines = [f"{diff.spec_id} {diff.old_version} -> {diff.new_version}: {diff.summary()}"]
    for group in diff.sections:
        lines += ["", f"[{group.key}] {group.title}" + (f" (was: {group.old_title})" if group.old_title else "")]
        for change in group.changes:
            details = f" ({', '.join(change.details)})" if change.details else ""
            lines.append(f"  {SYMBOLS[change.kind]} {change.kind:<8} {change.key} [{change.item_kind}]{details}"
                         f" — {_answer_note(change)}")
        lines += [f"  context + {cid}" for cid in group.context_added]
        lines += [f"  context - {cid}" for cid in group.context_removed]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(diff: SpecDiff) -> str:
    """The changelog: a table per section."""
    lines = [f"# {diff.spec_id} {diff.old_version} → {diff.new_version}", "",
             f"Written by `flask spec diff`. {diff.summary()}"]
    for group in diff.sections:
        lines += ["", f"## {_cell(group.title)} (`{group.key}`)", ""]
        if group.old_title:
            lines += [f"Section renamed from “{_cell(group.old_title)}”.", ""]
        if group.changes:
            lines += ["| change | key | kind | label | what changed | answers |", "|---|---|---|---|---|---|"]
            lines += [f"| {change.kind} | `{change.key}` | {change.item_kind} | {_cell(change.label)} | "
                      f"{_cell(', '.join(change.details))} | {_answer_note(change)} |" for change in group.changes]
        if group.context_added or group.context_removed:
            lines += [""] if group.changes else []
            lines += [f"- context added: `{cid}`" for cid in group.context_added]
            lines += [f"- context removed: `{cid}`" for cid in group.context_removed]
    return "\n".join(lines) + "\n"


def question_mapping(old: Spec, new: Spec, kind: str = "status") -> dict[str, tuple[str, ...]]:
    """For each ``kind`` question of ``new``, the question(s) of ``old`` it continues: the same key
    where its answers carry forward (see ``diff_specs``), otherwise the old questions that covered
    any of the commitments it covers (a 2.0 policy question continues the 1.0 questions of its
    commitments). A question missing from the result is new: nothing to compare it with."""
    carried = set(diff_specs(old, new).carried)
    old_items = [item for _section, item in items(old) if item["kind"] == kind]
    by_commitment: dict[str, list[str]] = {}
    for item in old_items:
        for cid in item["commitments"]:
            by_commitment.setdefault(cid, []).append(item["key"])
    mapping = {}
    for _section, item in items(new):
        if item["kind"] != kind:
            continue
        if item["key"] in carried:
            mapping[item["key"]] = (item["key"],)
            continue
        olds = tuple(dict.fromkeys(key for cid in item["commitments"] for key in by_commitment.get(cid, ())))
        if olds:
            mapping[item["key"]] = olds
    return mapping
