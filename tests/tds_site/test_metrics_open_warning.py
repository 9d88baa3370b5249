"""/metrics without TDS_METRICS_TOKEN and DEBUG off answers anyone: `check --deploy` and the web start-up say so."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tds_site.startup import application_or_exit


def _deploy_check() -> str:
    out = io.StringIO()
    try:
        call_command("check", "--deploy", "--tag", "tds_deploy", stdout=out, stderr=out)
    except SystemCheckError as exc:  # another deploy check may be an error on this machine; the text is what counts
        out.write(str(exc))
    return out.getvalue()


def test_check_deploy_warns_that_metrics_are_open(settings):
    settings.DEBUG, settings.TDS_METRICS_TOKEN = False, ""
    text = _deploy_check()
    assert "tds.W003" in text and "/metrics is open to anyone" in text and "TDS_METRICS_TOKEN" in text


@pytest.mark.parametrize("debug,token", [(False, "s3cret"), (True, "")])
def test_no_warning_with_a_token_or_in_debug(settings, debug, token):
    settings.DEBUG, settings.TDS_METRICS_TOKEN = debug, token
    assert "tds.W003" not in _deploy_check()


def test_web_start_up_prints_the_warning_and_still_serves(settings, capsys, monkeypatch):
    settings.DEBUG, settings.TDS_METRICS_TOKEN = False, ""
    monkeypatch.setattr("tds_site.checks.startup_errors", lambda: [])
    app = object()
    assert application_or_exit(lambda: app) is app
    assert capsys.readouterr().err.splitlines() == [
        "TDS configuration warning: /metrics is open to anyone: TDS_METRICS_TOKEN is not set and DEBUG is off"]
    settings.TDS_METRICS_TOKEN = "s3cret"
    application_or_exit(lambda: app)
    assert capsys.readouterr().err == ""
