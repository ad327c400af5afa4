"""Filling in and reviewing in a real headless Chromium: no silent loss of input, the way
through long sections, the submit page, the review with its confirmation steps, the language
switch after a failed submit, screenshots in four scripts, and axe-core over a crawl of every
page as a focal point, a compiler and an admin, in English and Arabic."""
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from reporting.database import write_transaction
from reporting.models import Country, Cycle, Submission
from reporting.responses import submissions as service
from tests.browser.conftest import axe_violations, left_the_document, screenshot, sign_in

pytestmark = pytest.mark.browser


def by():
    from selenium.webdriver.common.by import By

    return By


def wait(browser, condition, seconds=10):
    """Wait for ``condition``; an element read while the next page replaces it is read again
    (any other error is raised at once)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def read_again_if_replaced(driver):
        try:
            return condition(driver)
        except WebDriverException as error:
            if left_the_document(error):
                return False
            raise

    return WebDriverWait(browser, seconds).until(read_again_if_replaced)


def submission_of(db, iso3, label="2025"):
    db.session.rollback()
    return db.session.scalar(
        select(Submission).join(Country).join(Cycle).where(Cycle.label == label, Country.iso3 == iso3)
    )


def answer_all_and_submit(db, iso3, user):
    """Fill in every question of a country's questionnaire and submit it, through the services."""
    submission = submission_of(db, iso3)
    with write_transaction():
        updates = {}
        for section in service.sections_for(submission):
            values = {item["key"]: "implemented" for item in section.status_items}
            values |= {item["key"]: "Programme national 2024" for item in section.items if item["key"].endswith(".measures")}
            updates[section] = values
        service.save_sections(submission, updates, submission.version, user)
    with write_transaction():
        assert service.submit(submission, submission.version, user) == []


def test_unsaved_changes_ask_before_leaving_and_save_and_next_keeps_them(db, cycle, user_factory, live_server, browser):
    By = by()
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    sign_in(browser, live_server, "fp@fra.example.org")
    section_url = f"{live_server}/cycles/2025/FRA/dr-prevention"
    browser.get(section_url)
    browser.find_element(By.ID, "t.1.status-planned").click()

    # Following a link with an unsaved change: the browser asks; staying keeps the input.
    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    from selenium.webdriver.support import expected_conditions

    wait(browser, expected_conditions.alert_is_present(), 5).dismiss()
    assert browser.current_url == section_url
    assert browser.find_element(By.ID, "t.1.status-planned").is_selected()
    assert submission_of(db, "FRA").answers == []

    # "Save and next section" saves and moves on, without asking.
    browser.find_element(By.NAME, "t.1.measures").send_keys("Stratégie nationale 2025")
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=next]').click()
    wait(browser, lambda driver: driver.current_url.endswith("/cycles/2025/FRA/sr-precursors"))
    assert "Saved 2 change(s)" in browser.find_element(By.CSS_SELECTOR, ".flash-success").text
    assert {a.key: a.value for a in submission_of(db, "FRA").answers} == {"t.1.status": "planned", "t.1.measures": "Stratégie nationale 2025"}

    # A page without changes lets you go without asking.
    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    wait(browser, lambda driver: driver.current_url.endswith("/sofia-cooperation"))


def test_next_unanswered_and_the_section_jump_list(db, cycle, user_factory, live_server, browser):
    By = by()
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    sign_in(browser, live_server, "fp@fra.example.org")
    browser.get(f"{live_server}/cycles/2025/FRA/dr-prevention")
    browser.find_element(By.ID, "t.1.status-implemented").click()
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=save]').click()
    wait(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, ".flash-success"))

    browser.find_element(By.ID, "next-unanswered").click()
    wait(browser, lambda driver: driver.current_url.endswith("#item-t.2.status"))
    target = browser.execute_script("return document.querySelector(':target').id")
    assert target == "item-t.2.status"
    top = browser.execute_script("return document.getElementById('item-t.2.status').getBoundingClientRect().top")
    assert 0 <= top < 1400  # scrolled into view

    # The jump list opens (a <details>, no script needed) and leads to any section.
    browser.find_element(By.CSS_SELECTOR, ".jump-list summary").click()
    browser.find_element(By.CSS_SELECTOR, '.jump-list a[href$="/sofia-cooperation"]').click()
    wait(browser, lambda driver: driver.current_url.endswith("/sofia-cooperation"))


def test_submit_problem_list_names_questions_and_links_to_them(db, cycle, user_factory, live_server, browser):
    By = by()
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    sign_in(browser, live_server, "fp@fra.example.org")
    browser.get(f"{live_server}/cycles/2025/FRA/")
    browser.find_element(By.XPATH, "//button[contains(., 'Submit to UNODC')]").click()
    wait(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, ".flash-error"))
    problems = browser.find_element(By.CSS_SELECTOR, "section.problems").text
    assert "Before you can submit: 4 questions to answer or confirm" in problems
    for name in ("Prevention (2)", "Prevention programmes", "Treatment services", "Precursors (1)", "Precursor controls", "EU–CELAC cooperation (1)"):
        assert name in problems, name
    assert axe_violations(browser) == []
    browser.find_element(By.LINK_TEXT, "Precursor controls").click()
    wait(browser, lambda driver: driver.current_url.endswith("/cycles/2025/FRA/sr-precursors#item-t.3.status"))


def test_language_switch_after_a_failed_submit_is_not_a_404(db, cycle, user_factory, live_server, browser):
    By = by()
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    sign_in(browser, live_server, "fp@fra.example.org")
    browser.get(f"{live_server}/cycles/2025/FRA/submit")
    browser.find_element(By.XPATH, "//button[contains(., 'Submit to UNODC')]").click()
    wait(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, ".flash-error"))
    browser.find_element(By.CSS_SELECTOR, '.language-switcher button[value="fr"]').click()
    wait(browser, lambda driver: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr")
    assert browser.current_url.endswith("/cycles/2025/FRA/submit")
    assert "404" not in browser.title and browser.find_elements(By.CSS_SELECTOR, "section.problems")


def test_review_return_and_accept_each_ask_for_confirmation(db, cycle, user_factory, live_server, browser):
    By = by()
    focal = user_factory("focal_point", "FRA", email="fp@fra.example.org")
    user_factory("compiler", None, email="compiler@unodc.example.org")
    answer_all_and_submit(db, "FRA", focal)
    sign_in(browser, live_server, "compiler@unodc.example.org")
    browser.get(f"{live_server}/cycles/2025/FRA/")
    browser.find_element(By.LINK_TEXT, "Review this submission").click()
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Programme national 2024" in page and "Implemented" in page
    assert not browser.find_elements(By.CSS_SELECTOR, "main input[type=radio]")

    # Keyboard only: open the comment of one question and type it, then "Return…".
    row = browser.find_element(By.ID, "review-item-t.3.status")
    summary = row.find_element(By.TAG_NAME, "summary")
    browser.execute_script("arguments[0].focus()", summary)
    from selenium.webdriver.common.keys import Keys

    summary.send_keys(Keys.ENTER)
    textarea = row.find_element(By.TAG_NAME, "textarea")
    assert textarea.is_displayed()
    textarea.send_keys("Name the precursors under control, please.")
    assert axe_violations(browser) == []
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=return]').click()

    # The confirmation page shows the comment before anything is sent.
    wait(browser, lambda driver: "for correction?" in driver.find_element(By.TAG_NAME, "h1").text)
    assert "Name the precursors under control, please." in browser.find_element(By.TAG_NAME, "main").text
    assert submission_of(db, "FRA").state == "submitted"
    assert axe_violations(browser) == []
    browser.find_element(By.XPATH, "//button[contains(., 'Yes, return to the country')]").click()
    wait(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, ".flash-success"))
    returned = submission_of(db, "FRA")
    assert returned.state == "returned"
    assert [(c.item_key, c.text) for c in returned.comments] == [("t.3.status", "Name the precursors under control, please.")]

    # Resubmitted, then accepted — again through a confirmation page.
    with write_transaction():
        assert service.submit(returned, returned.version, focal) == []
    browser.get(f"{live_server}/cycles/2025/FRA/review")
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=accept]').click()
    wait(browser, lambda driver: "Accept the questionnaire of France?" in driver.find_element(By.TAG_NAME, "h1").text)
    assert submission_of(db, "FRA").state == "submitted"
    browser.find_element(By.XPATH, "//button[contains(., 'No, back to the review')]").click()
    wait(browser, lambda driver: driver.find_elements(By.ID, "decision-title"))
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=accept]').click()
    browser.find_element(By.XPATH, "//button[contains(., 'Yes, accept')]").click()
    wait(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, ".flash-success"))
    assert submission_of(db, "FRA").state == "accepted"


@pytest.mark.parametrize(("language", "iso3"), [("en", "FRA"), ("ar", "EGY"), ("zh", "CHN"), ("ru", "RUS")])
def test_screenshots_of_section_submit_and_review_pages(db, cycle, user_factory, live_server, browser, language, iso3):
    """Kept in test-artifacts/ for people to look at; the checks here are the page's direction and language."""
    By = by()
    user_factory("focal_point", iso3, email="fp@example.org")
    other = "MEX" if iso3 != "MEX" else "FRA"
    focal_other = user_factory("focal_point", other, email="fp2@example.org")
    user_factory("compiler", None, email="compiler@example.org")
    answer_all_and_submit(db, other, focal_other)

    sign_in(browser, live_server, "fp@example.org", language)
    browser.get(f"{live_server}/cycles/2025/{iso3}/dr-prevention")
    browser.find_element(By.ID, "t.1.status-implemented").click()
    browser.find_element(By.NAME, "t.2.indicator.2").send_keys("140")
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=save]').click()  # a refused save: errors beside the fields
    wait(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, ".field-error"))
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    screenshot(browser, f"section-{language}")
    browser.get(f"{live_server}/cycles/2025/{iso3}/submit")
    screenshot(browser, f"submit-{language}")

    sign_in(browser, live_server, "compiler@example.org", language)
    browser.get(f"{live_server}/cycles/2025/{other}/review")
    browser.find_element(By.CSS_SELECTOR, "#review-item-t\\.1\\.status summary").click()
    screenshot(browser, f"review-{language}")
    browser.execute_script("document.getElementById('decision-title').scrollIntoView()")
    screenshot(browser, f"review-decision-{language}")


# --- axe-core over a crawl of the whole site ----------------------------------------------

SKIPPED = (".csv", ".xlsx", ".pdf", ".json")


def crawl(browser, live_server, app, seeds, per_endpoint=1, limit=40):
    """Visit the site's pages reachable by links from ``seeds`` (at most ``per_endpoint`` pages
    of each route: one section page stands for all, as they share a template) and yield each
    path once loaded."""
    from werkzeug.exceptions import HTTPException

    adapter = app.url_map.bind("localhost")
    seen, count, queue = set(), {}, list(seeds)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        try:
            endpoint, _args = adapter.match(path)
        except HTTPException:
            continue
        if endpoint in ("static", "api.openapi") or endpoint.startswith("api.") or count.get(endpoint, 0) >= per_endpoint:
            continue
        seen.add(path)
        count[endpoint] = count.get(endpoint, 0) + 1
        browser.get(live_server + path)
        yield path
        for href in browser.execute_script("return Array.from(document.querySelectorAll('a[href]'), a => a.href)"):
            parts = urlsplit(href)
            if parts.netloc == urlsplit(live_server).netloc and not parts.path.endswith(SKIPPED) and parts.path not in seen:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def test_no_serious_or_critical_accessibility_violations_on_any_page(app, db, cycle, user_factory, live_server, browser):
    """axe-core (WCAG 2.1 A/AA rules) on every page a focal point, a compiler and an admin reach,
    in English and in Arabic (right to left): no serious or critical violation."""
    focal = user_factory("focal_point", "FRA", email="fp@fra.example.org")
    user_factory("focal_point", "MEX", email="fp@mex.example.org")
    user_factory("compiler", None, email="compiler@unodc.example.org")
    user_factory("admin", None, email="admin@unodc.example.org")
    answer_all_and_submit(db, "FRA", focal)  # so that the compiler's review page has its forms
    started = time.monotonic()
    found, visited = [], []
    staff_seeds = ["/cycles/", "/cycles/2025/FRA/review", "/cycles/2025/FRA/"]
    for email, seeds in (("fp@mex.example.org", ["/cycles/"]), ("compiler@unodc.example.org", staff_seeds), ("admin@unodc.example.org", staff_seeds)):
        for language in ("en", "ar"):
            sign_in(browser, live_server, email, language)
            for path in crawl(browser, live_server, app, seeds):
                visited.append((email, language, path))
                found += axe_violations(browser)
    elapsed = time.monotonic() - started
    print(f"axe-core: {len(visited)} page checks in {elapsed:.0f} s, {len(found)} serious or critical violations")
    assert len(visited) >= 50, visited
    assert {path for _email, _language, path in visited} >= {
        "/cycles/", "/cycles/2025/", "/cycles/2025/MEX/", "/cycles/2025/MEX/dr-prevention", "/cycles/2025/FRA/dr-prevention", "/cycles/2025/MEX/submit",
        "/cycles/2025/FRA/review", "/cycles/2025/FRA/", "/cycles/2025/MEX/history", "/reports/", "/reports/2025/", "/countries/",
    }
    assert found == [], "\n".join(found)
    assert elapsed < 120
    # The check itself can fail: an unlabelled field and pale grey text on white are caught.
    browser.get(f"{live_server}/cycles/")
    browser.execute_script(  # styled from script: the CSP refuses inline style attributes
        "var main = document.querySelector('main'), p = document.createElement('p');"
        "main.insertAdjacentHTML('beforeend', '<input type=text>'); p.textContent = 'pale text';"
        "p.style.color = '#ccc'; main.prepend(p);"
    )
    caught = "\n".join(axe_violations(browser))
    assert "label (critical)" in caught and "color-contrast (serious)" in caught, caught


@pytest.mark.parametrize("language", ["fr", "es"])
def test_header_menu_items_stay_on_one_line_in_french_and_spanish(db, cycle, user_factory, live_server, browser, language):
    """The longest menu (an admin's) in the languages with the longest names: no item wraps
    inside itself, at a laptop's and at a small desktop's width."""
    user_factory("admin", None, email="admin@unodc.example.org")
    sign_in(browser, live_server, "admin@unodc.example.org", language)
    for width in (1280, 1024):
        browser.set_window_size(width, 900)
        browser.get(f"{live_server}/cycles/")
        heights = browser.execute_script(
            "return Array.from(document.querySelectorAll('.main-nav a'), a => {"
            " var range = document.createRange(); range.selectNodeContents(a);"
            " return new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size; })")
        tops = browser.execute_script("return new Set(Array.from(document.querySelectorAll('.main-nav a'), a => a.offsetTop)).size")
        assert heights and set(heights) == {1}, (width, heights)  # each item's text on one line
        assert tops == 1, width  # and all items on the same line
