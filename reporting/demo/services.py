"""Synthetic, clearly labelled demo data: two cycles answered by all Member
States with a realistic mix of states, and one demo account per role.

Deterministic (seeded by country and cycle), so two runs on empty databases
give the same data. Every demo cycle is flagged ``is_demo`` and its free-text
answers start with "[DEMO]"; indicator tables and screening answers come from
``reporting/demo/indicators.py`` (plausible per region, a "[DEMO]" note on each table).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
import random
from typing import Any

from sqlalchemy import delete, insert, select, update

from forms.relevance import is_visible, section_applies
from forms.spec import Spec
from reporting import audit
from reporting.accounts.services import create_user
from reporting.countries.services import country_scopes
from reporting.demo.indicators import demo_table, screening_answer
from reporting.extensions import db
from reporting.models import (
    Answer, Country, Cycle, CycleState, ReviewComment, SectionAssignment, Submission, SubmissionState, User,
)
from reporting.responses.cycles import change_state, open_cycle

DEMO_PASSWORD = "demo-password-2026"
DEMO_DOMAIN = "demo.example.org"
PREVIOUS, CURRENT = "DEMO-2024", "DEMO-2025"
# Focal points and viewers of a few countries, one per region and script.
DEMO_COUNTRIES = ("MEX", "FRA", "KEN", "CHN", "RUS", "EGY")
DEMO_NOT_PUBLISHED = 0.25  # share of submitting countries that do not consent to publish their own words
# Share of Member States in each state of the current cycle.
CURRENT_MIX = (
    (SubmissionState.NOT_STARTED, 0.18),
    (SubmissionState.IN_PROGRESS, 0.27),
    (SubmissionState.SUBMITTED, 0.22),
    (SubmissionState.RETURNED, 0.08),
    (SubmissionState.ACCEPTED, 0.25),
)
STATUS_WEIGHTS = ("not_started", "planned", "in_progress", "implemented", "not_applicable")
# Share of sections a demo country declares "not applicable to my country" (with a reason).
NOT_APPLICABLE_SHARE = 0.03


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    country: str | None


def demo_accounts() -> list[DemoAccount]:
    accounts = [DemoAccount(f"admin@{DEMO_DOMAIN}", "admin", None), DemoAccount(f"compiler@{DEMO_DOMAIN}", "compiler", None)]
    for iso3 in DEMO_COUNTRIES:
        accounts.append(DemoAccount(f"focal.{iso3.lower()}@{DEMO_DOMAIN}", "focal_point", iso3))
    accounts.append(DemoAccount(f"contributor.{DEMO_COUNTRIES[0].lower()}@{DEMO_DOMAIN}", "contributor", DEMO_COUNTRIES[0]))
    accounts.append(DemoAccount(f"viewer.{DEMO_COUNTRIES[0].lower()}@{DEMO_DOMAIN}", "viewer", DEMO_COUNTRIES[0]))
    return accounts


def demo_exists() -> bool:
    return db.session.scalar(select(Cycle.id).where(Cycle.is_demo).limit(1)) is not None


def create_demo(spec_version: str, today: date | None = None, progress=lambda countries: None) -> dict[str, int]:
    """Create the demo accounts and cycles in the caller's transaction; returns counts.

    ``progress`` is called with the number of countries answered so far in each step.
    """
    today = today or date.today()
    created_users = _create_accounts()
    previous = open_cycle(PREVIOUS, spec_version, today - timedelta(days=365), demo=True)
    previous_answers = _answer_cycle(previous, _previous_states(previous), progress)
    change_state(previous, CycleState.CLOSED)
    change_state(previous, CycleState.PUBLISHED)
    current = open_cycle(CURRENT, spec_version, today + timedelta(days=60), demo=True)
    current_answers = _answer_cycle(current, _current_states(current), progress)
    _assign_demo_contributor(Spec(current.spec_version.content))
    audit.record("demo.created", "cycle", current.id, new={"cycles": [PREVIOUS, CURRENT], "answers": previous_answers + current_answers})
    return {"users": created_users, "answers": previous_answers + current_answers}


def _assign_demo_contributor(spec: Spec) -> None:
    """The demo contributor answers the first two sections, as if their focal point had assigned them."""
    contributor = db.session.scalar(select(User).where(User.email == f"contributor.{DEMO_COUNTRIES[0].lower()}@{DEMO_DOMAIN}"))
    if contributor is None or db.session.scalar(select(SectionAssignment.id).where(SectionAssignment.user_id == contributor.id).limit(1)):
        return
    country = db.session.scalar(select(Country).where(Country.iso3 == DEMO_COUNTRIES[0]))
    for section in spec.sections_for(country_scopes(country))[:2]:
        db.session.add(SectionAssignment(user_id=contributor.id, section_key=section.key))


def _create_accounts() -> int:
    created = 0
    for account in demo_accounts():
        if db.session.scalar(select(User.id).where(User.email == account.email)) is None:
            create_user(account.email, DEMO_PASSWORD, account.role, account.country)
            created += 1
    return created


def _submissions(cycle: Cycle) -> list[tuple[Submission, Country]]:
    return db.session.execute(
        select(Submission, Country).join(Country).where(Submission.cycle_id == cycle.id).order_by(Country.iso3)
    ).all()


def _previous_states(cycle: Cycle) -> dict[int, SubmissionState]:
    """Last year's cycle is published: most countries accepted, some never reported."""
    states = {}
    for submission, country in _submissions(cycle):
        rng = random.Random(f"{cycle.label}:{country.iso3}:state")
        states[submission.id] = SubmissionState.NOT_STARTED if rng.random() < 0.12 else SubmissionState.ACCEPTED
    return states


def _current_states(cycle: Cycle) -> dict[int, SubmissionState]:
    states = {}
    demo_users = set(DEMO_COUNTRIES)
    for submission, country in _submissions(cycle):
        if country.iso3 in demo_users:
            # The demo focal points find their questionnaire open for editing.
            states[submission.id] = SubmissionState.IN_PROGRESS
            continue
        pick = random.Random(f"{cycle.label}:{country.iso3}:state").random()
        for state, share in CURRENT_MIX:
            if pick < share:
                break
            pick -= share
        states[submission.id] = state
    return states


def _answer_cycle(cycle: Cycle, states: dict[int, SubmissionState], progress) -> int:
    """Write plausible answers for each submission according to its target state."""
    spec = Spec(cycle.spec_version.content)
    now = datetime.now(timezone.utc)
    rows: list[dict[str, Any]] = []
    answered_ids = [sid for sid, state in states.items() if state is not SubmissionState.NOT_STARTED]
    if answered_ids:
        db.session.execute(delete(Answer).where(Answer.submission_id.in_(answered_ids)))
    for submission, country in _submissions(cycle):
        progress(1)
        state = states[submission.id]
        if state is SubmissionState.NOT_STARTED:
            continue
        rng = random.Random(f"{cycle.label}:{country.iso3}")
        maturity = rng.uniform(0.25, 0.9)
        sections = spec.sections_for(country_scopes(country))
        if state is SubmissionState.IN_PROGRESS:
            sections = sections[: max(1, int(len(sections) * rng.uniform(0.2, 0.8)))]
        for key, value in _answers(sections, country, maturity, rng).items():
            rows.append({"submission_id": submission.id, "key": key, "value": value, "carried_over": False, "updated_at": now})
        values: dict[str, Any] = {"state": state.value, "updated_at": now}
        if state in (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED, SubmissionState.RETURNED):
            values["submitted_at"] = now - timedelta(days=rng.randint(1, 30))
            # About one country in four keeps its descriptions of measures and documents unpublished.
            values["may_publish"] = random.Random(f"{cycle.label}:{country.iso3}:publish").random() >= DEMO_NOT_PUBLISHED
        db.session.execute(update(Submission).where(Submission.id == submission.id).values(**values, version=Submission.version + 1))
        if state is SubmissionState.RETURNED:
            db.session.add(ReviewComment(
                submission_id=submission.id, section_key=sections[0].key,
                text="[DEMO] Please add the measures taken for the commitments marked as implemented.",
            ))
    if rows:
        db.session.execute(insert(Answer), rows)
    return len(rows)


def complete_answers(spec: Spec, country: Country, rng: random.Random) -> dict[str, Any]:
    """The largest response a country can give: every module switched on by its screening answers,
    every question that applies answered, every status one that asks for measures and every
    "measures taken" filled with a text of realistic length. For the benchmarks and the test that
    bounds the length of a country profile; labelled "[DEMO]" like the rest of the demo data."""
    return _answers(spec.sections_for(country_scopes(country)), country, 1.0, rng, complete=True)


def _answers(sections, country: Country, maturity: float, rng: random.Random, complete: bool = False) -> dict[str, Any]:
    weights = (0, 0.6, 0.9, 1.2, 0) if complete else (1 - maturity, 0.6 * maturity, 0.9 * maturity, 1.2 * maturity, 0.08)
    answers: dict[str, Any] = {}
    for section in sections:
        if not section_applies(section, answers):  # a module the screening answers switched off
            continue
        declared = (not complete and any(item.get("section_flag") for item in section.items)
                    and rng.random() < NOT_APPLICABLE_SHARE)
        for item in section.items:
            if declared and (item.get("section_flag") or item["kind"] == "status" or item["key"].endswith("_reason")):
                value = _not_applicable(item)
            elif item["kind"] == "table":
                value = demo_table(item, country, rng, answers, complete)
            elif complete:
                value = _complete_value(item, country, weights, rng)
            else:
                value = _value(item, country, weights, rng)
            if value is not None and is_visible(item, answers | {item["key"]: value}):
                answers[item["key"]] = value
    return answers


def _not_applicable(item: dict[str, Any]) -> Any:
    """A section declared not applicable: the tick, its reason, and every status question answered so."""
    if item.get("section_flag"):
        return True
    if item["kind"] == "status":
        return "not_applicable"
    return "[DEMO] This area does not concern the country."


def _value(item: dict[str, Any], country: Country, weights, rng: random.Random) -> Any:
    kind = item["kind"]
    if kind == "status":
        return rng.choices(STATUS_WEIGHTS, weights=weights)[0]
    if kind == "text":
        return f"[DEMO] Synthetic answer from {country.iso3}: national measures taken on this commitment." if rng.random() < 0.8 else None
    if kind == "url":
        return f"https://example.org/demo/{country.iso3.lower()}/{item['key']}" if rng.random() < 0.4 else None
    if kind == "number":
        number = item.get("number", {})
        low = number.get("min", 1990 if number.get("type") == "year" else 0)
        high = number.get("max", 2025 if number.get("type") == "year" else 100 if number.get("type") == "percent" else 1000)
        if number.get("type") in ("integer", "year"):
            return rng.randint(int(low), int(high))
        return round(rng.uniform(low, high), 1)
    if kind == "single_choice":
        return screening_answer(item["key"], country) or rng.choice(item["choices"])["value"]
    if kind == "multiple_choice":
        return sorted(choice["value"] for choice in item["choices"] if rng.random() < 0.4) or None
    if kind == "comment":
        return "[DEMO] Synthetic comment on this section." if rng.random() < 0.15 else None
    return None


# Sentences of a synthetic "measures taken" text, as long as the ones focal points write (600–1,000 characters).
MEASURES_SENTENCES = (
    "The national strategy adopted by the Government sets out the measures, the responsible ministries and a budget line.",
    "Legislation was amended to give the measures a legal basis and to define the roles of the health and justice sectors.",
    "Regional authorities carry out the programme with civil society organizations, under a coordination committee.",
    "Staff in the services concerned received training based on the international standards, with a follow-up course.",
    "An evaluation by an independent research institute is planned, and its results will be published.",
    "Data on coverage and outcomes are collected every year and reported to the national drug observatory.",
    "Bilateral cooperation agreements support the exchange of information and of good practices with neighbouring States.",
    "A review of the measures is foreseen at the end of the current strategy period, with the participation of civil society.",
)


def _complete_value(item: dict[str, Any], country: Country, weights, rng: random.Random) -> Any:
    """Every question answered, texts at full realistic length (see ``complete_answers``)."""
    kind = item["kind"]
    if kind == "text":
        sentences = rng.sample(MEASURES_SENTENCES, rng.randint(5, 7))
        return f"[DEMO] {country.iso3}: " + " ".join(sentences)
    if kind == "url":
        return f"https://example.org/demo/{country.iso3.lower()}/{item['key']}"
    if kind == "single_choice" and item["key"].startswith("screening."):
        return "yes"  # every module applies
    if kind == "multiple_choice":
        return sorted(choice["value"] for choice in item["choices"] if rng.random() < 0.6) or [item["choices"][0]["value"]]
    if kind == "comment":
        return "[DEMO] Synthetic comment on this section: " + " ".join(rng.sample(MEASURES_SENTENCES, 3))
    return _value(item, country, weights, rng)
