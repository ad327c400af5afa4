"""Reporting cycles: one spec version and one deadline, draft → open → closed → published."""
from datetime import date, datetime
import enum

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reporting.models.base import Base, UTCDateTime, enum_check, utcnow
from reporting.models.questionnaire import SpecVersion


class CycleState(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Cycle(Base):
    __tablename__ = "cycles"
    __table_args__ = (enum_check("state", CycleState, "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(32), unique=True)
    spec_version_id: Mapped[int] = mapped_column(ForeignKey("spec_versions.id"))
    state: Mapped[str] = mapped_column(String(16), default=CycleState.DRAFT.value)
    deadline: Mapped[date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    spec_version: Mapped[SpecVersion] = relationship()

    @property
    def state_enum(self) -> CycleState:
        return CycleState(self.state)

    def __repr__(self) -> str:
        return f"<Cycle {self.label} {self.state}>"
