"""Fixtures the browser tests share: headless Chromium, and the sync tests' sandbox and client."""
from tests.e2e.test_dashboard_browser import browser_page  # noqa: F401 - fixture re-exported
from tests.sync.conftest import sandbox_maker, sb, zclient  # noqa: F401 - fixtures re-exported
