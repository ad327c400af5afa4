"""Outgoing e-mail: the outbox every message passes through, and the
reminders already sent, so that a daily reminder run never repeats one."""
from datetime import datetime
import enum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reporting.models.base import Base, UTCDateTime, enum_check, utcnow


class MessageStatus(str, enum.Enum):
    PENDING = "pending"  # written with the change it reports, not delivered yet
    SENDING = "sending"  # claimed by one process, so two never deliver it twice
    SENT = "sent"  # handed to the SMTP server
    LOGGED = "logged"  # no SMTP server configured: written to the log and kept here
    FAILED = "failed"  # the SMTP server refused it; retried by the next delivery


class OutboxMessage(Base):
    """One e-mail to one person, in their language.

    Written in the same transaction as the change it reports (an invitation,
    a returned submission…), delivered after that transaction commits; a
    failed delivery stays here and is retried, so nothing is lost or sent
    for a change that was rolled back.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (enum_check("status", MessageStatus, "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(255))
    # Cleared once the SMTP server has the message: bodies may hold one-time links.
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderSent(Base):
    """A deadline reminder already sent to a country: the unique key is what
    makes ``flask cycle remind`` safe to run every day."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("cycle_id", "country_id", "days_before", name="uq_reminders_sent_cycle_country_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"))
    days_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
