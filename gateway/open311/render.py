"""GeoReport v2 documents in JSON or XML, errors included (``[{"code", "description"}]``)."""

from __future__ import annotations

from typing import Any, Final
from xml.etree import ElementTree

import orjson
from starlette.responses import Response

FORMATS: Final = frozenset({"json", "xml"})
# Element name of each list's items in the XML form.
_ITEMS: Final = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        self.status = status
        self.description = description
        super().__init__(description)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _fill(ElementTree.SubElement(element, _ITEMS[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(fmt: str, root: str, data: Any, *, status: int = 200) -> Response:
    if fmt == "xml":
        element = ElementTree.Element(root)
        _fill(element, data)
        body = ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)
        return Response(body, status_code=status, media_type="text/xml; charset=utf-8")
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def error(fmt: str, status: int, description: str) -> Response:
    # An unknown format still gets an answer clients can read.
    return render(
        fmt if fmt in FORMATS else "json",
        "errors",
        [{"code": status, "description": description}],
        status=status,
    )
