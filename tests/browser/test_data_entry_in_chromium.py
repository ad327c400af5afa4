"""A real headless Chromium signs in, fills a section, saves and submits."""
import pytest
from sqlalchemy import select

from reporting.models import Country, Submission
# The fixtures live in conftest.py; named here too for tests that still import them from this module.
from tests.browser.conftest import ARTIFACTS, browser, click_and_wait_for_next_page, live_server  # noqa: F401

pytestmark = pytest.mark.browser


def test_focal_point_fills_a_section_and_submits(db, cycle, user_factory, live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    user_factory("focal_point", "MEX", email="fp@mex.example.org")
    browser.get(f"{live_server}/login")
    browser.find_element(By.NAME, "email").send_keys("fp@mex.example.org")
    browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit].primary").click()
    WebDriverWait(browser, 10).until(lambda driver: "/login" not in driver.current_url)

    browser.get(f"{live_server}/cycles/2025/MEX/dr-prevention")
    measures = browser.find_element(By.ID, "item-t.1.measures")
    assert not measures.is_displayed()  # shown only once the status asks for it (progressive enhancement)
    browser.find_element(By.ID, "t.1.status-implemented").click()
    assert measures.is_displayed()
    browser.find_element(By.NAME, "t.1.measures").send_keys("Programa nacional de prevención 2024")
    browser.find_element(By.ID, "t.2.status-in_progress").click()
    browser.find_element(By.NAME, "t.2.indicator.1").send_keys("15000")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "data-entry-section.png"))
    browser.find_element(By.CSS_SELECTOR, ".actions button.primary").click()
    assert "Saved 4 change(s)" in browser.find_element(By.CSS_SELECTOR, ".flash-success").text

    for section, answer in (("sr-precursors", "t.3.status-planned"), ("sofia-cooperation", "s.1.status-implemented")):
        browser.get(f"{live_server}/cycles/2025/MEX/{section}")
        browser.find_element(By.ID, answer).click()
        browser.find_element(By.CSS_SELECTOR, ".actions button.primary").click()
        assert "Saved 1 change(s)" in browser.find_element(By.CSS_SELECTOR, ".flash-success").text

    browser.get(f"{live_server}/cycles/2025/MEX/")
    browser.find_element(By.XPATH, "//button[contains(., 'Submit to UNODC')]").click()
    assert "has been submitted" in browser.find_element(By.CSS_SELECTOR, ".flash-success").text
    browser.save_screenshot(str(ARTIFACTS / "data-entry-submitted.png"))

    db.session.rollback()
    state = db.session.scalar(select(Submission.state).join(Country).where(Country.iso3 == "MEX", Submission.cycle_id == cycle.id))
    assert state == "submitted"


@pytest.mark.parametrize("language", ["ar", "zh"])
def test_screenshots_in_arabic_and_chinese(db, cycle, user_factory, live_server, browser, language):
    """Data-entry page and dashboard in a right-to-left and a CJK script, kept in test-artifacts/."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    user_factory("focal_point", "EGY" if language == "ar" else "CHN", email="fp@example.org")
    user_factory("compiler", None, email="compiler@example.org")
    iso3 = "EGY" if language == "ar" else "CHN"
    ARTIFACTS.mkdir(exist_ok=True)
    for email, path, name in (
        ("fp@example.org", f"/cycles/2025/{iso3}/dr-prevention", "data-entry"),
        ("compiler@example.org", "/cycles/2025/", "dashboard"),
    ):
        browser.delete_all_cookies()
        browser.get(f"{live_server}/login")
        click_and_wait_for_next_page(
            browser, browser.find_element(By.CSS_SELECTOR, f'.language-switcher button[value="{language}"]'))
        browser.find_element(By.NAME, "email").send_keys(email)
        browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda driver: "/login" not in driver.current_url)
        browser.get(f"{live_server}{path}")
        html = browser.find_element(By.TAG_NAME, "html")
        assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        assert html.get_attribute("lang") == ("ar" if language == "ar" else "zh-CN")
        brand = browser.find_element(By.CSS_SELECTOR, ".brand a").text
        assert brand and not brand.isascii(), brand  # the interface is translated
        browser.save_screenshot(str(ARTIFACTS / f"{name}-{language}.png"))
