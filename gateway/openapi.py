"""One OpenAPI document for the whole public surface: the gateway's own routes plus every
service's ``/api/v1`` paths, fetched from the services and merged."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from gateway.upstream import Upstream

log = logging.getLogger("gateway.openapi")
router = APIRouter(include_in_schema=False)


def merge_documents(own: Mapping[str, Any], services: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = copy.deepcopy(dict(own))
    paths: dict[str, Any] = merged.setdefault("paths", {})
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    for service, document in services.items():
        their_schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
        # A schema name another document already uses for a different shape is renamed.
        renames = {
            name: f"{service}_{name}"
            for name, schema in their_schemas.items()
            if name in schemas and schemas[name] != schema
        }
        text = json.dumps({"paths": document.get("paths", {}), "schemas": their_schemas})
        for old, new in renames.items():
            text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
        rewritten = json.loads(text)
        for name, schema in rewritten["schemas"].items():
            schemas[renames.get(name, name)] = schema
        for path, item in rewritten["paths"].items():
            if path.startswith("/api/"):
                paths[path] = item
    merged.setdefault("components", {})["securitySchemes"] = {
        "ApiKey": {"type": "http", "scheme": "bearer", "description": "网关签发的 API 密钥"}
    }
    merged["security"] = [{"ApiKey": []}]
    return merged


async def build_document(app: FastAPI) -> dict[str, Any]:
    cached: dict[str, Any] | None = app.state.openapi_cache
    if cached is not None:
        return cached
    upstreams: Mapping[str, Upstream] = app.state.upstreams
    documents: dict[str, Mapping[str, Any]] = {}
    complete = True
    for name, upstream in upstreams.items():
        try:
            document = await upstream.get_json("/openapi.json", {})
        except Exception as exc:  # an upstream that is down leaves its part out, uncached
            log.warning("openapi of %s unavailable: %s", name, type(exc).__name__)
            complete = False
            continue
        if isinstance(document, dict):
            documents[name] = document
    merged = merge_documents(app.openapi(), documents)
    merged["info"] = {
        "title": "昆明市劳动保障监察平台 API",
        "version": "1.0.0",
        "description": "统一入口：投诉举报与案件、工资支付监控、劳动保障信用、12345/110 联动。",
    }
    if complete:
        app.state.openapi_cache = merged
    return merged


@router.get("/openapi.json")
async def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(await build_document(request.app))


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="昆明市劳动保障监察平台 API")
