"""A focal point in Chromium uploads a filled-in workbook, reads the preview and
applies it, in English and in Arabic; attaches a document. Screenshots of each
step are kept in test-artifacts/."""
import io

import openpyxl
import pytest

from tests.browser.conftest import ARTIFACTS, click_and_wait_for_next_page  # the browser and live_server fixtures come from conftest.py
from tests.conftest import PASSWORD, login
from tests.responses.workbooks import fill, open_workbook_cycle, stored, to_bytes

pytestmark = pytest.mark.browser


def _sign_in(browser, live_server, email, language):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.delete_all_cookies()
    browser.get(f"{live_server}/login")
    click_and_wait_for_next_page(
        browser, browser.find_element(By.CSS_SELECTOR, f'.language-switcher button[value="{language}"]'))
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: "/login" not in driver.current_url)


@pytest.mark.parametrize(("language", "iso3"), [("en", "FRA"), ("ar", "EGY")])
def test_focal_point_uploads_previews_and_applies_a_workbook(app, db, user_factory, live_server, browser, tmp_path, language, iso3):
    from selenium.webdriver.common.by import By

    open_workbook_cycle()
    email = f"fp@{iso3.lower()}.example.org"
    user_factory("focal_point", iso3, email=email)
    # The workbook a person filled in offline (downloaded by the same account).
    client = app.test_client()
    login(client, email)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/cycles/2025/{iso3}/workbook.xlsx").data))
    labels = [workbook["_lists"].cell(row, 1).value for row in range(1, 6)]
    fill(workbook, {"t.1.status": labels[3], "t.1.measures": "National prevention strategy 2024–2028",
                    "t.2.status": labels[2], "t.2.indicator.1": 15000, "t.3.status": labels[1],
                    "t.3.seizures|heroin": [1250.5, 12], "t.3.seizures|fentanyl": ["--", 3]})
    path = tmp_path / f"workbook-{iso3}.xlsx"
    path.write_bytes(to_bytes(workbook))

    ARTIFACTS.mkdir(exist_ok=True)
    _sign_in(browser, live_server, email, language)
    browser.get(f"{live_server}/cycles/2025/{iso3}/")
    panel = browser.find_element(By.ID, "workbook")
    browser.execute_script("arguments[0].scrollIntoView()", panel)
    browser.save_screenshot(str(ARTIFACTS / f"workbook-submission-{language}.png"))
    panel.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    panel.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()

    table = browser.find_element(By.CSS_SELECTOR, "table.changes")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 6
    if language == "ar":  # the interface is in Arabic (the workbook's own wording once the catalogs have it)
        assert not browser.find_element(By.CSS_SELECTOR, ".brand a").text.isascii()
    browser.save_screenshot(str(ARTIFACTS / f"workbook-preview-{language}.png"))
    assert stored(db, iso3) == {}

    browser.find_element(By.CSS_SELECTOR, "form.actions button.primary").click()
    assert browser.find_element(By.CSS_SELECTOR, ".flash-success").text
    browser.save_screenshot(str(ARTIFACTS / f"workbook-applied-{language}.png"))
    answers = stored(db, iso3)
    assert answers["t.1.status"] == "implemented" and answers["t.3.seizures"]["rows"]["fentanyl"] == {"kg": "no_data", "cases": 3}

    # Evidence as a document: attached on the section page, listed beside its question.
    document = tmp_path / "strategy.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    browser.get(f"{live_server}/cycles/2025/{iso3}/sr-precursors")
    browser.find_element(By.ID, "document").send_keys(str(document))
    browser.find_element(By.CSS_SELECTOR, "#documents form button[type=submit]").click()
    listed = browser.find_element(By.CSS_SELECTOR, "ul.documents a")
    assert listed.text == "strategy.pdf"
    browser.execute_script("arguments[0].scrollIntoView()", listed)
    browser.save_screenshot(str(ARTIFACTS / f"document-attached-{language}.png"))
