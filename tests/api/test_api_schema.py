"""Schemathesis against the API's own OpenAPI document, in process: no 5xx, every response fits the schema.

Bounded (a few examples per operation) so it runs in well under a minute; management endpoints are
called with a superuser's token so they are exercised too.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import make_article, make_source
from vistka.api.auth import issue_token
from vistka.core.models import LicenceMode


@pytest.fixture
def api_schema(db, settings):
    settings.API_RATE = "100000/m"  # the fuzzer is not a client to throttle here
    full = make_source(name="Open Outlet", language="en", homepage="https://open.example.org/")
    full.licence_mode = LicenceMode.FULL
    full.save()
    make_article(full, 1)
    make_article(make_source(), 2)
    return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def token(db):
    admin = User.objects.create_superuser("root-api", "root@example.org", "x")
    return issue_token(admin, "schemathesis")


def test_api_conforms_to_its_openapi_document(api_schema, token):
    # Operations walked by hand: schemathesis' pytest plugin does not load under this pytest version.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/articles", "/api/search", "/api/stories", "/api/sources",
                                               "/api/articles/{article_id}/status"}
    for operation in operations:
        # schemathesis' in-process WSGI transport does not undo GZipMiddleware, so ask for plain bodies.
        _fuzz(operation, {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"})


def _fuzz(operation, headers: dict) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    run()
