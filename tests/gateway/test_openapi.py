from __future__ import annotations

import re

import httpx

from gateway.openapi import merge_documents


async def test_one_document_covers_every_service(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    assert "/api/v1/complaints" in paths
    assert "/api/v1/wages/employers" in paths
    assert "/api/v1/credit/subjects/{uscc}" in paths
    assert "/healthz" in paths
    assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    # Every $ref points at a schema that the merged document defines.
    text = response.text

    for ref in re.findall(r'"#/components/schemas/([^"]+)"', text):
        assert ref in document["components"]["schemas"], ref


async def test_docs_page_is_served(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


def test_conflicting_schema_names_are_renamed_not_overwritten() -> None:
    own = {"paths": {}, "components": {"schemas": {"Item": {"type": "string"}}}}
    service = {
        "paths": {"/api/v1/x": {"get": {"$ref": "#/components/schemas/Item"}}, "/healthz": {}},
        "components": {"schemas": {"Item": {"type": "integer"}}},
    }
    merged = merge_documents(own, {"wages": service})
    schemas = merged["components"]["schemas"]
    assert schemas["Item"] == {"type": "string"}
    assert schemas["wages_Item"] == {"type": "integer"}
    assert merged["paths"]["/api/v1/x"]["get"]["$ref"] == "#/components/schemas/wages_Item"
    assert "/healthz" not in merged["paths"]  # only the public /api surface of a service
