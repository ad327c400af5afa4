"""Plausibility of indicator tables against the country's previous cycle.

A value more than ten times, or less than a tenth of, the same country's value
for the same cell last cycle, or a derived share above 100 % (SDG 3.5.1: people
in treatment over people with drug use disorders), is flagged. A flag is a
warning, never a block: the focal point confirms the value with a note on the
table before submitting, and compilers see every flagged cell, with its note,
when they review.
"""
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from flask_babel import format_decimal, format_percent, lazy_gettext as _l
from sqlalchemy import select

from reporting.extensions import db
from reporting.models import Answer, Cycle, Submission
from reporting.questionnaire.measures import SDG_351

RATIO = 10


@dataclass(frozen=True)
class Flag:
    item_key: str
    row: str | None  # None: the flag is about the whole table (a derived share)
    column: str | None
    message: Any
    noted: bool  # the table carries a confirmation note


def previous_answers(submission: Submission, previous: Cycle | None) -> dict[str, Any]:
    """The same country's indicator answers in ``previous`` (``previous_cycle`` of its cycle, which the
    caller has looked up once for the whole page), in any state: it is what they reported."""
    if previous is None:
        return {}
    rows = db.session.execute(
        select(Answer.key, Answer.value).join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.cycle_id == previous.id, Submission.country_id == submission.country_id,
               Answer.key.like("ind.%"))
    ).all()
    return dict(rows)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def table_total(value: Any, column: str) -> float | None:
    """Sum of one column over the rows of a stored table; None when no row has a number."""
    if not isinstance(value, Mapping):
        return None
    numbers = [_number(cells.get(column)) for cells in value.get("rows", {}).values()]
    numbers = [n for n in numbers if n is not None]
    return sum(numbers) if numbers else None


def flags(items: Iterable[Mapping[str, Any]], answers: Mapping[str, Any], previous: Mapping[str, Any]) -> list[Flag]:
    """Every flagged cell of the given table items (in item, row, column order)."""
    found: list[Flag] = []
    tables = [item for item in items if item["kind"] == "table"]
    for item in tables:
        value, before = answers.get(item["key"]), previous.get(item["key"])
        if not isinstance(value, Mapping):
            continue
        noted = bool(value.get("note"))
        before_rows = before.get("rows", {}) if isinstance(before, Mapping) else {}
        for row, cells in value.get("rows", {}).items():
            for column, cell in cells.items():
                now, then = _number(cell), _number(before_rows.get(row, {}).get(column))
                if now is None or then is None or (now == 0 and then == 0):
                    continue
                if then == 0 or now == 0 or now > RATIO * then or now < then / RATIO:
                    found.append(Flag(item["key"], row, column, _l(
                        "%(now)s is more than ten times higher or lower than last cycle's %(then)s.",
                        now=format_decimal(now), then=format_decimal(then)), noted))
        share = sdg_351_share(item, answers)
        if share is not None and share > 1:
            found.append(Flag(item["key"], None, None, _l(
                "People in treatment are %(share)s of people with drug use disorders (more than 100 %%).",
                share=format_percent(share)), noted))
    return found


def sdg_351_share(item: Mapping[str, Any], answers: Mapping[str, Any]) -> float | None:
    """Treatment coverage (SDG 3.5.1) when ``item`` is its numerator table and both parts are answered."""
    (numerator, num_column), (denominator, den_column) = SDG_351["numerator"], SDG_351["denominator"]
    if item["key"] != f"ind.{numerator}":
        return None
    treated = table_total(answers.get(f"ind.{numerator}"), num_column)
    disordered = table_total(answers.get(f"ind.{denominator}"), den_column)
    if treated is None or not disordered:
        return None
    return treated / disordered


def flags_by_item(found: Iterable[Flag]) -> dict[str, set[tuple[str | None, str | None]]]:
    """item key → {(row, column)} for drawing the grid."""
    by_item: dict[str, set] = {}
    for flag in found:
        by_item.setdefault(flag.item_key, set()).add((flag.row, flag.column))
    return by_item
