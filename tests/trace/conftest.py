"""The sync tests' sandbox (120 items, small counts, real HTTP) and client, for the record trace."""
from tests.sync.conftest import sandbox_maker, sb, zclient  # noqa: F401 - fixtures re-exported
