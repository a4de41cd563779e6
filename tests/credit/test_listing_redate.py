"""A statement period counted on weekdays alone is counted again when its year's schedule
arrives (credit.listing.redate), through the real app and its migrations."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from credit.config import CreditSettings
from credit.listing.redate import redate_statement_periods
from credit.main import create_app
from shared.testing.plugin import app_client
from tests.conftest import credit_settings
from tests.credit.test_listing import act as listing_act
from tests.credit.test_listing import blacklist_body, get, propose

SCHEDULE = {"year": 2027, "source": "测试用假定安排", "holidays": ["2027-01-01"], "workdays": []}


def _settings(url: str, calendar_dir: Path | None = None, **values: object) -> CreditSettings:
    settings = credit_settings(url)
    # A long statement period [M], so that one served today reaches into 2027.
    settings.statement_working_days = 30
    if calendar_dir is not None:
        (calendar_dir / "2027.json").write_text(json.dumps(SCHEDULE), encoding="utf-8")
        settings.calendar_data_dir = str(calendar_dir)
    for name, value in values.items():
        setattr(settings, name, value)
    return settings


async def _notified(url: str) -> list[str]:
    async with app_client(create_app(_settings(url), configure_logs=False)) as client:
        proposed = await propose(client, blacklist_body())
        response = await listing_act(client, proposed["id"], "notify", served_on="2026-11-27")
        assert response.status_code == 200, response.text
        # Served Fri 2026-11-27: the 30th weekday after it is Fri 2027-01-08.
        assert response.json()["statement_due"] == "2027-01-08"
        assert response.json()["events"][-1]["data"]["calendar_provisional"] is True
        return [proposed["id"], *(member["listing_id"] for member in proposed["members"])]


async def test_a_notified_listing_takes_the_published_schedule_once(
    db_urls: dict[str, str], tmp_path: Path
) -> None:
    url = db_urls["credit"]
    [unit, *persons] = await _notified(url)
    app = create_app(_settings(url, tmp_path), configure_logs=False)
    async with app_client(app) as client:
        changed = await redate_statement_periods(app.state.db.sessionmaker, app.state.calendar)
        # The unit and each of its persons: one decision, one period.
        assert changed == 1 + len(persons) == 3
        out = await get(client, unit)
        # New Year's Day a holiday: one working day later, Mon 2027-01-11.
        assert out["statement_due"] == "2027-01-11" and out["status"] == "notified"
        entry = out["events"][-1]
        assert (entry["action"], entry["actor_id"]) == ("redate", "system:calendar")
        assert entry["data"] == {
            "statement_due": {"from": "2027-01-08", "to": "2027-01-11"},
            "calendar_provisional": False,
        }
        assert (await get(client, persons[0]))["statement_due"] == "2027-01-11"
        # Counting again writes nothing.
        assert await redate_statement_periods(app.state.db.sessionmaker, app.state.calendar) == 0
        assert len((await get(client, unit))["events"]) == len(out["events"])


async def test_the_service_counts_again_when_it_starts(db_urls: dict[str, str], tmp_path: Path) -> None:
    url = db_urls["credit"]
    [unit, *_] = await _notified(url)
    settings = _settings(url, tmp_path, background_tasks=True, expiry_scan_seconds=3600)
    async with app_client(create_app(settings, configure_logs=False)) as client:
        for _ in range(200):
            out = await get(client, unit)
            if out["statement_due"] != "2027-01-08":
                break
            await asyncio.sleep(0.05)
        assert out["statement_due"] == "2027-01-11"
