from fastapi import FastAPI

from shared.app import create_base_app
from wages.api import api_router
from wages.config import WagesSettings


def create_app(settings: WagesSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    return create_base_app(
        settings or WagesSettings(),
        title="工资支付监控预警服务",
        description="工资支付台账、最低工资核查与分级预警。",
        routers=[api_router],
        configure_logs=configure_logs,
    )
