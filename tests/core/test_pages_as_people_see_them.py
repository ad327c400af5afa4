"""Every page a focal point and a compiler reach, crawled from the start page over the real
questionnaire (arq-1.0.0, whose keys are register ids such as ``honlea2017.europe.6.a``):

- people read question wording and commitment references, never internal keys, in the
  visible text of any page (the history of changes included);
- every input people type into has a text direction: ``ltr`` for addresses and numbers
  (an Arabic page would show ``https://`` as ``//:https``), ``auto`` for free text.
"""
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
import re
from urllib.parse import urldefrag, urlsplit

import pytest
import yaml

from reporting.database import write_transaction
from reporting.responses.cycles import open_cycle
from tests.conftest import login, make_user, post_section, store_spec

SPEC_FILE = Path(__file__).resolve().parents[2] / "questionnaire_specs" / "arq-1.0.0.yaml"
INTERNAL_KEY = re.compile(r"\b[a-z]+20\d\d[-.]")
MAX_PAGES = 150
FILES = (".pdf", ".csv", ".xlsx", ".json", ".zip")  # downloads, not pages
TYPED_INPUTS = {"text", "url", "email", "number", "search", "password", "tel", "date"}
LTR_INPUTS = {"url", "email", "number", "tel", "date"}


class Page(HTMLParser):
    """The text a person sees (text nodes, titles, labels read out, placeholders) and the
    inputs people type into, with their attributes."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.inputs: list[dict[str, str]] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag in ("input", "textarea") and attributes.get("type", "text") != "hidden":
            self.inputs.append({"tag": tag, **attributes})
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attributes.get(name):
                self.text.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.text.append(attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def family(path: str) -> str:
    """Pages that differ only by a country code are one family: /countries/AFG, /countries/AGO…"""
    return re.sub(r"/[A-Z]{3}(?=[/?]|$)", "/*", path)


def crawl(client, start: str = "/", country: str = "FRA") -> dict[str, Page]:
    """Every HTML page reachable over links from ``start`` (GET only, no sign-out, no files):
    all of ``country``'s, and three of each other family."""
    pages: dict[str, Page] = {}
    families: dict[str, int] = {}
    queue = [start]
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in pages:
            continue
        if f"/{country}" not in path:
            families[family(path)] = families.get(family(path), 0) + 1
            if families[family(path)] > 3:
                continue
        response = client.get(path)
        if response.status_code in (301, 302, 303):
            location = urlsplit(response.headers["Location"])
            queue.append(location.path + (f"?{location.query}" if location.query else ""))
            continue
        assert response.status_code == 200, f"{path}: {response.status_code}"
        if not response.mimetype == "text/html":
            continue
        page = Page()
        page.feed(response.get_data(as_text=True))
        pages[path] = page
        for href in page.links:
            href = urldefrag(href).url
            if (href.startswith("/") and not href.startswith(("/static/", "/logout", "/api/"))
                    and not urlsplit(href).path.endswith(FILES) and href not in pages):
                queue.append(href)
    return pages


@pytest.fixture
def real_questionnaire(app):
    """The real questionnaire in an open cycle, France's answers saved in two sections."""
    with write_transaction():
        spec = store_spec(yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8")))
    with write_transaction():
        open_cycle("2025", spec.version, date(2026, 6, 30))
    return spec


def sign_in(app, role: str, country: str | None):
    client = app.test_client()
    user = make_user(role, country)
    assert login(client, user.email).status_code == 302
    return client


@pytest.mark.parametrize(("role", "country"), [("focal_point", "FRA"), ("compiler", None)])
def test_people_see_wording_and_references_never_keys(app, real_questionnaire, role, country):
    focal_point = sign_in(app, "focal_point", "FRA") if role != "focal_point" else None
    client = sign_in(app, role, country)
    writer = focal_point or client
    answers = {
        "honlea2017.europe.6.a.status": "implemented",
        "honlea2017.europe.6.a.measures": "Joint border controls since 2024",
        "honlea2017.europe.6.a.evidence": "https://example.org/report",
    }
    assert post_section(writer, "sr-europe", answers).status_code == 302
    assert post_section(writer, "dr-prevention", {"pd2009.14.status": "in_progress"}).status_code == 302

    pages = crawl(client)
    history = "/cycles/2025/FRA/history"
    assert history in pages and "/cycles/2025/FRA/sr-europe" in pages, sorted(pages)
    assert len(pages) > 20, sorted(pages)

    for path, page in pages.items():
        text = " ".join(page.text)
        leak = INTERNAL_KEY.search(text)
        assert not leak, f"{path} shows an internal key: …{text[max(0, leak.start() - 60):leak.end() + 40]}…"

    # The history names the question by its wording and its commitment by its reference.
    text = " ".join(pages[history].text)
    assert "Measures taken" in text and "Recommendations of the subsidiary bodies 2017, paragraph 6 (a)" in text
    assert "Political Declaration 2009, paragraph 14" in text and "In progress" in text


@pytest.mark.parametrize(("role", "country"), [("focal_point", "FRA"), ("compiler", None)])
def test_every_input_has_a_text_direction(app, real_questionnaire, role, country):
    client = sign_in(app, role, country)
    pages = crawl(client)
    typed = 0
    for path, page in pages.items():
        for field in page.inputs:
            kind = "textarea" if field["tag"] == "textarea" else field.get("type", "text")
            if kind not in TYPED_INPUTS | {"textarea"}:
                continue
            typed += 1
            numeric = field.get("inputmode") in ("decimal", "numeric")
            expected = {"ltr"} if kind in LTR_INPUTS or numeric else {"auto", "ltr"}
            assert field.get("dir") in expected, f"{path}: {field.get('name') or field.get('id')} ({kind}) dir={field.get('dir')!r}"
    assert typed > 10


def test_an_address_reads_left_to_right_on_an_arabic_page(app, real_questionnaire):
    client = sign_in(app, "focal_point", "FRA")
    evidence = "honlea2017.europe.6.a.evidence"
    answers = {"honlea2017.europe.6.a.status": "planned", evidence: "https://example.org/report"}
    assert post_section(client, "sr-europe", answers).status_code == 302
    page = client.get("/cycles/2025/FRA/sr-europe", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in page
    url_input = re.search(rf'<input[^>]*name="{re.escape(evidence)}"[^>]*>', page).group(0)
    assert 'type="url"' in url_input and 'dir="ltr"' in url_input and 'value="https://example.org/report"' in url_input
    measures = re.search(r'<textarea[^>]*name="honlea2017\.europe\.6\.a\.measures"[^>]*>', page).group(0)
    assert 'dir="auto"' in measures
