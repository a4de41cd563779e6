from fastapi import FastAPI

from complaints.api import api_router
from complaints.config import ComplaintsSettings
from shared.app import create_base_app


def create_app(settings: ComplaintsSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    return create_base_app(
        settings or ComplaintsSettings(),
        title="投诉举报与案件服务",
        description="投诉、举报受理与劳动保障监察案件办理（含法定时限）。",
        routers=[api_router],
        configure_logs=configure_logs,
    )
