"""A live app server and a headless Chromium for the browser tests, with the helpers they share:
signing in (in a chosen language), screenshots into test-artifacts/, and axe-core checks."""
from pathlib import Path
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
# axe-core 4.14.1, the minified file of the npm package `axe-core` (MPL-2.0, see vendor/README.md).
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# WCAG 2.1 A and AA rules (and axe's best practices are left out: they are not WCAG criteria).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("chromium and chromium-driver are needed: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"):
        options.add_argument(flag)
    # Leave dialogs open for the test to see, the "leave this page?" one included: over
    # WebDriver BiDi, ChromeDriver otherwise accepts it unseen (and classic mode always does).
    options.enable_bidi = True
    options.set_capability("unhandledPromptBehavior", {"default": "ignore", "beforeUnload": "ignore"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def left_the_document(error: Exception) -> bool:
    """Whether Chromium says an element is gone with the page being replaced: it reports it either as
    stale or, mid-swap, with "Node with given id does not belong to the document"."""
    from selenium.common.exceptions import StaleElementReferenceException

    return isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(error)


def click_and_wait_for_next_page(browser, element) -> None:
    """Click an element that leads to a new page, and wait until the old page is gone: until reading
    the element fails (see ``left_the_document`` for how Chromium says so)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    element.click()

    def gone(_driver) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(browser, 10).until(gone)


def sign_in(browser, live_server, email, language=None):
    """Sign in from a fresh session, after switching the interface language on the sign-in page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from reporting.extensions import limiter

    limiter.reset()  # the tests sign in more often than the login rate limit allows a person to
    browser.delete_all_cookies()
    browser.get(f"{live_server}/login")
    if language:
        click_and_wait_for_next_page(
            browser, browser.find_element(By.CSS_SELECTOR, f'.language-switcher button[value="{language}"]'))
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: "/login" not in driver.current_url)


def screenshot(browser, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    browser.save_screenshot(str(path))
    return path


def axe_violations(browser, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core on the page as it is now; one line per violation of the given impacts."""
    if not browser.execute_script("return typeof window.axe === 'object'"):
        browser.execute_script(AXE_SOURCE)
    violations = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        # axe-core takes Arabic's joined letters for icon-font ligatures: after three text nodes
        # it treats the page's whole font as an icon font and skips all its text in the
        # colour-contrast rule. The app uses no icon font, so every font is declared a text font.
        "axe._cache.set('fonts', new Proxy({}, {get: function () { return {occurrences: 1e9, numLigatures: 0}; }}));"
        "axe.run(document, arguments[0]).then(function (r) { done(r.violations); }, function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]); });",
        AXE_OPTIONS,
    )
    return [
        f"{browser.current_url}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"]) for node in v["nodes"][:5])
        for v in violations if v["impact"] in impacts
    ]
