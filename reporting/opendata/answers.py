"""The public answers of a published cycle, as the open-data files hold them.

Which submissions and which parts of an answer are public is decided by
``reporting.publication.policy.public_answers`` alone; this module only lays
its result out: a long table (one line per answer or table cell, as the staff
export does, with the same column names) and the same answers by country for
the public API.
"""
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from forms.spec import Spec
from reporting.countries.services import country_name
from reporting.extensions import db
from reporting.models import Country, Cycle
from reporting.publication import policy
from reporting.reports.exports import Table, answer_cells, writable

COLUMNS = ["cycle", "iso3", "country", "region_m49", "subregion_m49", "question", "commitment", "kind", "value",
           "row", "measure", "unit", "no_data"]


@dataclass
class PublicAnswers:
    table: Table
    # ISO3 → {"country", "region_m49", "subregion_m49", "answers": {question key → public value}}
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)


def public_answers(cycle: Cycle) -> PublicAnswers:
    by_country = policy.public_answers(cycle)
    items = Spec(cycle.spec_version.content).items_by_key
    countries = {country.iso3: country for country in db.session.scalars(
        select(Country).where(Country.iso3.in_(list(by_country))))}
    result = PublicAnswers(Table("answers", COLUMNS, []))
    for iso3, answers in sorted(by_country.items()):
        country = countries[iso3]
        name = country_name(country.iso2, "en")
        result.countries[iso3] = {"country": name, "region_m49": country.region_m49,
                                  "subregion_m49": country.subregion_m49, "answers": answers}
        for key, value in answers.items():
            item = items[key]
            for cell, row, measure, unit, no_data in answer_cells(item, value):
                result.table.rows.append([
                    cycle.label, iso3, name, country.region_m49, country.subregion_m49, key,
                    ";".join(item.get("commitments", [])), item.get("kind"),
                    writable(cell, f"{iso3} {key}", result.table.unwritable), row, measure, unit, no_data,
                ])
    return result
