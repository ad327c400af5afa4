"""Delivering the outbox: over SMTP when ``MAIL_SERVER`` is set, otherwise to
the log (development), the messages staying visible on the admins' outbox page.

Messages are written by ``notifications.services`` inside the transaction of
the change they report and delivered here once it has committed: after the
request that queued them (``init_app``) or explicitly by a CLI command. A
message is claimed (``pending``/``failed`` → ``sending``) before it is sent,
so two workers never deliver the same one; a refused message stays
``failed`` and is retried by the next delivery.
"""
from datetime import datetime, timezone
import logging
import smtplib

from flask import Flask, current_app, g
from flask_mailman import EmailMessage
from sqlalchemy import select, update

from reporting.database import write_transaction
from reporting.extensions import db, mail
from reporting.models import MessageStatus, OutboxMessage

log = logging.getLogger("reporting.mail")
MAX_ATTEMPTS = 5
QUEUED_FLAG = "_outbox_queued"


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def mark_queued() -> None:
    """Tell the end of this request that there is something to deliver."""
    setattr(g, QUEUED_FLAG, True)


def _claim(message_id: int) -> bool:
    with write_transaction() as session:
        claimed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status.in_([MessageStatus.PENDING.value, MessageStatus.FAILED.value]))
            .values(status=MessageStatus.SENDING.value, attempts=OutboxMessage.attempts + 1)
        ).rowcount
    return claimed == 1


def deliver_pending() -> tuple[int, int]:
    """Deliver every undelivered message; returns (delivered, failed). Never raises for a
    refused or unreachable server: the message stays in the outbox with the error."""
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_([MessageStatus.PENDING.value, MessageStatus.FAILED.value]),
            OutboxMessage.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboxMessage.id)
    ).all()
    delivered = failed = 0
    connection = mail.get_connection() if smtp_configured() and ids else None
    try:
        for message_id in ids:
            if not _claim(message_id):
                continue  # another process has it
            message = db.session.get(OutboxMessage, message_id)
            error = _send(message, connection)
            with write_transaction():
                if error:
                    message.status, message.error = MessageStatus.FAILED.value, error[:500]
                    failed += 1
                else:
                    message.status = (MessageStatus.SENT if connection else MessageStatus.LOGGED).value
                    message.sent_at, message.error = datetime.now(timezone.utc), None
                    if connection:
                        message.body = None  # the SMTP server has it; one-time links are not kept
                    delivered += 1
    finally:
        if connection is not None:
            connection.close()
    return delivered, failed


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
            deliver_pending()
        except Exception:  # noqa: BLE001 — the messages stay in the outbox for the next delivery
            log.exception("E-mail delivery after %s failed; the messages stay in the outbox", response.status)
    return response


def init_app(app: Flask) -> None:
    mail.init_app(app)
    app.after_request(_deliver_after_request)
