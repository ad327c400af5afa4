"""Delivering the outbox: over SMTP when ``MAIL_SERVER`` is set, otherwise to
the log (development), the messages staying visible on the admins' outbox page.

Messages are written by ``notifications.services`` inside the transaction of
the change they report and delivered here once it has committed: after the
request that queued them (``init_app``; by a queue worker when ``REDIS_URL``
is set, so a slow SMTP server never holds up a page) or explicitly by a CLI
command. A batch is claimed (``pending``/``failed`` → ``sending``) in one
statement before it is sent, so two workers never deliver the same message; a
refused message stays ``failed`` and is retried by the next delivery (at most
``MAX_ATTEMPTS`` times).
"""
from datetime import datetime, timezone
import logging
import os
import smtplib

from flask import Flask, current_app, g
from flask_mailman import EmailMessage
from sqlalchemy import select, update

from reporting.database import write_transaction
from reporting.extensions import db, mail
from reporting.models import MessageStatus, OutboxMessage
from reporting.tasks import enqueue, queue_enabled

log = logging.getLogger("reporting.mail")
MAX_ATTEMPTS = 5
QUEUED_FLAG = "_outbox_queued"


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def mark_queued() -> None:
    """Tell the end of this request that there is something to deliver."""
    setattr(g, QUEUED_FLAG, True)


def _claim() -> list[int]:
    """Take every undelivered message for this process in one statement: another
    process running at the same time gets the rest, never the same ones."""
    with write_transaction() as session:
        return sorted(session.scalars(
            update(OutboxMessage)
            .where(
                OutboxMessage.status.in_([MessageStatus.PENDING.value, MessageStatus.FAILED.value]),
                OutboxMessage.attempts < MAX_ATTEMPTS,
            )
            .values(status=MessageStatus.SENDING.value, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id)
        ).all())


def deliver_pending() -> tuple[int, int]:
    """Deliver every undelivered message; returns (delivered, failed). Never raises for a
    refused or unreachable server: the message stays in the outbox with the error."""
    ids = _claim()
    if not ids:
        return 0, 0
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)).all()
    connection = None
    outcomes: dict[int, str | None] = {}
    try:
        connection = mail.get_connection() if smtp_configured() else None
        for message in messages:
            outcomes[message.id] = _send(message, connection)
    finally:
        if connection is not None:
            connection.close()
        _record(messages, outcomes, sent_over_smtp=connection is not None)
    failed = sum(1 for error in outcomes.values() if error)
    return len(outcomes) - failed, failed


def _record(messages: list[OutboxMessage], outcomes: dict[int, str | None], sent_over_smtp: bool) -> None:
    """One transaction for the whole batch; a message not tried (the process was
    stopped) goes back to the queue."""
    now = datetime.now(timezone.utc)
    with write_transaction():
        for message in messages:
            if message.id not in outcomes:
                message.status, message.attempts = MessageStatus.PENDING.value, message.attempts - 1
            elif error := outcomes[message.id]:
                message.status, message.error = MessageStatus.FAILED.value, error[:500]
            else:
                message.status = (MessageStatus.SENT if sent_over_smtp else MessageStatus.LOGGED).value
                message.sent_at, message.error = now, None
                if sent_over_smtp:
                    message.body = None  # the SMTP server has it; one-time links are not kept


def _send(message: OutboxMessage, connection) -> str | None:
    """Hand one message over; the error text when that failed."""
    if connection is None:
        log.info("E-mail (no SMTP server configured) to %s: %s\n%s", message.recipient, message.subject, message.body)
        return None
    try:
        email = EmailMessage(
            message.subject, message.body, current_app.config["MAIL_DEFAULT_SENDER"], [message.recipient],
            connection=connection, headers={"Content-Language": message.language},
        )
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("E-mail %s to %s not delivered: %s", message.id, message.recipient, error)
        connection.close()  # reopened for the next message
        return f"{type(error).__name__}: {error}"
    return None


def _deliver_after_request(response):
    """The change is committed by now; a delivery problem must not turn it into an error page."""
    if g.pop(QUEUED_FLAG, False):
        try:
            if queue_enabled():
                enqueue("reporting.notifications.delivery:deliver_pending", retries=2, description="deliver e-mail")
            else:
                deliver_pending()
        except Exception:  # noqa: BLE001 — the messages stay in the outbox for the next delivery
            log.exception("E-mail delivery after %s failed; the messages stay in the outbox", response.status)
    return response


def init_app(app: Flask) -> None:
    mail.init_app(app)
    if not app.config.get("MAIL_SERVER") and os.environ.get("APP_ENV") == "production":
        app.logger.warning("MAIL_SERVER is not set: e-mail is written to the log and the admins' outbox page, not sent.")
    app.after_request(_deliver_after_request)
