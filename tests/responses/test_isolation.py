"""A user of country A gets nothing of country B, on every route of the app.

The routes come from the URL map itself, so a new page, export or API route is
covered the moment it is registered; a route with a URL parameter this test
does not know how to fill fails the test until it is taught.
"""
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from tests.conftest import login
from tests.conftest import post_section

SECRET = "CONFIDENTIAL-DEU-MEASURES"
OTHER_COUNTRIES = ["DEU", "KEN", "CHN", "MEX"]


def parameter_values(other_iso3: str) -> dict[str, str]:
    return {
        "iso3": other_iso3,
        "label": "2025",
        "section_key": "dr-prevention",
        "lang": "en",
        "kind": "answers",
        "fmt": "csv",
        "token": "not-a-real-token",
        "user_id": "1",
        "document_id": "1",
        "table_id": "t-summary-pillars",
        "commitment_id": "ungass2016.1.a",  # the public register (its statuses count published cycles only)
        "table": "status",  # an aggregate table of the public API
        "name": "answers.csv",  # an open-data file
    }


def country_routes(app):
    """GET routes that name a country, and those that list data across countries."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        rules.append(rule)
    return rules


@pytest.fixture
def deu_has_answers(app, client, cycle, user_factory):
    user_factory("focal_point", "DEU", email="fp@deu.example.org")
    login(client, "fp@deu.example.org")
    response = post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.1.measures": SECRET}, country="DEU")
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": __import__("tests.conftest", fromlist=["csrf_token"]).csrf_token(client, "/cycles/")})


@pytest.mark.parametrize("role", ["focal_point", "contributor", "viewer"])
def test_no_route_shows_another_countrys_data(app, deu_has_answers, user_factory, role):
    user_factory(role, "FRA", email=f"{role}@fra.example.org")
    client = app.test_client()
    login(client, f"{role}@fra.example.org")
    rules = country_routes(app)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(rule=st.sampled_from(rules), other=st.sampled_from(OTHER_COUNTRIES))
    def check(rule, other):
        values = parameter_values(other)
        missing = set(rule.arguments) - set(values)
        assert not missing, f"teach this test how to fill {missing} in {rule.rule}"
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert SECRET not in body, url
        if "iso3" in rule.arguments:
            assert response.status_code in (403, 404), url
        assert "Germany" not in body or response.status_code in (403, 404), url

    check()


def test_compiler_sees_the_answers(app, deu_has_answers, client, login_as):
    login_as("compiler", None)
    assert SECRET in client.get("/cycles/2025/DEU/dr-prevention").get_data(as_text=True)
