"""The web report in a real headless Chromium, in English, Arabic and Chinese: the indicator chapter
laid out without a figure spilling out of its cell (a long row name once ran into the next column),
mirrored in Arabic, within the page's width; screenshots kept in test-artifacts/."""
import pytest

from tests.browser.conftest import screenshot, sign_in  # the browser and live_server fixtures come from conftest.py
from tests.reports.test_indicators import two_cycles

pytestmark = pytest.mark.browser

# Every cell of the report's tables whose content is wider than the cell (a spill), as "table-id: text".
SPILLS = """
return Array.from(document.querySelectorAll('.web-report table.data th, .web-report table.data td'))
  .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
  .map(cell => (cell.closest('table').id || '?') + ': ' + cell.textContent.trim().slice(0, 40));
"""


@pytest.mark.parametrize("language", ["en", "ar", "zh"])
def test_the_indicator_chapter_in_chromium(db, user_factory, live_server, browser, language):
    from selenium.webdriver.common.by import By

    two_cycles()
    user = user_factory("compiler", None, email="compiler@unodc.example.org")
    sign_in(browser, live_server, user.email, language)
    browser.get(f"{live_server}/reports/2026/{language}/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert browser.execute_script(SPILLS) == []
    main = browser.find_element(By.TAG_NAME, "main")
    table = browser.find_element(By.ID, "t-ind.drug_seizures")
    assert table.size["width"] <= main.size["width"]
    row_name = table.find_element(By.CSS_SELECTOR, "tbody th")
    figure = table.find_element(By.CSS_SELECTOR, "tbody td.num")
    # The row's name at the reading start: the left in English and Chinese, the right in Arabic.
    assert (row_name.location["x"] > figure.location["x"]) == (language == "ar")
    csv_link = browser.find_element(By.CSS_SELECTOR, "#t-ind\\.drug_seizures + p.table-links a")
    assert csv_link.get_attribute("href").endswith("/reports/2026/%s/tables/t-ind.drug_seizures.csv" % language)
    browser.execute_script("document.getElementById('indicators').scrollIntoView()")
    screenshot(browser, f"web-report-indicators-{language}")
