"""A Python client generated from the live /api/schema/ by openapi-python-client imports and works.

The client is what an API user would make in one command; it is generated into a temporary directory,
every module of it is imported, and it calls the server over HTTP with a knox token.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sync.api.tokens import token_create
from sync.models import DeadLetter, SyncRun

PACKAGE = "tds_generated_client"


@pytest.fixture
def generated(live_server, tmp_path, monkeypatch):
    spec = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    assert spec.status_code == 200
    (tmp_path / "schema.json").write_text(spec.text)
    # No post hooks: the generator would run ruff from PATH over the code, which is not what is tested.
    (tmp_path / "config.json").write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    tool = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run([str(tool), "generate", "--path", "schema.json", "--config", "config.json",
                           "--meta", "none", "--output-path", str(tmp_path / "out" / PACKAGE)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    monkeypatch.syspath_prepend(str(tmp_path / "out"))
    package = importlib.import_module(PACKAGE)
    # Every module imports (a body declared under three content types once made them fail with NameError).
    for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}."):
        importlib.import_module(module.name)
    yield package
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_generated_client_imports_and_calls_the_api_with_a_token(generated, live_server, django_user_model,
                                                                 monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "allow_request", lambda self, request, view: True)
    user = django_user_model.objects.create_user("client", "c@example.com", "pw", is_staff=True)
    key = token_create(user=user)[1]
    api = importlib.import_module(f"{PACKAGE}.api")
    models = importlib.import_module(f"{PACKAGE}.models")
    client = importlib.import_module(PACKAGE).AuthenticatedClient(base_url=live_server.url, token=key, prefix="Token")

    status = importlib.import_module(f"{api.__name__}.tds.tds_status_retrieve").sync_detailed(client=client)
    assert status.status_code == 200, status.content
    assert isinstance(status.parsed, models.Status)

    sync = importlib.import_module(f"{api.__name__}.tds.tds_sync_create")
    body = models.SyncRequestRequest(entity_type=models.EntityTypeEnum("products"), full=True)
    queued = sync.sync_detailed(client=client, body=body)
    assert queued.status_code == 202, queued.content  # sent as JSON: a multipart post would not carry the body
    assert isinstance(queued.parsed, models.Job)
    run = SyncRun.objects.get(pk=queued.parsed.sync_run_id)
    assert (run.entity, run.run_type) == ("items", "full")

    listed = importlib.import_module(f"{api.__name__}.tds.tds_sync_runs_list").sync_detailed(
        client=client, entity_type=models.TdsSyncRunsListEntityType("items"), page_size=5)
    assert listed.status_code == 200, listed.content
    assert [row.id for row in listed.parsed.results] == [queued.parsed.sync_run_id]

    letter = DeadLetter.objects.create(entity="items", zoho_id="1", error_class="permanent",
                                       error_message="bad", payload={})
    retry = importlib.import_module(f"{api.__name__}.tds.tds_deadletter_retry_create")
    outcome = retry.sync_detailed(client=client, body=models.DeadLetterIdsRequest(ids=[letter.pk, 999_999]))
    assert outcome.status_code == 200, outcome.content
    assert (outcome.parsed.requeued, outcome.parsed.not_found) == (1, [999_999])

    dashboard = importlib.import_module(f"{api.__name__}.bff.bff_tds_dashboard_retrieve").sync_detailed(client=client)
    assert dashboard.status_code == 200, dashboard.content
    assert isinstance(dashboard.parsed, models.Dashboard)
