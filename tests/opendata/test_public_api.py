"""The public API and the catalogue: no sign-in, only public values, caching headers, 304, 429,
clear JSON errors, and everything reachable from /public/data/catalog.json."""
import hashlib
from urllib.parse import urlsplit

import pytest

from reporting.api.openapi import openapi_document
from reporting.opendata.files import FILES, read_manifest
from reporting.reports.build import AGGREGATE_SHEETS
from tests.opendata.conftest import MARKERS, PUBLIC_TEXT
from tests.reports.conftest import MEASURES, S1

API = "/api/v1/public"


def local(url: str) -> str:
    """An absolute address of the catalogue (made from BASE_URL) as a path for the test client."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://reporting.example.org", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def values(document) -> list:
    """Every string value in a JSON document, keys included."""
    if isinstance(document, dict):
        return [item for key, value in document.items() for item in [key, *values(value)]]
    if isinstance(document, list):
        return [item for value in document for item in values(value)]
    return [document] if isinstance(document, str) else []


def crawl_api(client) -> dict[str, bytes]:
    """Every API URL reachable by following the links of the API root and the catalogue."""
    seen: dict[str, bytes] = {}
    queue = [f"{API}/", "/public/data/catalog.json"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.data[:200])
        seen[path] = response.data
        if response.mimetype in ("application/json", "application/ld+json") and path.startswith((API, "/public/data/catalog")):
            for value in values(response.get_json()):
                if value.startswith("https://reporting.example.org/") and "/openapi.json" not in value:
                    link = local(value)
                    if link.startswith((API, "/public/data/")):
                        queue.append(link)
    return seen


def test_catalogue_lists_every_file_with_its_checksum_size_and_languages(client, published):
    cycle, _closed = published
    response = client.get("/public/data/catalog.json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    catalogue = response.get_json()
    assert catalogue["@type"] == "dcat:Catalog"
    [dataset] = catalogue["dcat:dataset"]  # the closed cycle is not listed
    assert dataset["dct:identifier"] == "2025" and dataset["dct:issued"] == "2025-09-01T12:00:00+00:00"
    assert {title["@language"] for title in dataset["dct:title"]} == {"ar", "zh", "en", "fr", "ru", "es"}
    assert dataset["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert "cycle 2025" in dataset["dct:bibliographicCitation"]
    manifest = read_manifest(cycle.label)
    listed = {local(item["dcat:downloadURL"]["@id"]): item for item in dataset["dcat:distribution"]}
    assert set(listed) == {f"/public/data/2025/{file.name}" for file in FILES}
    for path, item in listed.items():
        body = client.get(path).data
        assert item["dcat:byteSize"]["@value"] == len(body), path
        assert item["spdx:checksum"]["spdx:checksumValue"] == hashlib.sha256(body).hexdigest(), path
        assert item["dcat:mediaType"]["@id"].endswith(manifest["files"][path.rsplit("/", 1)[1]]["media_type"])
        assert item["dct:modified"] and item["dct:issued"]
    [service] = catalogue["dcat:service"]
    assert local(service["dcat:endpointURL"]["@id"]) == f"{API}/"


def test_licence_and_citation_are_configurable(app, client, published):
    app.config.update(OPEN_DATA_LICENSE_URL="https://example.org/licence", OPEN_DATA_PUBLISHER="Example Office",
                      OPEN_DATA_CITATION="{publisher}: cycle {cycle}, {year}. {url}")
    app.extensions.pop("opendata_bodies", None)
    dataset = client.get("/public/data/catalog.json").get_json()["dcat:dataset"][0]
    assert dataset["dct:license"] == {"@id": "https://example.org/licence"}
    assert dataset["dct:bibliographicCitation"] == "Example Office: cycle 2025, 2025. https://reporting.example.org/public/data/2025/"
    page = client.get("/public/data/2025/").get_data(as_text=True)
    assert "https://example.org/licence" in page and "Example Office: cycle 2025" in page


def test_every_file_and_api_root_is_reachable_from_the_catalogue_and_nothing_private_leaks(client, published):
    seen = crawl_api(client)
    for file in FILES:
        assert f"/public/data/2025/{file.name}" in seen
    for path in (f"{API}/", f"{API}/cycles", f"{API}/cycles/2025", f"{API}/cycles/2025/aggregates/status",
                 f"{API}/cycles/2025/countries/FRA/answers", f"{API}/commitments"):
        assert path in seen, path
    # Only accepted submissions' countries have answers; the closed cycle appears nowhere.
    assert f"{API}/cycles/2025/countries/GBR/answers" not in seen
    assert not any("/2026" in path for path in seen)
    api_bodies = b"".join(body for path, body in seen.items() if path.startswith(API))
    for marker in MARKERS:
        assert marker.encode() not in api_bodies, marker
    assert PUBLIC_TEXT.encode() in api_bodies  # the crawl did reach the consenting country's words


def test_a_country_s_public_answers(client, published):
    france = client.get(f"{API}/cycles/2025/countries/FRA/answers").get_json()
    assert france["answers"][MEASURES] == PUBLIC_TEXT and france["answers"][S1] == "implemented"
    germany = client.get(f"{API}/cycles/2025/countries/DEU/answers").get_json()
    assert germany["answers"][S1] == "implemented" and MEASURES not in germany["answers"]


def test_aggregates_filtered_and_paged(client, published):
    response = client.get(f"{API}/cycles/2025/aggregates/status?level=world&question={S1}")
    body = response.get_json()
    assert response.status_code == 200 and body["total"] == 1
    [row] = body["rows"]
    assert (row["implemented"], row["not_started"], row["replies"]) == (2, 1, 3)
    page = client.get(f"{API}/cycles/2025/aggregates/status?limit=2&page=2").get_json()
    assert (page["page"], page["limit"], len(page["rows"])) == (2, 2, 2) and page["pages"] == -(-page["total"] // 2)
    commitments = client.get(f"{API}/cycles/2025/aggregates/commitments?commitment=ungass2016.1.a&level=world").get_json()
    assert [row["commitment"] for row in commitments["rows"]] == ["ungass2016.1.a"]


def test_register_search_and_one_commitment_with_its_statuses(client, published):
    found = client.get(f"{API}/commitments?q=firearms+protocol&document=poa2009").get_json()
    assert found["total"] >= 1 and all(item["document"] == "poa2009" for item in found["commitments"])
    assert any(item["id"] == "poa2009.II.26.a" for item in found["commitments"])
    chapter = client.get(f"{API}/commitments?chapter=1&pillar=demand_reduction&limit=500").get_json()
    assert chapter["total"] > 10 and {item["chapter"] for item in chapter["commitments"]} == {1}
    one = client.get(f"{API}/commitments/ungass2016.1.a").get_json()
    assert one["text"].startswith("Take") and one["question"] == {"key": S1, "label": "Implementation status", "spec_version": "1.0.0"}
    [status] = one["statuses"]
    assert status["cycle"] == "2025" and status["counts"]["implemented"] == 2 and status["base"] == 3


def test_etag_last_modified_cache_control_and_304(client, published):
    for path in (f"{API}/cycles", f"{API}/cycles/2025/aggregates/status", f"{API}/commitments?q=prevention",
                 "/public/data/catalog.json", "/public/data/2025/answers.csv"):
        response = client.get(path)
        assert response.status_code == 200
        etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
        assert "public" in response.headers["Cache-Control"] and "max-age=300" in response.headers["Cache-Control"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", path
        assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304, path
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200, path
        assert client.get(path).headers["ETag"] == etag  # the same body from the cache


def test_a_new_generation_changes_the_etag(client, published):
    from reporting.opendata.files import write_cycle_files
    from reporting.database import write_transaction
    from reporting.extensions import db
    from reporting.models import Country, Submission
    from sqlalchemy import select

    cycle, _closed = published
    before = client.get(f"{API}/cycles/2025/countries/NGA/answers")
    with write_transaction():
        nigeria = db.session.scalar(select(Submission).join(Country).where(Country.iso3 == "NGA", Submission.cycle_id == cycle.id))
        nigeria.may_publish = True
        nigeria.answers[0].value = "planned"
    write_cycle_files(cycle)
    after = client.get(f"{API}/cycles/2025/countries/NGA/answers", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_rate_limit_gives_429_json_with_retry_after(app, client, published):
    app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert client.get(f"{API}/cycles").status_code == 200
    response = client.get(f"{API}/cycles")
    assert response.status_code == 429 and response.is_json
    assert response.get_json()["error"]["status"] == 429 and int(response.headers["Retry-After"]) > 0
    # One limit for the pages and the API of one client; another client is not affected.
    assert client.get("/public/data/catalog.json").status_code == 429
    assert client.get(f"{API}/cycles", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200


def test_rate_limit_is_per_client_behind_a_trusted_proxy(tmp_path, database_url, smtp_server):
    from reporting import create_app
    from tests.conftest import _settings

    app = create_app(_settings(database_url, tmp_path / "reports", TRUSTED_PROXIES=1, PUBLIC_RATE_LIMIT="2 per minute"))
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        assert client.get(f"{API}/", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert client.get(f"{API}/", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    # Another client behind the same proxy has its own count; a spoofed first hop does not help.
    assert client.get(f"{API}/", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200
    spoofed = client.get(f"{API}/", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.1"})
    assert spoofed.status_code == 429


@pytest.mark.parametrize(("path", "status", "field"), [
    (f"{API}/cycles/nope", 404, None),
    (f"{API}/cycles/2026", 404, None),  # closed, not published
    (f"{API}/cycles/2026/aggregates/status", 404, None),
    (f"{API}/cycles/2026/countries/ITA/answers", 404, None),
    (f"{API}/cycles/2025/countries/GBR/answers", 404, None),  # submitted, not accepted
    (f"{API}/cycles/2025/countries/XYZ/answers", 404, None),
    (f"{API}/cycles/2025/aggregates/secret", 404, None),
    (f"{API}/commitments/nope.1", 404, None),
    (f"{API}/cycles/2025/aggregates/status?page=0", 400, "page"),
    (f"{API}/cycles/2025/aggregates/status?page=99999999999999999999", 400, "page"),
    (f"{API}/cycles/2025/aggregates/status?page=99999", 400, "page"),
    (f"{API}/cycles/2025/aggregates/status?limit=0", 400, "limit"),
    (f"{API}/cycles/2025/aggregates/status?limit=abc", 400, "limit"),
    (f"{API}/cycles/2025/aggregates/status?limit=%D9%A5", 400, "limit"),  # Arabic-Indic 5: not ASCII digits
    (f"{API}/cycles/2025/aggregates/status?page=1&page=2", 400, "page"),
    (f"{API}/cycles/2025/aggregates/coverage?question=x", 400, "question"),
    (f"{API}/cycles/2025/aggregates/status?levle=world", 400, "levle"),
    (f"{API}/cycles/2025/aggregates/status?level=%00", 400, "level"),
    (f"{API}/commitments?q=" + "x" * 201, 400, "q"),
    (f"{API}/commitments?chapter=8", 400, "chapter"),
    (f"{API}/commitments?document=secret", 400, "document"),
    (f"{API}/commitments?pillar=x", 400, "pillar"),
    (f"{API}/commitments?lang=de", 400, "lang"),
    (f"{API}/commitments?q=a%01b", 400, "q"),  # a control character
    (f"{API}/commitments?page=3&limit=500", 400, "page"),
])
def test_bad_input_is_a_clear_json_error(client, published, path, status, field):
    response = client.get(path)
    assert response.status_code == status and response.is_json, (path, response.status_code, response.data[:300])
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    if field:
        assert field in error["fields"] and error["fields"][field][0]
    for marker in MARKERS:
        assert marker.encode() not in response.data


def test_no_open_data_written_yet_is_404_not_500(client, db):
    from datetime import date

    from tests.reports.conftest import make_cycle

    make_cycle("2024", date(2024, 6, 30), state="published")
    response = client.get(f"{API}/cycles/2024")
    assert response.status_code == 404 and "not been written" in response.get_json()["error"]["message"]
    assert client.get(f"{API}/cycles").get_json() == {"cycles": []}
    assert client.get("/public/data/2024/answers.csv").status_code == 404
    assert client.get("/public/data/2024/").status_code == 200


def test_openapi_lists_the_public_routes_without_authentication(client):
    document = client.get("/api/v1/openapi.json").get_json()
    public = {path for path in document["paths"] if path.startswith("/public/")}
    assert public == {"/public/", "/public/cycles", "/public/cycles/{label}", "/public/cycles/{label}/aggregates/{table}",
                      "/public/cycles/{label}/countries/{iso3}/answers", "/public/commitments",
                      "/public/commitments/{commitment_id}"}
    for path in public:
        operation = document["paths"][path]["get"]
        assert operation["security"] == []
        assert {"ETag", "Last-Modified", "Cache-Control"} <= set(operation["responses"]["200"]["headers"])
        assert {"304", "429"} <= set(operation["responses"])
    assert openapi_document() == document
    table = document["paths"]["/public/cycles/{label}/aggregates/{table}"]["get"]["parameters"][1]
    assert table["schema"]["enum"] == list(AGGREGATE_SHEETS)


def test_open_data_page_lists_the_files(client, published):
    response = client.get("/public/data/2025/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for file in FILES:
        assert f'href="/public/data/2025/{file.name}"' in page
    assert read_manifest("2025")["files"]["answers.csv"]["sha256"] in page
    assert 'href="/public/data/catalog.json"' in page
    for marker in MARKERS:
        assert marker not in page
