"""Generated report files (PDF, CSV, XLSX) and their manifest data."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reporting.models.base import Base, UTCDateTime, utcnow


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
    pages: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
