"""A section page's items are drawn from fixed markup kept per (section, item, language), with
what varies filled in per page view (reporting/responses/items.py). These tests hold the kept
markup, filled in, to what the same template draws when every varying part is evaluated on the
spot, and check through the app that nothing of one view (answers, errors, language) shows in another."""
import re
from types import SimpleNamespace

from flask import get_template_attribute
from flask_babel import force_locale, get_translations
from markupsafe import Markup
import pytest

from forms import tables
from forms.spec import Spec
from reporting.questionnaire.measures import NO_DATA
from reporting.questionnaire.scale import STATUS_SCALE
from reporting.questionnaire.schema import SPECS_DIR
from reporting.questionnaire.versions import newest_spec
from reporting.responses.items import PageView, fixed_item
from tests.conftest import login, make_user, post_section
from tests.responses.test_tables import SPEC as TABLE_SPEC

LANGUAGES = ["en", "fr", "es", "ru", "zh", "ar"]


def drawn_directly(view: PageView, section, item, head, scale, commitments, tr) -> str:
    """The item as ``_item.html`` draws it when each ``vary`` is answered on the spot (nothing kept)."""
    def vary(name, *args, caller=None):
        filled = getattr(view, name)(item, view.values.get(item["key"]), *args)
        if caller is not None:
            return caller() if filled else Markup("")
        return filled

    return str(get_template_attribute("responses/_item.html", "row")(item, head, section, scale, commitments, tr, vary))


def page_state(section, commitments, editable: bool) -> dict:
    """A page view with every varying part in use: answers of each kind (some with markup in them),
    errors, carried-over marks, comments, documents, earlier statuses, flags, a table as typed."""
    values, errors, carried, comments, documents, earlier, flags = {}, {}, set(), {}, {}, {}, {}
    for n, item in enumerate(section.items):
        key, kind = item["key"], item["kind"]
        if kind == "status":
            values[key] = STATUS_SCALE[n % len(STATUS_SCALE)][0]
            if n % 3:
                earlier[key] = {cid: "implemented" for cid in item["commitments"] if cid in commitments}
        elif kind == "multiple_choice":
            values[key] = [choice["value"] for choice in item["choices"][:2]]
        elif kind == "single_choice":
            values[key] = item["choices"][-1]["value"]
        elif kind == "checkbox":
            values[key] = True
        elif kind == "table":
            table = item["table"]
            extra = table.get("optional_rows", [])[:1]
            rows = [*table["rows"], *extra]
            if n % 2:
                values[key] = {"typed": {f"{key}:{row['value']}:{table['columns'][0]['key']}": '"><b>typed</b>' for row in rows}
                               | {f"{key}:note": "</textarea>note", f"{key}:rows": ",".join(r["value"] for r in extra)}}
            else:
                values[key] = {"rows": {row["value"]: {column["key"]: (NO_DATA if i % 3 == 0 else 1234.5 * (i + 1))
                                                       for i, column in enumerate(table["columns"])} for row in rows},
                               "note": "<i>checked</i>", "year": 2023}
            flags[key] = [(rows[0]["value"], table["columns"][0]["key"]), (rows[-1]["value"], None)]
        else:
            values[key] = f'</textarea><script>alert("{key}")</script>'
        if n % 3 == 0:
            errors[key] = ["Wrong <here>.", "And there."]
        if n % 4 == 1:
            carried.add(key)
        if n % 5 == 2:
            comments[key] = [SimpleNamespace(text="Check <this>")]
            documents[key] = [SimpleNamespace(id=n, filename="report <1>.pdf", size=2048 * n + 1)]
    return {"values": values, "errors": errors, "carried": carried, "editable": editable, "earlier_statuses": earlier,
            "commitments": commitments, "item_comments": comments, "documents": documents, "table_flags": flags,
            "cycle": SimpleNamespace(label="2025"), "country": SimpleNamespace(iso3="FRA")}


@pytest.mark.parametrize("editable", [True, False])
def test_kept_markup_filled_in_is_what_the_template_draws(app, editable):
    spec = Spec(newest_spec(SPECS_DIR, "arq"))
    sections = [spec.section("sr-trafficking"), *Spec(TABLE_SPEC).sections]
    seen = ""
    for language in LANGUAGES:
        with app.test_request_context(), force_locale(language):
            tr = get_translations().gettext
            scale = [(value, str(label)) for value, label in STATUS_SCALE]
            for section in sections:
                commitments = spec.commitments if section is sections[0] else {}
                view = PageView(page_state(section, commitments, editable))
                for head, item in enumerate(section.items):
                    fixed = fixed_item(section, item, head, language, scale, commitments, tr)
                    filled = view.fill(fixed, item)
                    assert filled == drawn_directly(PageView(page_state(section, commitments, editable)), section, item,
                                                    head, scale, commitments, tr), (language, item["key"])
                    assert fixed_item(section, item, head, language, scale, commitments, tr) is fixed  # kept
                    optional = [row["value"] for row in item.get("table", {}).get("optional_rows", [])]
                    if optional:  # the first is shown, so it is no longer offered; the others are, on a page that can add
                        assert f'<option value="{optional[0]}">' not in filled and f'name="{item["key"]}:{optional[0]}:' in filled
                        assert all((f'<option value="{row}">' in filled) is editable for row in optional[1:])
                    seen += filled
    # Every kind of varying part was drawn, and answers only ever escaped.
    for part in (" checked", " has-error", " carried", 'class="flagged"', "field-error", 'class="hint"', "Check &lt;this&gt;",
                 'class="documents"', "&lt;/textarea&gt;&lt;script&gt;", "&#34;&gt;&lt;b&gt;typed", "&lt;i&gt;checked&lt;/i&gt;",
                 'value="--"', ':rows" value="'):
        assert part in seen, part
    assert ("disabled" in seen) is not editable
    assert "<script>" not in seen and "<b>typed" not in seen and "</textarea>note" not in seen


def test_each_view_shows_its_own_answers_errors_and_language(app, client, cycle, login_as):
    login_as("focal_point", "FRA")
    path = "/cycles/2025/FRA/dr-prevention"
    english = client.get(path).get_data(as_text=True)  # keeps the section's markup in English
    assert post_section(client, "dr-prevention", {"t.1.status": "planned", "t.1.measures": '</textarea><script>alert("FRA")</script>'}).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&#34;FRA&#34;)&lt;/script&gt;</textarea>" in page and "<script>alert" not in page
    assert re.search(r'id="t\.1\.status-planned"[^>]* checked', page) and not re.search(r'id="t\.1\.status-planned"[^>]* checked', english)

    refused = post_section(client, "dr-prevention", {"t.1.status": "planned", "t.2.indicator.1": "many"})
    assert refused.status_code == 422
    assert 'aria-invalid="true" aria-describedby="error-t.2.indicator.1"' in refused.get_data(as_text=True)
    assert 'aria-invalid' not in client.get(path).get_data(as_text=True)

    other = app.test_client()
    login(other, make_user("focal_point", "DEU").email)
    theirs = other.get("/cycles/2025/DEU/dr-prevention").get_data(as_text=True)
    assert "alert" not in theirs and " checked" not in theirs and "t.1.status" in theirs

    with client.session_transaction() as session:
        session["lang"] = "fr"
    french = client.get(path).get_data(as_text=True)
    assert 'title="required"' in english and 'title="required"' not in french
    assert re.search(r'id="t\.1\.status-planned"[^>]* checked', french)


@pytest.mark.parametrize("language", LANGUAGES)
def test_whole_numbers_in_cells_are_grouped_as_babel_groups_them(app, language):
    numbers = [0, 7, 999, 1000, 1234, 10000, 65536, 999999, 1000000, 123456789, 10**12 + 1]
    for decimals in (0, 1, 3):
        for number in numbers:
            assert tables._shown(number, {"decimals": decimals}, language) == \
                tables._pattern(decimals).apply(number, language), (language, decimals, number)
    assert tables._shown(1234.5, {"decimals": 1}, language) == tables._pattern(1).apply(1234.5, language)
