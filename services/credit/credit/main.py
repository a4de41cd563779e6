from fastapi import FastAPI

from credit.api import api_router
from credit.config import CreditSettings
from shared.app import create_base_app


def create_app(settings: CreditSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    return create_base_app(
        settings or CreditSettings(),
        title="劳动保障信用服务",
        description="守法诚信档案、A/B/C 等级、失信联合惩戒名单与核查。",
        routers=[api_router],
        configure_logs=configure_logs,
    )
