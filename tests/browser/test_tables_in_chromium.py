"""A real headless Chromium fills an indicator table with the keyboard only, in English and in Arabic."""
import pytest

from tests.browser.conftest import ARTIFACTS  # the browser and live_server fixtures come from conftest.py
from tests.responses.test_tables import stored, table_cycle  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_table_is_filled_with_the_keyboard_and_mirrored_in_arabic(db, table_cycle, user_factory, live_server,  # noqa: F811
                                                                      browser, language):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    user = user_factory("focal_point", "FRA", email="fp@fra.example.org")
    user.locale = language
    db.session.commit()
    browser.get(f"{live_server}/login")
    browser.find_element(By.NAME, "email").send_keys("fp@fra.example.org")
    browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit].primary").click()
    WebDriverWait(browser, 10).until(lambda driver: "/login" not in driver.current_url)

    browser.get(f"{live_server}/cycles/2025/FRA/sr-trafficking")
    first = browser.find_element(By.ID, "ind.drug_seizures:heroin:kg")
    first.click()
    # Tab walks the grid row by row: heroin kg, heroin cases, cocaine kg, cocaine cases.
    first.send_keys("1250.5", Keys.TAB, "--", Keys.TAB, "0", Keys.TAB, "12")
    active = browser.switch_to.active_element
    assert active.get_attribute("name") == "ind.drug_seizures:cocaine_hcl:cases"
    header = browser.find_element(By.ID, "ind.drug_seizures:row:heroin")
    if language == "ar":
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
        assert header.location["x"] > first.location["x"]  # the row heading sits at the right
    else:
        assert header.location["x"] < first.location["x"]
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"indicator-table-{language}.png"))
    browser.find_element(By.CSS_SELECTOR, ".actions button.primary").click()
    WebDriverWait(browser, 10).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".flash-success"))
    assert stored("ind.drug_seizures") == {"rows": {"heroin": {"kg": 1250.5, "cases": "no_data"},
                                                    "cocaine_hcl": {"kg": 0, "cases": 12}}}
