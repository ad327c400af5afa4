"""Questionnaire specification versions, frozen once stored."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from reporting.models.base import Base, UTCDateTime, utcnow


class SpecVersion(Base):
    __tablename__ = "spec_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32), unique=True)
    register_checksum: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: the content is large and read once per process (see responses.submissions.spec_for).
    content: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SpecVersion {self.version}>"
