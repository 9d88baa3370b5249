"""Fixtures for the record trace: the sync tests' sandbox (120 items, small counts, real HTTP) and client,
and the API tests' token clients."""
from tests.api.conftest import staff_api, staff_token, user_api, user_token  # noqa: F401 - fixtures re-exported
from tests.sync.conftest import sandbox_maker, sb, zclient  # noqa: F401 - fixtures re-exported
