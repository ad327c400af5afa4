"""Chromium: a focal point invites a contributor by e-mail, the contributor sets a
password through the link, answers their section and marks it ready, the focal
point sees it and submits — in English and in Arabic, with screenshots of each
step kept in test-artifacts/ (people-<step>-<language>.png)."""
import re

import pytest
from sqlalchemy import select

from reporting.models import Country, Submission
from tests.browser.conftest import ARTIFACTS, click_and_wait_for_next_page  # the browser and live_server fixtures come from conftest.py
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
CONTRIBUTOR_PASSWORD = "prevention team passphrase"
LINK = re.compile(r"https://reporting\.example\.org(/password/set/[\w-]+)")


def sign_in(browser, base, email, password):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.delete_all_cookies()
    browser.get(f"{base}/login")
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(password)
    submit(browser, "main form button[type=submit]")
    WebDriverWait(browser, 10).until(lambda driver: "/login" not in driver.current_url)


def submit(browser, selector):
    """Click a button that submits its form and wait for the next page."""
    from selenium.webdriver.common.by import By

    click_and_wait_for_next_page(browser, browser.find_element(By.CSS_SELECTOR, selector))


def shot(browser, step, language):
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"people-{step}-{language}.png"))


@pytest.mark.parametrize(("language", "iso3"), [("en", "MEX"), ("ar", "EGY")])
def test_contributor_answers_marks_ready_and_focal_point_submits(
    db, cycle, user_factory, live_server, browser, mailbox, language, iso3,  # noqa: F811
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    focal_email, contributor_email = f"fp@{iso3.lower()}.example.org", f"health@{iso3.lower()}.example.org"
    user_factory("focal_point", iso3, email=focal_email, name="Focal Point", locale=language)
    base = live_server

    # 1. The focal point invites a contributor for the prevention section.
    sign_in(browser, base, focal_email, PASSWORD)
    browser.get(f"{base}/cycles/2025/{iso3}/contributors")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    browser.find_element(By.NAME, "email").send_keys(contributor_email)
    browser.find_element(By.NAME, "name").send_keys("Dr Health" if language == "en" else "د. الصحة")
    Select(browser.find_element(By.NAME, "language")).select_by_value(language)
    browser.find_element(By.ID, "invite-dr-prevention").click()
    shot(browser, "1-invite", language)
    submit(browser, "form[action$='/contributors'] button.primary")
    assert browser.find_elements(By.CSS_SELECTOR, ".contributor")
    shot(browser, "2-invited", language)

    # 2. The contributor follows the e-mailed link and chooses a password.
    [message] = mailbox.to(contributor_email)
    assert message["Content-Language"] == language
    path = LINK.search(message.get_content()).group(1)
    browser.delete_all_cookies()
    browser.get(f"{base}{path}")
    browser.find_element(By.NAME, "password").send_keys(CONTRIBUTOR_PASSWORD)
    browser.find_element(By.NAME, "confirm").send_keys(CONTRIBUTOR_PASSWORD)
    shot(browser, "3-set-password", language)
    submit(browser, "main form button.primary")
    assert "/login" in browser.current_url

    # 3. The contributor answers their section and marks it ready; other sections are closed to them.
    sign_in(browser, base, contributor_email, CONTRIBUTOR_PASSWORD)
    browser.get(f"{base}/cycles/2025/{iso3}/dr-prevention")
    browser.find_element(By.ID, "t.1.status-implemented").click()
    browser.find_element(By.NAME, "t.1.measures").send_keys("National prevention programme 2025")
    browser.find_element(By.ID, "t.2.status-in_progress").click()
    submit(browser, ".actions button.primary")
    assert browser.find_element(By.CSS_SELECTOR, ".flash-success")
    shot(browser, "4-contributor-section", language)
    browser.get(f"{base}/cycles/2025/{iso3}/")
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action$='/submit']")  # only the focal point submits
    submit(browser, "form[action$='/dr-prevention/ready'] button")
    assert browser.find_element(By.CSS_SELECTOR, "#ready-dr-prevention .ready")
    shot(browser, "5-contributor-ready", language)
    browser.get(f"{base}/cycles/2025/{iso3}/sr-precursors")
    assert "403" in browser.find_element(By.TAG_NAME, "h1").text

    # 4. The focal point sees the section ready (and who did it), completes the rest and submits.
    sign_in(browser, base, focal_email, PASSWORD)
    browser.get(f"{base}/cycles/2025/{iso3}/")
    ready = browser.find_element(By.CSS_SELECTOR, "#ready-dr-prevention")
    assert ready.find_element(By.CSS_SELECTOR, ".ready") and ("Dr Health" in ready.text or "د. الصحة" in ready.text)
    shot(browser, "6-focal-point-sees-ready", language)
    sections = ["sr-precursors"] + (["sofia-cooperation"] if iso3 == "MEX" else [])
    for section, answer in zip(sections, ("t.3.status-planned", "s.1.status-implemented")):
        browser.get(f"{base}/cycles/2025/{iso3}/{section}")
        browser.find_element(By.ID, answer).click()
        submit(browser, ".actions button.primary")
        assert browser.find_element(By.CSS_SELECTOR, ".flash-success")
    browser.get(f"{base}/cycles/2025/{iso3}/history")
    assert "Dr Health" in browser.page_source or "د. الصحة" in browser.page_source
    shot(browser, "7-history", language)
    browser.get(f"{base}/cycles/2025/{iso3}/")
    submit(browser, "form[action$='/submit'] button.primary")
    assert browser.find_element(By.CSS_SELECTOR, ".flash-success")
    shot(browser, "8-submitted", language)

    db.session.rollback()
    state = db.session.scalar(select(Submission.state).join(Country).where(Country.iso3 == iso3, Submission.cycle_id == cycle.id))
    assert state == "submitted"
