"""A country's response to a cycle: its state, its answers and the compilers' review comments."""
from datetime import datetime
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reporting.models.accounts import User
from reporting.models.base import Base, UTCDateTime, enum_check, utcnow
from reporting.models.countries import Country
from reporting.models.cycles import Cycle


class SubmissionState(str, enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"

    @property
    def editable(self) -> bool:
        return self in (SubmissionState.NOT_STARTED, SubmissionState.IN_PROGRESS, SubmissionState.RETURNED)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("cycle_id", "country_id", name="uq_submissions_cycle_country"),
        enum_check("state", SubmissionState, "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=SubmissionState.NOT_STARTED.value)
    # Optimistic locking: every save states the version it was based on.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The focal point's choice on submit: "the descriptions of measures and the documents of this
    # submission may be published". Without it the public portal and files show only statuses,
    # ticks and figures (``reporting.publication.policy``); not consented until ticked.
    may_publish: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    cycle: Mapped[Cycle] = relationship()
    country: Mapped[Country] = relationship()
    updated_by: Mapped[User | None] = relationship()
    answers: Mapped[list["Answer"]] = relationship(back_populates="submission", cascade="all, delete-orphan")
    comments: Mapped[list["ReviewComment"]] = relationship(back_populates="submission", cascade="all, delete-orphan")
    documents: Mapped[list["Document"]] = relationship(back_populates="submission", cascade="all, delete-orphan", order_by="Document.id")  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_enum(self) -> SubmissionState:
        return SubmissionState(self.state)

    def __repr__(self) -> str:
        return f"<Submission {self.cycle_id}/{self.country_id} {self.state} v{self.version}>"


class Answer(Base):
    """One row per question key per submission; ``value`` keeps the JSON type of the answer."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("submission_id", "key", name="uq_answers_submission_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(160))
    value: Mapped[Any] = mapped_column(JSON)
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    submission: Mapped[Submission] = relationship(back_populates="answers")


class ReviewComment(Base):
    """A compiler's comment when returning a submission: on a whole section, or
    (``item_key`` set) on one question of it, so the focal point sees it beside
    the field to correct."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    section_key: Mapped[str] = mapped_column(String(160))
    item_key: Mapped[str | None] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class SectionReady(Base):
    """A contributor's mark: this section of the submission is ready for the focal point."""

    __tablename__ = "section_ready_marks"
    __table_args__ = (UniqueConstraint("submission_id", "section_key", name="uq_section_ready_marks_submission_section"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    section_key: Mapped[str] = mapped_column(String(160))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    marked_by: Mapped[User | None] = relationship()


class PendingSave(Base):
    """A section save that arrived after its session had ended (idle timeout, or a
    sign-in elsewhere): the posted values, kept until the same user signs in again
    and opens the section, where they are saved under the usual version check.

    Kept only for a post whose CSRF token matched its session, so nobody can
    plant values for someone else to save (see ``reporting.responses.pending``).
    """

    __tablename__ = "pending_saves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    formdata: Mapped[Any] = mapped_column(JSON)  # [[name, value], …] as posted, the CSRF token left out
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


EXCERPT_MAX = 800


class MeasureExample(Base):
    """A country's "measures taken" answer that a compiler marked, in review, as an example for the
    cycle's report; quoted with the country's name as submitted, in the language it was written in,
    or as the compiler's shortened ``excerpt`` of it."""

    __tablename__ = "measure_examples"
    __table_args__ = (
        UniqueConstraint("submission_id", "key", name="uq_measure_examples_submission_key"),
        CheckConstraint(f"excerpt IS NULL OR length(excerpt) <= {EXCERPT_MAX}", name="excerpt_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(160))  # the "measures taken" question
    excerpt: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship()
