"""Every creating POST takes ``Idempotency-Key`` (contract, conventions): a route that answers
201 and does not declare the header would let a retry create twice. The behaviour behind the
header is tested with each service (test_idempotency.py files, inspections, intake)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import ModuleType

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from complaints import api as complaints_api
from credit import api as credit_api
from gateway import main as gateway_main
from wages import api as wages_api

# The 12345 ticket number and the 110 transfer number are these routes' idempotency keys
# (contract: "The hotline ticket number is its own idempotency key").
OWN_KEY = {"/api/v1/hotline/12345/tickets", "/api/v1/hotline/110/transfers"}


def _headers(dependant: Dependant) -> Iterator[str]:
    for field in dependant.header_params:
        yield field.alias
    for sub in dependant.dependencies:
        yield from _headers(sub)


def _creating_posts(routes: Iterable[object]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute) and "POST" in (route.methods or ()) and route.status_code == 201:
            yield route


def _service_routes(api: ModuleType) -> list[object]:
    return [route for router in api.routers for route in router.routes]


def test_every_creating_post_takes_an_idempotency_key() -> None:
    gateway_routes = [route for router in gateway_main.ROUTERS for route in router.routes]
    routes = [
        *_service_routes(complaints_api),
        *_service_routes(wages_api),
        *_service_routes(credit_api),
        *gateway_routes,
    ]
    creating = [route for route in _creating_posts(routes) if route.path not in OWN_KEY]
    missing = [route.path for route in creating if "Idempotency-Key" not in set(_headers(route.dependant))]
    assert missing == []
    # The check sees the routes it should: at least the ones of this list.
    paths = {route.path for route in creating}
    assert {
        "/api/v1/complaints",
        "/api/v1/wages/payrolls",
        "/api/v1/wages/employers",
        "/api/v1/credit/subjects",
        "/api/v1/credit/disclosures/batches",
        "/api/v1/inspections/{inspection_id}/findings/{finding_id}/case",
    } <= paths
    assert {route.path for route in _creating_posts(gateway_routes)} >= OWN_KEY
