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
    return {
        "spec_id": SPEC_ID,
        "version": version,
        "register_checksum": register_checksum,
        "title": TITLE,
        "pillars": pillars,
        "commitments": {r["id"]: {"document": r["document"], "label": r["label"], "title": r["title"], "text": r["text"]}
                        for r in records},
    }
