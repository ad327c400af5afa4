"""Generated report files (PDF, CSV, XLSX) with their manifest data, and the builds that write them."""
from datetime import datetime
import enum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reporting.models.base import Base, UTCDateTime, enum_check, utcnow


class ReportFile(Base):
    __tablename__ = "report_files"
    __table_args__ = (UniqueConstraint("path", name="uq_report_files_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str | None] = mapped_column(String(5))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"), index=True)
    path: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    # Fingerprint of everything the file was made from (data, language, templates, translations,
    # renderer): a later build whose inputs fingerprint the same keeps the file instead of re-rendering it.
    inputs_sha256: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BuildState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self in (BuildState.QUEUED, BuildState.RUNNING)


class ReportBuild(Base):
    """A build started from the web or queued from the CLI: its progress and outcome, kept in the
    database so that any web worker shows it and it outlives the process that started it."""

    __tablename__ = "report_builds"
    __table_args__ = (enum_check("state", BuildState, "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=BuildState.QUEUED.value)
    languages: Mapped[str] = mapped_column(String(64))  # e.g. "en,fr"
    countries: Mapped[int] = mapped_column(Integer)  # how many country profiles per language
    total: Mapped[int] = mapped_column(Integer)  # PDFs to make
    done: Mapped[int] = mapped_column(Integer, default=0)  # PDFs made or kept so far
    reused: Mapped[int] = mapped_column(Integer, default=0)  # of those, kept because their inputs had not changed
    runner: Mapped[str] = mapped_column(String(200))  # "queue", or "local:<host>:<pid>" for a web worker's thread
    message: Mapped[str | None] = mapped_column(Text)  # why it failed
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def state_enum(self) -> BuildState:
        return BuildState(self.state)
