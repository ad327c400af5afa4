"""The public portal in a real headless Chromium, signed out: the register browser and a commitment
page in English and Arabic (screenshots kept in test-artifacts/), without JavaScript too, and
checked with axe-core (WCAG 2.1 A and AA)."""
import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.publication.conftest import portal_demo  # noqa: F401  (the published demo)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "ar"])
def test_register_browser_and_commitment_page(portal_demo, live_server, browser, language):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.delete_all_cookies()
    browser.get(f"{live_server}/public/{language}/register/")
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    # Filter by document and chapter, search by a word: a plain GET form, no script needed.
    Select(browser.find_element(By.ID, "document")).select_by_value("ungass2016")
    Select(browser.find_element(By.ID, "chapter")).select_by_value("1")
    browser.find_element(By.ID, "q").send_keys("prevention")
    browser.find_element(By.CSS_SELECTOR, ".register-filters button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: "document=ungass2016" in driver.current_url)
    items = browser.find_elements(By.CSS_SELECTOR, "ol.commitments > li")
    assert items and all("ungass2016" in item.find_element(By.TAG_NAME, "a").get_attribute("href") for item in items)
    # The English text keeps its own direction inside an Arabic page.
    assert items[0].find_element(By.CSS_SELECTOR, ".commitment-text").get_attribute("dir") == "ltr"
    assert axe_violations(browser) == []
    screenshot(browser, f"portal-register-{language}")

    browser.get(f"{live_server}/public/{language}/register/ungass2016.1.a/")
    official = browser.find_element(By.CSS_SELECTOR, "a[rel=external]")
    assert official.get_attribute("href") == f"https://undocs.org/{language}/A/RES/S-30/1"
    assert browser.find_element(By.CSS_SELECTOR, "table.statuses tbody tr")
    assert axe_violations(browser) == []
    screenshot(browser, f"portal-commitment-{language}")

    # The language switcher is a link to the same page in the other language.
    other = "ar" if language == "en" else "en"
    browser.find_element(By.CSS_SELECTOR, f'.language-switcher a[hreflang="{other}"]').click()
    WebDriverWait(browser, 10).until(lambda driver: f"/public/{other}/register/ungass2016.1.a/" in driver.current_url)


def test_portal_pages_pass_axe(portal_demo, live_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    for path in ("/public/en/", "/public/ar/cycles/2025/", "/public/en/countries/", "/public/ar/countries/FRA/",
                 "/public/en/cycles/1999/"):
        browser.get(f"{live_server}{path}")
        assert browser.find_element(By.TAG_NAME, "h1")
        assert axe_violations(browser) == [], path
    screenshot(browser, "portal-404-en")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_country_s_answers_page(portal_demo, live_server, browser, language):  # noqa: F811
    """The profile's content as a web page: within the page's width, nothing spilling out of a cell,
    mirrored in Arabic with the country's English words left-to-right, and accessible."""
    from selenium.webdriver.common.by import By

    from tests.browser.test_web_report_in_chromium import SPILLS

    browser.delete_all_cookies()
    browser.get(f"{live_server}/public/{language}/countries/FRA/")
    browser.find_element(By.CSS_SELECTOR, f'a[href="/public/{language}/countries/FRA/2025/"]').click()
    assert browser.find_element(By.CSS_SELECTOR, "h1.doc-title").text == ("فرنسا" if language == "ar" else "France")
    assert browser.execute_script(SPILLS) == []
    main = browser.find_element(By.TAG_NAME, "main")
    questions = browser.find_element(By.CSS_SELECTOR, "table.profile-questions")
    assert questions.size["width"] <= main.size["width"]
    words = questions.find_element(By.CSS_SELECTOR, "td.free-text")
    assert words.get_attribute("dir") == "ltr" and words.text.startswith("Consentedtext42")
    assert axe_violations(browser) == []
    screenshot(browser, f"portal-country-answers-{language}")
