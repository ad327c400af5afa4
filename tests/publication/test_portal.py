"""The public portal's pages: what they show, their caching headers, robots and sitemap, and bad
input (unknown or unpublished cycles, countries that are not public, path tricks, huge pages,
odd searches) answered with a clear 404 or 400 page that leaks nothing, never a 500."""
import re
from xml.etree import ElementTree

import pytest

from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Cycle

from .conftest import CONSENTED, MARKER


def text(response) -> str:
    return response.get_data(as_text=True)


def test_pages_show_published_cycles_only_in_the_language_of_the_url(client, portal_demo):
    home = client.get("/public/en/")
    assert home.status_code == 200
    assert "2025 reporting cycle" in text(home) and "2026 reporting cycle" not in text(home)
    assert "/cycles/2026/" not in text(home)
    assert 'href="/public/en/register/"' in text(home) and 'action="/public/en/register/"' in text(home)
    # No session, no sign-in state, nothing private: a page any proxy may keep.
    assert "Set-Cookie" not in home.headers and "csrf_token" not in text(home)
    arabic = client.get("/public/ar/")
    assert '<html lang="ar" dir="rtl">' in text(arabic)
    assert 'hreflang="fr" href="/public/fr/"' in text(arabic)  # the switcher: links, no form
    cycle = text(client.get("/public/en/cycles/2025/"))
    assert "/public/en/cycles/2025/report/" in cycle
    assert MARKER not in cycle


def test_the_root_sends_the_reader_to_their_language(client):
    response = client.get("/public/", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/public/fr/")
    assert "Accept-Language" in response.headers["Vary"]


def test_caching_headers_and_conditional_requests(client, portal_demo):
    first = client.get("/public/en/register/?q=prevention")
    assert first.status_code == 200
    assert "public" in first.headers["Cache-Control"] and "max-age" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = client.get("/public/en/register/?q=prevention", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # Another page, another language: another ETag.
    assert client.get("/public/fr/register/?q=prevention").headers["ETag"] != etag
    # A review decision changes what is public: the ETag changes with it.
    published, _later = portal_demo
    from tests.publication.conftest import set_consent
    set_consent(published, "DEU", True)
    assert client.get("/public/en/register/?q=prevention", headers={"If-None-Match": etag}).status_code == 200


def test_a_signed_in_reader_gets_the_same_page_uncached(client, login_as, portal_demo):
    login_as("focal_point", "DEU")
    response = client.get("/public/en/cycles/2025/")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "focal_point.deu@example.org" not in text(response)


def test_register_search_filters_and_pages(client, portal_demo):
    everything = text(client.get("/public/en/register/"))
    total = int(re.search(r"([\d,]+) commitments found", everything).group(1).replace(",", ""))
    assert total > 400 and "Page 1 of" in everything and 'rel="next"' in everything
    found = text(client.get("/public/en/register/?q=UNGASS2016.1.A"))
    assert "/public/en/register/ungass2016.1.a/" in found
    # Filters narrow; every word must match, in any order, accents and case ignored.
    chapter = text(client.get("/public/en/register/?document=ungass2016&chapter=1"))
    assert "/register/ungass2016.1.a/" in chapter and "/register/poa2009" not in chapter
    both = text(client.get("/public/en/register/?q=schools+prevention"))
    assert text(client.get("/public/en/register/?q=PRÉVENTION+Schools")).count("<li>") == both.count("<li>")
    nothing = client.get("/public/en/register/?q=zzzyyyxxx")
    assert nothing.status_code == 200 and "No commitment matches" in text(nothing)
    last = re.search(r"Page 1 of (\d+)", everything).group(1)
    assert client.get(f"/public/en/register/?page={last}").status_code == 200


def test_search_in_the_page_language_where_titles_are_translated(client, portal_demo, app):
    """A commitment's title in French finds it on the French page (the catalogs translate titles)."""
    from flask_babel import force_locale, gettext

    from reporting.publication.services import commitment
    title = commitment("ungass2016.1.a")["title"]
    with app.test_request_context(), force_locale("fr"):
        french = gettext(title)
    if french == title:
        pytest.skip("the French catalog does not translate this title yet")
    word = max(re.findall(r"\w+", french), key=len)
    assert "/public/fr/register/ungass2016.1.a/" in text(client.get("/public/fr/register/", query_string={"q": word}))


def test_commitment_page(client, portal_demo):
    page = text(client.get("/public/en/register/ungass2016.1.a/"))
    assert 'lang="en"' in page and "primary prevention" in page.lower()
    assert 'href="https://undocs.org/en/A/RES/S-30/1"' in page
    assert "Implementation status" in page  # the question that asks it (this demo's wording)
    # Status distribution of the published cycle: 6 accepted Member States, none "not applicable";
    # the unaccepted (GBR "not started") and the unpublished cycle are not counted.
    row = re.search(r'<tr><th scope="row"><a href="/public/en/cycles/2025/">2025</a></th>(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[-2:] == ["6", "0"]
    assert "(0)" in cells[0]  # not started: nobody (GBR's answer is not accepted)
    assert "2026" not in page
    arabic = text(client.get("/public/ar/register/ungass2016.1.a/"))
    assert 'href="https://undocs.org/ar/A/RES/S-30/1"' in arabic and 'dir="rtl"' in arabic
    sofia = text(client.get("/public/ru/register/sofia2018.8/"))
    assert "ST-10482-2018-INIT/en/pdf" in sofia  # no Russian text of the Sofia declaration: English


@pytest.mark.parametrize("path", [
    "/public/en/cycles/2026/",  # closed, not published
    "/public/en/cycles/2026/report/",
    "/public/en/cycles/2026/report.pdf",
    "/public/en/cycles/1999/",  # unknown
    "/public/en/cycles/..%2F2025/",
    "/public/en/cycles/2025/profiles/GBR.pdf",  # submitted, not accepted
    "/public/en/cycles/2025/profiles/MEX.pdf",  # returned
    "/public/en/cycles/2025/profiles/PSE.pdf",  # no submission
    "/public/en/cycles/2025/profiles/..%2F..%2Fmanifest.pdf",
    "/public/en/cycles/2025/profiles/FRA.pdf",  # accepted, but not built yet
    "/public/en/cycles/2025/report/tables/..%2Fsecret.csv",
    "/public/en/cycles/2025/report/tables/no-such-table.csv",
    "/public/xx/",  # not one of the six languages
    "/public/en/countries/GBR/",  # submitted, not accepted
    "/public/en/countries/ZZZ/",
    "/public/en/countries/DEU/2025/documents/2",  # accepted, but DEU did not consent
    "/public/en/countries/GBR/2025/documents/3",  # consented, but not accepted
    "/public/en/countries/DEU/2025/documents/1",  # FRA's document under another country
    "/public/en/countries/FRA/2026/documents/1",  # unpublished cycle
    "/public/en/countries/FRA/2025/documents/99999999999",
    "/public/en/countries/" + "A" * 500 + "/",
    "/public/en/register/no.such.commitment/",
    "/public/en/register/..%2F..%2Fetc%2Fpasswd/",
    "/public/en/register/?page=999",  # beyond the last page
])
def test_not_public_is_404_with_a_clear_page(client, portal_demo, path):
    response = client.get(path)
    assert response.status_code == 404
    body = text(response)
    assert "There is no such public page" in body and "/public/en/" in body or "/public/" in body
    assert MARKER not in body and "Traceback" not in body and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("query, names", [
    ("page=0", "Page"),
    ("page=-1", "Page"),
    ("page=99999999999999999999", "Page"),
    ("page=abc", "Page"),
    ("page=1&page=2", "Page"),
    ("chapter=9", "UNGASS chapter"),
    ("document=../../etc", "Document"),
    ("pillar=everything", "Pillar"),
    ("q=" + "x" * 201, "Search"),
    ("q=%00abc", "Search"),
    ("sort=name", "sort"),
])
def test_bad_register_queries_are_400_naming_the_parameter(client, portal_demo, query, names):
    response = client.get(f"/public/en/register/?{query}")
    assert response.status_code == 400, query
    assert f"{names}:" in text(response) and "Traceback" not in text(response)


def test_odd_but_valid_searches_work(client, portal_demo):
    for query in ("<script>alert(1)</script>", "%", "' OR 1=1 --", "مخدرات", "预防", "\u202eevil", "x" * 200,
                  "%ED%A0%80"):  # the last: an unpaired surrogate as UTF-8, read as U+FFFD
        response = client.get("/public/ar/register/?q=" + query if query.startswith("%") else "/public/ar/register/",
                              query_string=None if query.startswith("%") else {"q": query})
        assert response.status_code == 200, query
        assert "<script>alert(1)</script>" not in text(response)


def test_robots_and_sitemap(client, portal_demo):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    lines = text(robots).splitlines()
    assert "Allow: /public/" in lines and "Disallow: /" in lines
    assert any(line.startswith("Sitemap: http") and line.endswith("/sitemap.xml") for line in lines)
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.mimetype == "application/xml"
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text for loc in ElementTree.fromstring(sitemap.get_data()).findall("s:url/s:loc", namespace)]
    paths = {url.removeprefix("http://localhost") for url in urls}
    for lang in ("ar", "zh", "en", "fr", "ru", "es"):
        assert {f"/public/{lang}/", f"/public/{lang}/cycles/2025/", f"/public/{lang}/cycles/2025/report/",
                f"/public/{lang}/register/", f"/public/{lang}/register/ungass2016.1.a/",
                f"/public/{lang}/countries/", f"/public/{lang}/countries/FRA/2025/"} <= paths
    assert not [path for path in paths if "2026" in path or not path.startswith("/public/")]
    # Every URL it lists answers 200 (a sample of each kind, all commitment pages would be slow).
    for path in sorted(paths, key=lambda p: ("/register/" in p, p))[:60]:
        assert client.get(path).status_code == 200, path


def test_unpublished_cycles_leave_no_trace(client, app, portal_demo):
    published, _later = portal_demo
    with write_transaction():
        db.session.get(Cycle, published.id).state = "closed"
    assert "2025" not in text(client.get("/public/en/"))
    assert client.get("/public/en/cycles/2025/").status_code == 404
    assert "2025" not in text(client.get("/sitemap.xml"))
    assert CONSENTED not in text(client.get("/public/en/register/ungass2016.1.a/"))


def test_only_files_built_after_publication_are_public(app, runner, client):
    """A report built while the cycle was a draft is never served publicly, even once published."""
    from datetime import date

    from reporting.models import CycleState
    from reporting.responses.cycles import change_state
    from tests.reports.conftest import S1, make_cycle, make_submission

    cycle = make_cycle("2025", date(2025, 6, 30), state="closed")
    for iso3 in ("FRA", "DEU", "ITA", "ESP", "NGA"):
        make_submission(cycle, iso3, "accepted", {S1: "implemented"})
    build = ["report", "build", "--cycle", "2025", "--lang", "en", "--countries", "FRA", "--workers", "1"]
    assert runner.invoke(args=build).exit_code == 0
    assert client.get("/public/en/cycles/2025/report.pdf").status_code == 404  # not published
    with write_transaction():
        change_state(db.session.get(Cycle, cycle.id), CycleState.PUBLISHED)
    assert client.get("/public/en/cycles/2025/report.pdf").status_code == 404  # the draft's files
    assert client.get("/public/en/cycles/2025/profiles/FRA.pdf").status_code == 404
    assert "has not been produced yet" in text(client.get("/public/en/cycles/2025/"))
    assert runner.invoke(args=build).exit_code == 0
    pdf = client.get("/public/en/cycles/2025/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.headers["ETag"]
    assert "public" in pdf.headers["Cache-Control"]
    assert client.get("/public/en/cycles/2025/report.pdf", headers={"If-None-Match": pdf.headers["ETag"]}).status_code == 304
    assert client.get("/public/en/cycles/2025/profiles/FRA.pdf").status_code == 200
    assert client.get("/public/fr/cycles/2025/report.pdf").status_code == 404  # not built in French


def test_a_stray_query_string_neither_changes_nor_poisons_a_cached_page(client, portal_demo):
    first = client.get("/public/en/countries/?utm=evil")
    assert "utm" not in text(first)
    assert client.get("/public/en/countries/").headers["ETag"] == first.headers["ETag"]
    searched = text(client.get("/public/en/register/?q=prevention&page=1"))
    assert 'href="/public/fr/register/?q=prevention&amp;page=1"' in searched


def test_country_pages_list_profiles_and_the_documents_of_consenting_countries(client, portal_demo):
    countries = text(client.get("/public/en/countries/"))
    assert "/public/en/countries/FRA/" in countries and "/public/en/countries/DEU/" in countries
    assert "/public/en/countries/GBR/" not in countries and "/public/en/countries/MEX/" not in countries
    france = text(client.get("/public/en/countries/FRA/"))
    assert "consented-evidence.png" in france and "The country profile has not been produced yet." in france
    link = re.search(r'href="(/public/en/countries/FRA/2025/documents/\d+)"', france).group(1)
    document = client.get(link)
    assert document.status_code == 200 and document.mimetype == "image/png"
    assert "attachment" in document.headers["Content-Disposition"] and "public" in document.headers["Cache-Control"]
    germany = text(client.get("/public/en/countries/DEU/"))
    assert "Germany did not agree to publish" in germany and "/documents/" not in germany and MARKER not in germany


def questions_table(page: str) -> str:
    """The rows of a profile's policy questions (all its pillars' tables)."""
    return "".join(re.findall(r'<table class="data profile-questions">.*?</table>', page, re.S))


def test_a_country_s_answers_read_as_a_web_page_its_words_whole_and_only_with_consent(client, portal_demo):
    """The profile's content as HTML: statuses for every accepted country, the measures text whole (the PDF
    profile cuts it at about 150 characters) where the country consented, nothing of what is not public."""
    from sqlalchemy import select

    from reporting.models import Answer, Country, Submission
    from tests.reports.conftest import MEASURES

    published, _later = portal_demo
    whole = f"{CONSENTED} national prevention in schools. " + "Programmes reach every district and are evaluated each year. " * 4 + "Lastsentence."
    with write_transaction():
        answer = db.session.scalar(select(Answer).join(Submission).join(Country).where(
            Submission.cycle_id == published.id, Country.iso3 == "FRA", Answer.key == MEASURES))
        answer.value = whole
    france = text(client.get("/public/en/countries/FRA/"))
    assert 'href="/public/en/countries/FRA/2025/"' in france
    page = client.get("/public/en/countries/FRA/2025/")
    assert page.status_code == 200 and "public" in page.headers["Cache-Control"]
    body = text(page)
    assert "<h1 class=\"doc-title\">France</h1>" in body
    assert re.findall(r"<tr>\s*<th scope=\"row\">[^<]+</th>\s*<td>([^<]+)</td>", questions_table(body)) == [
        "Implemented", "In progress", "Implemented"]  # its statuses, question by question
    assert whole in body and "Measures taken (excerpt)" not in body and "did not agree" not in body
    assert 'href="/public/en/countries/FRA/"' in body  # back to the country
    germany = text(client.get("/public/en/countries/DEU/2025/"))
    assert re.findall(r"<tr>\s*<th scope=\"row\">[^<]+</th>\s*<td>([^<]+)</td>", questions_table(germany))[0] == "Planned"
    assert MARKER not in germany
    assert "Germany did not agree to publish its descriptions of measures: this profile gives its statuses and figures only." in germany
    arabic = text(client.get("/public/ar/countries/FRA/2025/"))
    assert '<html lang="ar" dir="rtl">' in arabic and "فرنسا" in arabic
    assert f'<td class="free-text" dir="ltr">{whole}</td>' in arabic  # the country's English words stay left-to-right
    # Submitted but not accepted, an unpublished cycle, an unknown cycle or country: not found.
    for path in ("/public/en/countries/GBR/2025/", "/public/en/countries/FRA/2026/",
                 "/public/en/countries/FRA/1999/", "/public/en/countries/XXX/2025/"):
        response = client.get(path)
        assert response.status_code == 404 and MARKER not in text(response), path


def test_search_finds_a_commitment_by_the_wording_of_its_question(client, portal_demo):
    """ungass2016.1.a says nothing of "status"; the question that asks it does (this demo's wording)."""
    from reporting.publication.services import commitment
    assert "status" not in commitment("ungass2016.1.a")["text"].lower()
    found = text(client.get("/public/en/register/", query_string={"q": "implementation status", "document": "ungass2016"}))
    assert "/public/en/register/ungass2016.1.a/" in found


def test_portal_pages_share_the_public_rate_limit(app, client, portal_demo):
    from reporting.extensions import limiter

    limiter.reset()
    app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"
    assert [client.get(path).status_code for path in ("/public/en/", "/robots.txt", "/public/en/register/")] == [200] * 3
    refused = client.get("/public/en/countries/")
    assert refused.status_code == 429 and "Too many attempts" in text(refused)
    if "public_api.index" in app.view_functions or "opendata.catalog" in app.view_functions:
        assert client.get("/public/data/catalog.json").status_code == 429  # one limit for pages, files and API
