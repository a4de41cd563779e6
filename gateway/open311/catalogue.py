"""The services this jurisdiction offers through Open311: one per kind of problem the bureau
handles, each asking the same attributes of the employer and the matter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

SPECIFICATION: Final = "http://wiki.open311.org/GeoReport_v2"
# When the service list or definitions below last changed.
CHANGESET: Final = "2026-11-27T00:00:00+08:00"
AGENCY: Final = "昆明市人力资源和社会保障局（劳动保障监察）"
CONTACT: Final = "昆明市人力资源和社会保障局劳动保障监察机构；服务热线 12345"
KEY_SERVICE: Final = (
    "提交服务请求需要本局签发的 API 密钥（权限 complaints:write），请联系昆明市人力资源和社会保障局申请"
)
GROUP: Final = "劳动保障监察"


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    name: str
    description: str
    keywords: str
    amount_required: bool


SERVICES: Final[tuple[Service, ...]] = (
    Service("wage_arrears", "拖欠工资", "用人单位拖欠、克扣或无故不支付劳动报酬。", "欠薪,工资,讨薪", True),
    Service(
        "illegal_deposit",
        "违法收取押金",
        "招用劳动者时收取押金、风险抵押金、保证金或扣押证件。",
        "押金,抵押金,保证金",
        True,
    ),
    Service("no_contract", "未签订劳动合同", "用工超过一个月未订立书面劳动合同。", "劳动合同", False),
    Service(
        "social_insurance", "未缴纳社会保险", "用人单位未依法参加或缴纳社会保险。", "社保,社会保险", False
    ),
    Service(
        "working_hours",
        "违反工时和休息休假规定",
        "超时加班、不安排休息休假或不支付加班费。",
        "加班,工时,休息",
        False,
    ),
    Service("other", "其他劳动保障违法行为", "上述以外的违反劳动保障法律法规的行为。", "其他", False),
)
BY_CODE: Final = {s.code: s for s in SERVICES}


@dataclass(frozen=True, slots=True)
class Attribute:
    code: str
    datatype: str
    description: str
    datatype_description: str


ATTRIBUTES: Final[tuple[Attribute, ...]] = (
    Attribute("employer_name", "string", "用人单位名称", "单位全称，如“某某快递有限公司”"),
    Attribute("employer_address", "string", "用人单位地址", "单位或用工现场的详细地址"),
    Attribute("amount", "number", "涉及金额（元）", "以元为单位的金额，最多两位小数，如 3600.00"),
    Attribute("workers", "number", "涉及劳动者人数", "正整数"),
)


def attribute_required(service: Service, attribute: Attribute) -> bool:
    if attribute.code == "amount":
        return service.amount_required
    return attribute.code in ("employer_name", "employer_address")


def service_entry(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": True,
        "type": "realtime",
        "keywords": service.keywords,
        "group": GROUP,
    }


def definition(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute_required(service, attribute),
                "datatype_description": attribute.datatype_description,
                "order": order,
                "description": attribute.description,
                "values": [],
            }
            for order, attribute in enumerate(ATTRIBUTES, start=1)
        ],
    }


def discovery(base_url: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
