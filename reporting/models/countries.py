"""UN Member States and observer States. Names are never stored: they come
from CLDR through Babel in the reader's locale (see ``reporting.countries``)."""
from sqlalchemy import Boolean, CHAR, Integer, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from reporting.models.base import Base


class Country(Base):
    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso2: Mapped[str] = mapped_column(CHAR(2), unique=True)
    iso3: Mapped[str] = mapped_column(CHAR(3), unique=True)
    m49: Mapped[int] = mapped_column(SmallInteger, unique=True)
    region_m49: Mapped[int] = mapped_column(SmallInteger, index=True)
    subregion_m49: Mapped[int] = mapped_column(SmallInteger, index=True)
    intermediate_region_m49: Mapped[int | None] = mapped_column(SmallInteger)
    is_member_state: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Country {self.iso3}>"
