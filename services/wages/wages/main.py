from fastapi import FastAPI

from shared.app import create_base_app
from wages import api
from wages.alert.background import alert_lifespan
from wages.config import WagesSettings


def create_app(settings: WagesSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    app = create_base_app(
        settings or WagesSettings(),
        title="工资支付监控预警服务",
        description="工资支付台账、最低工资核查与分级预警。",
        routers=api.routers,
        dependencies=api.dependencies,
        # Early warnings: after-ledger hook, scheduled evaluation, case-request relay.
        extra_lifespan=alert_lifespan,
        configure_logs=configure_logs,
    )
    # Called by the ledger service after a ledger is stored, in the same transaction
    # (wages.ledger.hooks.AfterLedgerHook); set here so a lifespan or create_app may append.
    app.state.after_ledger_hooks = []
    return app
