"""Nothing private leaks: crawl every public URL and prove the planted marker appears nowhere.

Starts from the portal home, ``robots.txt`` and ``sitemap.xml`` (and the open-data catalogue
when it is installed), follows every same-site link of every HTML page, every URL of every
XML or JSON body, and reads every body as what it is: HTML and text as text, PDFs through
their text (pypdf), XLSX through every cell. The demo (``conftest.portal_demo``) plants the
marker in the own words of accepted countries that did not consent, in every answer of
submissions that are not accepted, in a reviewer's comment, a contributor's name and e-mail,
and in a cycle that is not published; the words of the accepted country that consented must
appear (else the crawl would prove nothing).
"""
from collections import Counter
from html.parser import HTMLParser
import io
import json
import re
from urllib.parse import urljoin, urlsplit

from openpyxl import load_workbook
import pytest

from tests.reports.conftest import pdf_text

from .conftest import CONSENTED, MARKER

BASE = "http://localhost"
URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>]+")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)


def _json_strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, str):
        yield value


def _text_and_links(response) -> tuple[str, list[str]]:
    """What a reader (or a program) gets out of a body, and the URLs in it."""
    media = response.mimetype or ""
    data = response.get_data()
    if media == "application/pdf":
        return pdf_text(data), []
    if "spreadsheetml" in media:
        book = load_workbook(io.BytesIO(data), read_only=True)
        cells = [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                 for cell in row if cell is not None]
        return "\n".join(cells), []
    if not (media.startswith("text/") or media.endswith(("json", "xml"))):
        return data.decode("latin-1"), []  # images and other files: their bytes, where a leak would show
    text = data.decode("utf-8")
    if media == "text/html":
        parser = Links()
        parser.feed(text)
        return text, parser.found
    if media.endswith("json"):
        strings = list(_json_strings(json.loads(text)))
        return text, [s for s in strings if s.startswith(("/", BASE))]
    return text, URL_IN_TEXT.findall(text)  # XML, robots.txt, CSV


def _same_site(base: str, link: str) -> str | None:
    url = urljoin(base, link)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != "localhost":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, starts: list[str]) -> dict[str, tuple[int, str, str]]:
    """Every reachable same-site URL (GET, no sign-in) → (status, media type, readable text)."""
    seen: dict[str, tuple[int, str, str]] = {}
    queue = list(starts)
    while queue:
        path = queue.pop()
        if path in seen or path.startswith("/static/"):
            continue
        response = client.get(path)
        text, links = _text_and_links(response) if response.status_code == 200 else (response.get_data(as_text=True), [])
        seen[path] = (response.status_code, response.mimetype, text)
        if response.status_code in (301, 302, 303, 307, 308):
            links = [response.headers["Location"]]
        # Only the public side is crawled on: a sign-in page is reached but not walked through.
        if path.startswith(("/public/", "/sitemap.xml", "/robots.txt", "/api/v1/public")):
            queue += [target for link in links if (target := _same_site(BASE + path, link)) and target not in seen]
    return seen


def test_no_private_value_anywhere_public(app, runner, portal_demo):
    published, _later = portal_demo
    result = runner.invoke(args=["report", "build", "--cycle", published.label, "--lang", "en,ar",
                                 "--countries", "FRA,DEU,NGA,GBR,MEX", "--workers", "1"])
    assert result.exit_code == 0, result.output
    app.config["PUBLIC_RATE_LIMIT"] = "100000 per minute"  # one client reads thousands of pages here
    client = app.test_client()
    starts = ["/public/", "/public/en/", "/robots.txt", "/sitemap.xml"]
    if "opendata.catalog" in app.view_functions:
        starts.append("/public/data/catalog.json")
    if "public_api.index" in app.view_functions:
        starts.append("/api/v1/public/")
    pages = crawl(client, starts)

    print(f"crawled {len(pages)} URLs:", dict(sorted(Counter(media for _status, media, _text in pages.values()).items())))
    errors = {path: status for path, (status, _media, _text) in pages.items() if status >= 500}
    assert errors == {}
    leaks = sorted(path for path, (_status, _media, text) in pages.items() if MARKER.lower() in text.lower())
    assert leaks == []
    # The crawl reached what it must: the report and profiles as PDFs in both languages built,
    # the register and commitment pages in six languages, and the consenting country's words.
    media = {path: media for path, (status, media, _text) in pages.items() if status == 200}
    pdfs = sorted(path for path, kind in media.items() if kind == "application/pdf")
    assert "/public/en/cycles/2025/report.pdf" in pdfs and "/public/ar/cycles/2025/report.pdf" in pdfs
    assert {p for p in pdfs if "/profiles/" in p} == {f"/public/{lang}/cycles/2025/profiles/{iso3}.pdf"
                                                      for lang in ("en", "ar") for iso3 in ("FRA", "DEU", "NGA")}
    assert all(f"/public/{lang}/register/ungass2016.1.a/" in media for lang in ("ar", "zh", "en", "fr", "ru", "es"))
    assert any(path.endswith(".csv") for path in media)
    if "opendata.catalog" in app.view_functions:  # every file of the open-data catalogue, read as what it is
        assert {kind for path, kind in media.items() if path.startswith("/public/data/2025/")} >= {
            "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    quoted = sorted(path for path, (_status, _media, text) in pages.items() if CONSENTED in text)
    assert "/public/en/cycles/2025/report/" in quoted  # the marked example of the consenting country
    assert "/public/en/cycles/2025/profiles/FRA.pdf" in quoted
    assert "/public/en/countries/FRA/2025/" in quoted and "/public/ar/countries/FRA/2025/" in quoted  # its answers page
    assert "/public/en/cycles/2025/report.pdf" in quoted
    assert [path for path in quoted if "/documents/" in path]  # the consenting country's evidence document
    # Nothing of the unpublished cycle, nor the profile of a submission that is not accepted.
    assert not [path for path in pages if "/2026" in path and pages[path][0] == 200]
    assert client.get("/public/en/cycles/2025/profiles/GBR.pdf").status_code == 404
