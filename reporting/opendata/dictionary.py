"""The data dictionary of a cycle's open data: one row per question of the
cycle's questionnaire, per indicator and per measure of an indicator.

It says what the machine names in the other files mean: the question key
(``question`` column of the answers and aggregates), its wording in the six
languages, its kind, unit and allowed values, the commitments it measures
(the crosswalk to the register) and, for indicators, the ARQ data module and
the SDG indicator(s) it feeds. Built from the spec frozen with the cycle, so it
describes exactly the questions that were asked.
"""
from flask import current_app
from flask_babel import force_locale, gettext

from forms.spec import Spec
from reporting.core.i18n import babel_locale
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.reports.exports import Table

QUESTION, INDICATOR, MEASURE = "question", "indicator", "measure"


def _columns(languages) -> list[str]:
    return [
        "record_type", "id", "measure", "policy_question", "label", *(f"label_{lang}" for lang in languages),
        "kind", "number_type", "unit", "allowed_values", "minimum", "maximum", "commitments", "pillar",
        "thematic_area", "ungass_chapter", "arq_module", "sdg_indicators", "data_source", "reference_year",
    ]


def _labels(label: str, languages) -> list[str]:
    """The wording in each language (the English msgid where a catalog has no translation)."""
    labels = []
    for language in languages:
        with force_locale(babel_locale(language)):
            labels.append(gettext(label) if label else "")
    return labels


def _allowed(item: dict) -> str:
    kind = item["kind"]
    if kind == "status":
        return "; ".join(STATUS_VALUES)
    if kind in ("single_choice", "multiple_choice"):
        return "; ".join(choice["value"] for choice in item.get("choices", ()))
    if kind == "checkbox":
        return "true; false"
    return ""


def dictionary_table(spec_content: dict) -> Table:
    """Every item of the spec in questionnaire order, each indicator followed by its measures."""
    languages = list(current_app.config["LANGUAGES"])
    spec = Spec(spec_content)
    table = Table("dictionary", _columns(languages), [])
    for section in spec.sections:
        where = [section.pillar_key, section.key, section.chapter]
        for item in section.items:
            commitments = ";".join(item.get("commitments", ()))
            question = item.get("question") or ""
            number = item.get("number") or {}
            if item["kind"] != "table":
                table.rows.append([
                    QUESTION, item["key"], "", question, item["label"], *_labels(item["label"], languages),
                    item["kind"], number.get("type", ""), number.get("unit", ""), _allowed(item),
                    number.get("min"), number.get("max"), commitments, *where, "", "", "", "",
                ])
                continue
            grid = item["table"]
            rows = [row["value"] for row in (*grid["rows"], *grid.get("optional_rows", ()))]
            indicator = [grid["module"], ";".join(grid.get("sdg", ())), grid.get("data_source", ""),
                         grid.get("reference_year", "")]
            table.rows.append([
                INDICATOR, item["key"], "", question, item["label"], *_labels(item["label"], languages),
                "table", "", "", "; ".join(rows), None, None, commitments, *where, *indicator,
            ])
            for column in grid["columns"]:
                table.rows.append([
                    MEASURE, item["key"], column["key"], question, column["label"], *_labels(column["label"], languages),
                    "table_cell", column.get("type", ""), column.get("unit", ""), "number; no_data",
                    column.get("min"), column.get("max"), commitments, *where, *indicator,
                ])
    return table
