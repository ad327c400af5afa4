"""The e-mails the system sends, each rendered in its recipient's language.

Every function adds ``OutboxMessage`` rows to the caller's transaction, so a
message exists only if the change it reports was committed; ``delivery``
sends them afterwards. The templates (``templates/mail/<kind>.txt``) hold the
subject on their first line and the body below it.
"""
from datetime import date
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from reporting.core.i18n import babel_locale
from reporting.extensions import db
from reporting.models import (
    Country, Cycle, CycleState, OutboxMessage, ReminderSent, Role, Submission, SubmissionState, User,
)
from reporting.notifications.delivery import mark_queued

NOT_SUBMITTED = (SubmissionState.NOT_STARTED.value, SubmissionState.IN_PROGRESS.value, SubmissionState.RETURNED.value)


class ReminderError(ValueError):
    """Reminders cannot be sent for this cycle; the message says why."""


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, always on ``BASE_URL``: a link built from the
    request's Host header would let anyone who can send a request choose where a
    password-reset link points."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def recipient_language(user: User) -> str:
    return user.locale if user.locale in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def queue(user: User, kind: str, **context) -> OutboxMessage:
    """Render ``mail/<kind>.txt`` in the user's language and add it to the outbox."""
    language = recipient_language(user)
    with force_locale(babel_locale(language)):
        text = render_template(f"mail/{kind}.txt", user=user, **context)
    subject, _, body = text.strip().partition("\n")
    message = OutboxMessage(
        kind=kind, recipient=user.email, user_id=user.id, language=language,
        subject=" ".join(subject.split())[:255], body=body.strip() + "\n",
    )
    db.session.add(message)
    if has_request_context():
        mark_queued()
    return message


def focal_points(country_ids) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.FOCAL_POINT.value, User.active, User.country_id.in_(list(country_ids)))
        .order_by(User.id)
    ))


def _submission_link(cycle: Cycle, country: Country) -> str:
    return external_url("responses.submission", label=cycle.label, iso3=country.iso3)


# --- accounts ----------------------------------------------------------------------

def invitation(user: User, token: str, inviter: User, sections: list[str], expires_at) -> OutboxMessage:
    return queue(
        user, "invitation", inviter=inviter, country=user.country, sections=sections, expires_at=expires_at,
        link=external_url("accounts.set_password", token=token),
    )


def password_reset(user: User, token: str, minutes: int) -> OutboxMessage:
    return queue(user, "password_reset", minutes=minutes, link=external_url("accounts.set_password", token=token))


# --- the reporting cycle -----------------------------------------------------------

def cycle_opened(cycle: Cycle) -> int:
    """Tell the focal point(s) of every country asked to report; demo cycles e-mail no one."""
    if cycle.is_demo:
        return 0
    country_ids = db.session.scalars(select(Submission.country_id).where(Submission.cycle_id == cycle.id)).all()
    users = focal_points(country_ids)
    for user in users:
        queue(user, "cycle_opened", cycle=cycle, country=user.country, link=_submission_link(cycle, user.country))
    return len(users)


def submission_returned(submission: Submission, comments: dict[str, str], section_titles: dict[str, str]) -> None:
    for user in focal_points([submission.country_id]):
        queue(
            user, "returned", cycle=submission.cycle, country=submission.country,
            comments=[(section_titles.get(key, key), text) for key, text in comments.items()],
            link=_submission_link(submission.cycle, submission.country),
        )


def submission_accepted(submission: Submission) -> None:
    for user in focal_points([submission.country_id]):
        queue(user, "accepted", cycle=submission.cycle, country=submission.country,
              link=_submission_link(submission.cycle, submission.country))


def parse_reminder_days(text: str) -> list[int]:
    """``"14,7,1"`` → ``[14, 7, 1]``; anything else is refused with what was wrong."""
    days = []
    for part in text.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit()) or not 1 <= int(part) <= 365:
            raise ReminderError(f"--days {text!r}: {part!r} is not a whole number of days between 1 and 365")
        days.append(int(part))
    if len(set(days)) != len(days):
        raise ReminderError(f"--days {text!r}: a number of days is repeated")
    return sorted(days, reverse=True)


def send_reminders(cycle: Cycle, days: list[int], today: date | None = None) -> dict[str, int]:
    """Remind the focal points of every country that has not submitted, once per threshold.

    With ``days = [14, 7, 1]`` a country gets one reminder when 14 days or fewer
    remain, another at 7 and another at 1; each is recorded in
    ``reminders_sent`` (unique per cycle, country and threshold) together with
    its messages, so running this every day — or twice at once — never sends
    the same reminder again. Each country is its own transaction.
    """
    from reporting.database import write_transaction

    if cycle.state_enum is not CycleState.OPEN:
        raise ReminderError(f"cycle {cycle.label} is {cycle.state}: reminders are sent only while a cycle is open")
    today = today or date.today()
    remaining = (cycle.deadline - today).days
    counts = {"countries": 0, "messages": 0, "already_sent": 0, "no_focal_point": 0}
    due = [threshold for threshold in days if 0 <= remaining <= threshold]
    if not due:
        return counts
    threshold = min(due)
    rows = db.session.execute(
        select(Submission.country_id, Country)
        .join(Country, Country.id == Submission.country_id)
        .where(Submission.cycle_id == cycle.id, Submission.state.in_(NOT_SUBMITTED))
        .order_by(Country.iso3)
    ).all()
    already = set(db.session.scalars(
        select(ReminderSent.country_id).where(ReminderSent.cycle_id == cycle.id, ReminderSent.days_before == threshold)
    ))
    recipients: dict[int, list[User]] = {}
    for user in focal_points([country_id for country_id, _ in rows]):
        recipients.setdefault(user.country_id, []).append(user)
    for country_id, country in rows:
        if country_id in already:
            counts["already_sent"] += 1
            continue
        users = recipients.get(country_id, [])
        if not users:
            counts["no_focal_point"] += 1
            continue
        try:
            with write_transaction():
                db.session.add(ReminderSent(cycle_id=cycle.id, country_id=country_id, days_before=threshold))
                db.session.flush()  # the unique key refuses a reminder another run has just recorded
                for user in users:
                    queue(user, "reminder", cycle=cycle, country=country, days=remaining,
                          link=_submission_link(cycle, country))
        except IntegrityError:
            counts["already_sent"] += 1
            continue
        counts["countries"] += 1
        counts["messages"] += len(users)
    return counts


