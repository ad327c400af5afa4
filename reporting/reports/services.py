"""Which cycle a report is about, which responses count, and the build arguments.

Plain functions shared by the CLI, the web views and the tests, so that a bad
cycle, language or country code gets the same message everywhere.
"""
from flask import current_app
from sqlalchemy import select

from reporting.extensions import db
from reporting.models import Country, Cycle, CycleState, SubmissionState
from reporting.responses.cycles import CycleError, find_cycle, latest_cycle


class ReportError(Exception):
    """Bad input or a failed build; the message says what and where."""


def report_cycle(label: str | None) -> Cycle:
    """The cycle with ``label``, or the latest one (by deadline) when no label is given."""
    if label is None:
        cycle = latest_cycle()
        if cycle is None:
            raise ReportError("there is no reporting cycle yet; create one before building reports")
        return cycle
    try:
        return find_cycle(label)
    except CycleError as error:
        known = ", ".join(db.session.scalars(select(Cycle.label).order_by(Cycle.deadline))) or "none"
        raise ReportError(f"{error} (known cycles: {known})") from None


def is_draft(cycle: Cycle) -> bool:
    return cycle.state_enum is not CycleState.PUBLISHED


def counted_states(cycle: Cycle) -> tuple[str, ...]:
    """A published report counts accepted responses only; a draft also counts submitted ones."""
    if is_draft(cycle):
        return (SubmissionState.SUBMITTED.value, SubmissionState.ACCEPTED.value)
    return (SubmissionState.ACCEPTED.value,)


def _codes(value: str) -> list[str]:
    return list(dict.fromkeys(code.strip() for code in value.split(",") if code.strip()))


def parse_languages(value: str) -> list[str]:
    """``all`` or a comma-separated list of the app's languages, in the order given."""
    languages = list(current_app.config["LANGUAGES"])
    if value.strip().lower() == "all":
        return languages
    codes = [code.lower() for code in _codes(value)]
    unknown = [code for code in codes if code not in languages]
    if unknown or not codes:
        raise ReportError(
            f"unknown language {', '.join(unknown) or repr(value)} (use all or a comma-separated list of {', '.join(languages)})"
        )
    return codes


def parse_countries(value: str) -> list[Country]:
    """``all`` (every Member State), ``none``, or a comma-separated list of ISO alpha-3 codes."""
    choice = value.strip().lower()
    if choice == "none":
        return []
    query = select(Country).order_by(Country.iso3)
    if choice == "all":
        return list(db.session.scalars(query.where(Country.is_member_state)))
    codes = [code.upper() for code in _codes(value)]
    found = {c.iso3: c for c in db.session.scalars(query.where(Country.iso3.in_(codes)))}
    unknown = [code for code in codes if code not in found]
    if unknown or not codes:
        raise ReportError(
            f"unknown country code {', '.join(unknown) or repr(value)} (use all, none or ISO 3166 alpha-3 codes such as FRA,MEX)"
        )
    return [found[code] for code in codes]
