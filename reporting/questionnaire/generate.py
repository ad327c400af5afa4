"""Generate the questionnaire spec from the commitment register.

A pure function of the register's records: the same register gives the same
spec, byte for byte. For each commitment addressed to Member States: a
status question, "measures taken" and an evidence link shown once the status
is planned or beyond, and — where the commitment sets a measurable target —
numeric indicators. Commitments addressed only to other bodies are shown as
context. Keys derive from commitment ids, so they are stable across versions.
"""
import re
from typing import Any, Iterable

from reporting.questionnaire import areas
from reporting.questionnaire.indicators import catalogue_by_section, indicator_item
from reporting.questionnaire.scale import N_, PLANNED_OR_BEYOND
from reporting.questionnaire.schema import Spec

SPEC_ID = "arq"
FIRST_VERSION = "1.0.0"
TITLE = N_("Annual report questionnaire on the implementation of international drug policy commitments")
MEMBER_STATES = "member_states"
MAX_TEXT = 4000
EARLIEST_BASELINE = 1990
MEASURABLE = re.compile(r"\b(?:eliminat|reduc|halv|end(?:ing)?\b|per cent|measurabl)", re.IGNORECASE)

MEASURES = N_("Measures taken")
EVIDENCE = N_("Evidence (link)")
COMMENTS = N_("Comments on this section")
TREND = N_("Trend since the baseline year")
TREND_CHOICES = (("decreased", N_("Decreased")), ("stable", N_("Stable")),
                 ("increased", N_("Increased")), ("not_known", N_("Not known")))
BASELINE = N_("Baseline year")
REDUCTION = N_("Reduction since the baseline year")
SOURCES = N_("Sources of the data")
SOURCE_CHOICES = (("survey", N_("Population or school survey")), ("records", N_("Administrative records")),
                  ("research", N_("Research studies")), ("estimate", N_("Expert estimate")))
REDUCTION_CHECK = N_("A reduction can be reported only for a commitment that is in progress or implemented.")


def _quoted(values: Iterable[str]) -> str:
    return "[" + ", ".join(f"'{value}'" for value in values) + "]"


def measurable_targets(records: list[dict]) -> dict[str, int]:
    """Commitment id → target year, for commitments with a measurable target.

    Measurable: a target year after the year the document was adopted ("by
    50 per cent by 2015" in 2014, not "the 2005 Paris Declaration"), and a
    measurable outcome in the title or text (eliminate, reduce, halve, end,
    per cent). Where lettered sub-items carry the target, they get the
    indicators and their chapeau does not.
    """
    found = {}
    for record in records:
        targets = record.get("target") or []
        targets = [targets] if isinstance(targets, dict) else targets
        adopted = int(re.search(r"\d{4}", record["document"]).group())
        years = [target["year"] for target in targets if isinstance(target.get("year"), int) and target["year"] > adopted]
        if years and MEASURABLE.search(f"{record['title']} {record['text']}"):
            found[record["id"]] = max(years)
    return {cid: year for cid, year in found.items() if not any(other.startswith(cid + ".") for other in found)}


def _choices(pairs) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in pairs]


def commitment_items(record: dict, year: int | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The items and checks asking about one commitment addressed to Member States;
    with the ``year`` of a measurable target, its indicators too."""
    cid = record["id"]

    def item(suffix: str, kind: str, label: str, **fields: Any) -> dict[str, Any]:
        return {"key": f"{cid}.{suffix}", "kind": kind, "commitments": [cid], "label": label, **fields}

    status, trend, reduction = f"{cid}.status", f"{cid}.trend", f"{cid}.indicator.2"
    acted = f"{status} in {_quoted(PLANNED_OR_BEYOND)}"
    items = [
        item("status", "status", record["title"], required=True),
        item("measures", "text", MEASURES, max_length=MAX_TEXT, show_if=acted),
        item("evidence", "url", EVIDENCE, show_if=acted),
    ]
    if year is None:
        return items, []
    known = f"{trend} in {_quoted(value for value, _ in TREND_CHOICES[:3])}"
    items += [
        item("trend", "single_choice", TREND, choices=_choices(TREND_CHOICES), show_if=f"{status} != 'not_applicable'"),
        item("indicator.1", "number", BASELINE, number={"type": "year", "min": EARLIEST_BASELINE, "max": year},
             show_if=known),
        item("indicator.2", "number", REDUCTION, number={"type": "percent", "unit": "%", "min": 0, "max": 100},
             show_if=f"{trend} == 'decreased'"),
        item("sources", "multiple_choice", SOURCES, choices=_choices(SOURCE_CHOICES), show_if=known),
    ]
    checks = [{"key": f"{cid}.reduction-check", "message": REDUCTION_CHECK,
               "expr": f"not ({reduction} > 0) or {status} in ['in_progress', 'implemented']"}]
    return items, checks


def _section(area: areas.Area, items: list[dict], checks: list[dict], context: list[str]) -> dict[str, Any]:
    """One data-entry page: its questions, then free comments; context and checks when there are any."""
    section: dict[str, Any] = {"key": area.key, "title": area.title}
    if area.chapters:
        section["chapter"] = area.chapters[0]
    section["scope"] = list(area.scope)
    if context:
        section["context"] = context
    comments = {"key": f"{area.key}.comments", "kind": "comment", "commitments": [], "label": COMMENTS,
                "max_length": MAX_TEXT}
    section["items"] = [*items, comments]
    if checks:
        section["checks"] = checks
    return section


def _spec(version: str, register_checksum: str, pillars: list[dict], records: list[dict]) -> Spec:
    """A spec document: its pillars, and the commitments it cites frozen with it."""
    return {
        "spec_id": SPEC_ID,
        "version": version,
        "register_checksum": register_checksum,
        "title": TITLE,
        "pillars": pillars,
        "commitments": {r["id"]: {"document": r["document"], "label": r["label"], "title": r["title"], "text": r["text"]}
                        for r in records},
    }


def generate_spec(records: list[dict], register_checksum: str, version: str = FIRST_VERSION) -> Spec:
    """The spec for ``records`` (in register order); raises ``areas.AreaError`` for a commitment it cannot place."""
    placed: dict[str, dict[str, Any]] = {}  # area key -> section under construction
    targets = measurable_targets(records)
    for record in records:
        area = areas.area_of(record)
        section = placed.setdefault(area.key, {"items": [], "checks": [], "context": []})
        if MEMBER_STATES in record["addressees"]:
            items, checks = commitment_items(record, targets.get(record["id"]))
            section["items"] += items
            section["checks"] += checks
        else:
            section["context"].append(record["id"])
    pillars = []
    for pillar, pillar_title in areas.PILLARS.items():
        sections = [_section(area, **placed[area.key])
                    for area in areas.sections_in_order(pillar) if area.key in placed]
        if sections:
            pillars.append({"key": pillar, "title": pillar_title, "sections": sections})
    return _spec(version, register_checksum, pillars, records)


# --- arq 2.x: policy questions, screening and modules -----------------------------------------

SECOND_VERSION = "2.0.0"
SCREENING_PILLAR = {"key": "screening", "title": N_("Screening")}
SCREENING_SECTION = {"key": "screening", "title": N_("Screening: what applies to your country")}
YES_NO = (("yes", N_("Yes")), ("no", N_("No")))
CHECKLIST = N_("Which of these specific measures has your country taken?")
NOT_APPLICABLE = N_("Not applicable to my country")
NOT_APPLICABLE_REASON = N_("Why does this section not apply to your country?")


def choice_value(commitment_id: str) -> str:
    """A checklist choice value for a commitment id (choice values are lower-case words)."""
    return re.sub(r"[^a-z0-9]+", "_", commitment_id.lower())


def _all_of(*conditions: str | None) -> str | None:
    """The conjunction of the conditions given (None when there are none)."""
    present = [condition for condition in conditions if condition]
    if len(present) <= 1:
        return present[0] if present else None
    return " and ".join(f"({condition})" for condition in present)


def question_items(question, records: dict[str, dict], year: int | None, shown: str | None,
                   context: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The items of one policy question: its status, a checklist of the measures its commitments
    name (when it covers several), measures taken, evidence; trend and data sources where a covered
    commitment sets a measurable target. ``shown`` is the module or question rule."""
    covers = list(question.covers)
    key = question.key

    def item(suffix: str, kind: str, label: str, show_if: str | None = None, **fields: Any) -> dict[str, Any]:
        found = {"key": f"{key}.{suffix}", "kind": kind, "question": key, "commitments": covers, "label": label,
                 **fields}
        condition = _all_of(shown, show_if)
        if condition:
            found["show_if"] = condition
        return found

    status = f"{key}.status"
    acted = f"{status} in {_quoted(PLANNED_OR_BEYOND)}"
    status_item = item("status", "status", question.wording, required=True)
    if context:
        status_item["context"] = context
    if shown:
        status_item["show_if"] = shown
    items = [status_item]
    if len(covers) > 1:
        items.append(item("checklist", "multiple_choice", CHECKLIST, acted, checklist=True,
                          choices=[{"value": choice_value(cid), "label": records[cid]["title"]} for cid in covers]))
    items += [item("measures", "text", MEASURES, acted, max_length=MAX_TEXT), item("evidence", "url", EVIDENCE, acted)]
    if year is not None:
        known = f"{key}.trend in {_quoted(value for value, _ in TREND_CHOICES[:3])}"
        items += [
            item("trend", "single_choice", TREND, f"{status} != 'not_applicable'", choices=_choices(TREND_CHOICES)),
            item("sources", "multiple_choice", SOURCES, known, choices=_choices(SOURCE_CHOICES)),
        ]
    return items, []


def _not_applicable_items(section_key: str) -> list[dict[str, Any]]:
    """"Not applicable to my country" for a whole section, with its required reason."""
    flag = f"{section_key}.not_applicable"
    return [{"key": flag, "kind": "checkbox", "commitments": [], "label": NOT_APPLICABLE, "section_flag": True},
            {"key": f"{flag}_reason", "kind": "text", "commitments": [], "label": NOT_APPLICABLE_REASON,
             "required": True, "max_length": MAX_TEXT, "show_if": f"{flag} == true"}]


def _framing(records: list[dict]) -> dict[str, list[str]]:
    """Commitment id → the declaratory chapeaus that frame it (shown as the question's context)."""
    chapeaus = {record["id"] for record in records if record["kind"] == "declaratory"}
    framing: dict[str, list[str]] = {}
    for record in records:
        parent = record["id"].rpartition(".")[0]
        if parent in chapeaus:
            framing.setdefault(record["id"], []).append(parent)
    return framing


def _with_indicators(question_items: list[tuple[tuple[str, ...], list[dict]]], indicators: list[dict]) -> list[dict]:
    """The section's items with each indicator table right after the first policy question that
    covers a commitment it measures (after the last question when none does)."""
    placed: dict[int, list[dict]] = {}
    for indicator in indicators:
        crosswalk = set(indicator["crosswalk"])
        index = next((i for i, (covers, _items) in enumerate(question_items) if crosswalk.intersection(covers)),
                     len(question_items) - 1)
        placed.setdefault(index, []).append(indicator_item(indicator))
    return [entry for i, (_covers, items) in enumerate(question_items) for entry in [*items, *placed.get(i, [])]]


def generate_questionnaire(records: list[dict], register_checksum: str, questions, catalogue: list[dict] = (),
                           version: str = SECOND_VERSION) -> Spec:
    """The improved questionnaire (arq 2.x): a screening section, then per thematic area its policy
    questions (``questions`` from questions.yaml, already checked against ``records``) with the
    indicator tables of the ``catalogue`` that measure them, declaratory records and commitments
    addressed to other bodies as context, and "not applicable" per section."""
    by_id = {record["id"]: record for record in records}
    targets = measurable_targets(records)
    framing = _framing(records)
    indicators = catalogue_by_section(list(catalogue))
    asked = {cid for question in questions.questions for cid in question.covers}
    framed = {chapeau for chapeaus in framing.values() for chapeau in chapeaus}
    context_of: dict[str, list[str]] = {}
    for record in records:
        if record["id"] not in asked and record["id"] not in framed:
            context_of.setdefault(areas.area_of(record).key, []).append(record["id"])
    screening = {**SCREENING_SECTION, "scope": ["global"], "items": [
        {"key": key, "kind": "single_choice", "commitments": [], "label": wording, "required": True,
         "choices": _choices(YES_NO)} for key, wording in questions.screening]}
    pillars = [{**SCREENING_PILLAR, "sections": [screening]}]
    used: set[str] = set()
    for pillar, pillar_title in areas.PILLARS.items():
        sections = []
        for area in areas.sections_in_order(pillar):
            asked_here = questions.in_section(area.key)
            if not asked_here:
                continue
            shown = questions.modules.get(area.key)  # a section rule, applied to the whole page
            asked_items = []
            for question in asked_here:
                year = max((targets[cid] for cid in question.covers if cid in targets), default=None)
                context = sorted({chapeau for cid in question.covers for chapeau in framing.get(cid, ())})
                used.update(question.covers, context)
                found, _checks = question_items(question, by_id, year, question.show_if, context)
                asked_items.append((question.covers, found))
            measured_here = indicators.get(area.key, [])
            used.update(cid for indicator in measured_here for cid in indicator["crosswalk"])
            items = [*_not_applicable_items(area.key), *_with_indicators(asked_items, measured_here)]
            context = context_of.get(area.key, [])
            used.update(context)
            section = _section(area, items, [], context)
            if shown:
                section["show_if"] = shown
            sections.append(section)
        pillars.append({"key": pillar, "title": pillar_title, "sections": sections})
    return _spec(version, register_checksum, pillars, [record for record in records if record["id"] in used])
