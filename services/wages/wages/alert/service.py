"""Business rules of the alert domain: evaluating the rules into alerts (one per rule, employer and
period), raising them, opening a case for a red one, the alert's life, and reading alerts.

An alert is unique per ``dedupe_key = rule:employer_id:period``. A re-evaluation finds the same
alert and updates it: the level only ever goes up by itself (never lowered silently: a lower
computed level is kept in an event), and every change is an AlertEvent. When an alert becomes red
(created red or raised to red) a CaseRequest with the alert's id is added in the same
transaction, so each alert asks for at most one case; the relay (``alert/relay.py``) delivers it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Identity
from shared.calendar import WorkingDayCalendar, default_calendar
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.ids import new_uuid
from shared.pagination import Page, PageParams, encode_cursor, time_cursor
from shared.timeutil import china_today, now_utc
from wages.alert import repository, workflow
from wages.alert.models import Alert, AlertEvent, CaseRequest
from wages.alert.repository import AlertFilter
from wages.alert.rules import LEVEL_LABELS, LEVEL_RANK, RED, RULES, Context, Finding, run_rules
from wages.alert.schemas import (
    AlertAction,
    AlertDetail,
    AlertEventOut,
    AlertOut,
    CaseRequestOut,
    EmployerRef,
    EvaluatedAlert,
    EvaluationOut,
    EvaluationRequest,
)
from wages.config import WagesSettings
from wages.employer.models import MonitoredEmployer
from wages.employer.period import PeriodError, check_period
from wages.minwage.table import MinimumWageTable, table_for

SYSTEM_ACTOR: Final = ("system:alert-evaluation", "工资支付监控预警")
CASE_SYSTEM: Final = "wages_alert"


# -- evaluation ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluator:
    """Settings and reference data an evaluation needs; one per process."""

    settings: WagesSettings
    calendar: WorkingDayCalendar
    minimum_wages: MinimumWageTable

    @classmethod
    def for_settings(cls, settings: WagesSettings, calendar: WorkingDayCalendar | None = None) -> Evaluator:
        """The calendar a lifespan installed (``app.state.calendar``), else the process-wide one."""
        return cls(settings, calendar or default_calendar(), table_for(settings))

    def context(self, period: str, as_of: date, employer_ids: Sequence[str] | None = None) -> Context:
        return Context(
            period=period,
            as_of=as_of,
            settings=self.settings,
            calendar=self.calendar,
            minimum_wages=self.minimum_wages,
            employer_ids=employer_ids,
        )


@dataclass(slots=True)
class Evaluation:
    period: str
    as_of: date
    rules: list[str]
    findings: dict[str, int] = field(default_factory=dict)
    outcomes: list[tuple[Alert, str]] = field(default_factory=list)
    case_requests: int = 0

    def count(self, outcome: str) -> int:
        return sum(1 for _, o in self.outcomes if o == outcome)

    def out(self) -> EvaluationOut:
        return EvaluationOut(
            period=self.period,
            as_of=self.as_of,
            rules=self.rules,
            findings=self.findings,
            created=self.count("created"),
            raised=self.count("raised"),
            updated=self.count("updated"),
            unchanged=self.count("unchanged"),
            case_requests=self.case_requests,
            alerts=[
                EvaluatedAlert(
                    id=alert.id,
                    rule=alert.rule,
                    employer_id=alert.employer_id,
                    period=alert.period,
                    level=alert.level,
                    outcome=outcome,
                )
                for alert, outcome in self.outcomes
            ],
        )


async def evaluate(
    session: AsyncSession,
    evaluator: Evaluator,
    period: str,
    *,
    as_of: date,
    employer_ids: Sequence[str] | None = None,
    rules: Sequence[str] | None = None,
) -> Evaluation:
    """Run the rules for ``period`` as of ``as_of`` and store what they find (flush, no commit)."""
    ctx = evaluator.context(period, as_of, employer_ids)
    enabled = [name for name in evaluator.settings.alert_rules if name in RULES]
    names = enabled if rules is None else [name for name in enabled if name in rules]
    findings = await run_rules(session, ctx, names)
    evaluation = Evaluation(period=period, as_of=as_of, rules=names, findings=dict.fromkeys(names, 0))
    for finding in findings:
        evaluation.findings[finding.rule] += 1
    await apply_findings(session, findings, evaluation, today=china_today())
    return evaluation


async def apply_findings(
    session: AsyncSession, findings: Sequence[Finding], evaluation: Evaluation, *, today: date
) -> None:
    if not findings:
        return
    now = now_utc()
    rows = [
        {
            "id": new_uuid(),
            "dedupe_key": f.dedupe_key,
            "rule": f.rule,
            "employer_id": f.employer_id,
            "period": f.period,
            "level": f.level,
            "status": workflow.OPEN,
            "evidence": f.evidence,
            "opened_at": now,
            "updated_at": now,
        }
        for f in findings
    ]
    # The first write: on SQLite it takes the write lock before anything below reads alerts.
    inserted = await repository.insert_alerts(session, rows)
    alerts = await repository.alerts_by_keys(session, [f.dedupe_key for f in findings])
    employers = await repository.employers_by_ids(session, [f.employer_id for f in findings])
    for finding in sorted(findings, key=lambda f: f.dedupe_key):
        alert = alerts[finding.dedupe_key]
        employer = employers[finding.employer_id]
        if finding.dedupe_key in inserted:
            outcome = "created"
            data: dict[str, Any] = {"level": alert.level, "evidence": finding.evidence}
            if alert.level == RED:
                data["case_requested"] = await _request_case(session, alert, employer, today=today)
                evaluation.case_requests += int(data["case_requested"])
            _record(
                session,
                alert,
                "open",
                None,
                reason=f"{RULES[alert.rule].title}（{_level_label(alert)}）",
                data=data,
            )
        else:
            outcome = await _reevaluate(session, alert, employer, finding, evaluation, now=now, today=today)
        evaluation.outcomes.append((alert, outcome))
    await session.flush()


async def _reevaluate(
    session: AsyncSession,
    alert: Alert,
    employer: MonitoredEmployer,
    finding: Finding,
    evaluation: Evaluation,
    *,
    now: datetime,
    today: date,
) -> str:
    old_rank, new_rank = LEVEL_RANK[alert.level], LEVEL_RANK[finding.level]
    if new_rank > old_rank:
        previous = alert.level
        alert.level, alert.evidence, alert.updated_at = finding.level, finding.evidence, now
        data: dict[str, Any] = {
            "from_level": previous,
            "to_level": finding.level,
            "evidence": finding.evidence,
        }
        if finding.level == RED:
            data["case_requested"] = await _request_case(session, alert, employer, today=today)
            evaluation.case_requests += int(data["case_requested"])
        reason = f"预警等级由{LEVEL_LABELS[previous]}升为{LEVEL_LABELS[finding.level]}"
        _record(session, alert, "raise", alert.status, reason=reason, data=data)
        return "raised"
    if finding.evidence == alert.evidence:
        return "unchanged"
    alert.evidence, alert.updated_at = finding.evidence, now
    data = {"level": alert.level, "computed_level": finding.level, "evidence": finding.evidence}
    reason = "重新评估，证据已更新"
    if new_rank < old_rank:
        # Never lowered by itself: an inspector resolves the alert once the cause is checked.
        reason += f"；按当前数据为{LEVEL_LABELS[finding.level]}，预警等级保持{LEVEL_LABELS[alert.level]}"
    _record(session, alert, "reevaluate", alert.status, reason=reason, data=data)
    return "updated"


def _level_label(alert: Alert) -> str:
    return f"{LEVEL_LABELS[alert.level]}预警"


def _record(
    session: AsyncSession,
    alert: Alert,
    action: str,
    from_status: str | None,
    *,
    reason: str | None,
    data: Mapping[str, Any],
    actor: tuple[str, str] = SYSTEM_ACTOR,
) -> None:
    session.add(
        AlertEvent(
            alert_id=alert.id,
            action=action,
            from_status=from_status,
            to_status=alert.status,
            actor_id=actor[0],
            actor_name=actor[1],
            at=now_utc(),
            reason=reason,
            data=dict(data),
        )
    )


# -- the case a red alert opens --------------------------------------------------------------------


def _evidence_workers(evidence: Mapping[str, Any]) -> int | None:
    for key in ("workers", "workers_missing", "workers_max", "roster_workers"):
        value = evidence.get(key)
        if isinstance(value, int) and value > 0:
            return value
    return None


def _evidence_amount(evidence: Mapping[str, Any]) -> str | None:
    value = evidence.get("amount_short")
    if not isinstance(value, str):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return value if amount > 0 else None


def _occurred_on(alert: Alert, today: date) -> date | None:
    for key in ("pay_date", "due_by", "ledger_due_by"):
        value = alert.evidence.get(key)
        if isinstance(value, str):
            return min(date.fromisoformat(value), today)
    if alert.period:
        return min(date.fromisoformat(f"{alert.period}-01"), today)
    return None


def evidence_summary(rule: str, period: str | None, e: Mapping[str, Any]) -> str:
    """One Chinese sentence on what the rule found."""
    p = period or ""
    if rule == "no_ledger":
        return (
            f"所属期 {p} 的工资应于 {e.get('pay_date')} 前支付，截至 {e.get('ledger_due_by')}"
            f"（宽限 {e.get('grace_working_days')} 个工作日）仍未报送工资支付台账；"
            f"实名制花名册在册 {e.get('roster_workers')} 人。"
        )
    if rule == "unpaid_or_short":
        return (
            f"所属期 {p} 工资支付台账（第 {e.get('ledger_version')} 版）显示 {e.get('workers')} 名劳动者"
            f"未足额支付工资，差额合计 {e.get('amount_short')} 元，"
            f"其中 {e.get('lines_unpaid')} 条记录完全未支付；"
            f"应支付日 {e.get('pay_date')}。"
        )
    if rule == "below_minimum_wage":
        floor = e.get("floor") or {}
        return (
            f"所属期 {p} 有 {e.get('workers')} 名劳动者实发工资低于最低工资标准"
            f"（{floor.get('region_class')}类地区，月 {floor.get('monthly')} 元、"
            f"小时 {floor.get('hourly')} 元，"
            f"自 {floor.get('effective_from')} 起执行），差额合计 {e.get('amount_short')} 元。"
            f"{floor.get('note', '')}。"
        )
    if rule == "consecutive_arrears":
        return (
            f"自 {e.get('first_period')} 起连续 {e.get('periods')} 期未足额支付工资，"
            f"差额合计 {e.get('amount_short')} 元，单期最多涉及 {e.get('workers_max')} 人。"
        )
    if rule == "roster_missing":
        return (
            f"所属期 {p} 实名制花名册在册 {e.get('roster_workers')} 人，"
            f"其中 {e.get('workers_missing')} 人未列入工资支付台账。"
        )
    if rule == "labour_cost_missing":
        text = (
            f"所属期 {p} 的人工费用应于 {e.get('due_by')} 前拨付至农民工工资专用账户，"
            f"按期到账 {e.get('transferred_on_time')} 元"
        )
        if e.get("expected"):
            text += f"，应拨付 {e.get('expected')} 元，差额 {e.get('amount_short')} 元"
        if e.get("transferred_late") not in (None, "0.00"):
            text += f"；逾期到账 {e.get('transferred_late')} 元"
        return text + "。"
    if rule == "complaints":
        total = e.get("employer_case_count")
        text = f"{p} 收到针对该单位的投诉举报 {e.get('complaints')} 件"
        return text + (f"（累计 {total} 件）。" if total else "。")
    return ""


def case_payload(
    alert: Alert, employer: MonitoredEmployer, *, today: date, note: str | None = None
) -> dict[str, Any]:
    """The report (举报) ``POST /api/v1/complaints`` files for this alert: anonymous, channel
    ``monitoring``, the alert's id as external reference. Fixed once stored, so every retry sends
    the same body under the same Idempotency-Key."""
    rule = RULES[alert.rule]
    description = (
        f"工资支付监控{_level_label(alert)}：{rule.title}。"
        f"单位：{employer.name}（统一社会信用代码 {employer.uscc}）。"
        f"{evidence_summary(alert.rule, alert.period, alert.evidence)}"
    )
    if note:
        description += note
    description += f"预警编号 {alert.id}，由工资支付监控预警系统生成。"
    payload: dict[str, Any] = {
        "kind": "report",
        "channel": "monitoring",
        "anonymous": True,
        "employer": {
            "name": employer.name,
            "uscc": employer.uscc,
            "district_code": employer.district_code,
            "industry_code": employer.industry_code,
        },
        "issues": [rule.issue],
        "description": description,
        "external_ref": {"system": CASE_SYSTEM, "id": alert.id},
    }
    workers = _evidence_workers(alert.evidence)
    if workers is not None:
        payload["workers_affected"] = workers
    amount = _evidence_amount(alert.evidence)
    if amount is not None:
        payload["amount_claimed"] = amount
    occurred = _occurred_on(alert, today)
    if occurred is not None:
        payload["occurred_on"] = occurred.isoformat()
    return payload


async def _request_case(
    session: AsyncSession, alert: Alert, employer: MonitoredEmployer, *, today: date, note: str | None = None
) -> bool:
    if alert.case_id is not None:
        return False
    payload = case_payload(alert, employer, today=today, note=note)
    return await repository.insert_case_request(session, alert.id, payload)


# -- the alert's life ------------------------------------------------------------------------------


def _visible(employer: MonitoredEmployer, identity: Identity) -> bool:
    return not identity.districts or any(employer.district_code.startswith(d) for d in identity.districts)


async def _load(
    session: AsyncSession, identity: Identity, alert_id: str, *, for_update: bool = False
) -> tuple[Alert, MonitoredEmployer]:
    alert = await repository.get_alert(session, alert_id, for_update=for_update)
    employer = None if alert is None else await session.get(MonitoredEmployer, alert.employer_id)
    if alert is None or employer is None or not _visible(employer, identity):
        raise NotFound(f"预警不存在：{alert_id}", code="alert_not_found")
    return alert, employer


async def act(session: AsyncSession, identity: Identity, alert_id: str, request: AlertAction) -> AlertDetail:
    alert, employer = await _load(session, identity, alert_id, for_update=True)
    target = workflow.next_state(alert.status, request.action)
    if request.action in workflow.NEEDS_EVIDENCE and not request.evidence:
        raise ValidationFailed([FieldError("evidence", "missing", "消除预警须提供佐证材料")])
    from_status = alert.status
    alert.status, alert.updated_at = target, now_utc()
    data: dict[str, Any] = {"evidence": request.evidence} if request.evidence else {}
    if request.action in workflow.OPENS_CASE:
        note = f"经 {identity.client_name} 上报：{request.reason}。"
        data["case_requested"] = await _request_case(session, alert, employer, today=china_today(), note=note)
    _record(
        session,
        alert,
        request.action,
        from_status,
        reason=request.reason,
        data=data,
        actor=(identity.client_id, identity.client_name),
    )
    await session.flush()
    return await _detail(session, alert, employer)


# -- reading ---------------------------------------------------------------------------------------


def alert_out(alert: Alert, employer: MonitoredEmployer) -> AlertOut:
    return AlertOut(
        id=alert.id,
        rule=alert.rule,
        rule_title=RULES[alert.rule].title if alert.rule in RULES else alert.rule,
        period=alert.period,
        level=alert.level,
        level_label=LEVEL_LABELS.get(alert.level, alert.level),
        status=alert.status,
        status_label=workflow.STATUS_LABELS.get(alert.status, alert.status),
        employer=EmployerRef(
            id=employer.id,
            uscc=employer.uscc,
            name=employer.name,
            kind=employer.kind,
            district_code=employer.district_code,
            industry_code=employer.industry_code,
        ),
        evidence=alert.evidence,
        case_id=alert.case_id,
        case_no=alert.case_no,
        allowed_actions=workflow.allowed_actions(alert.status),
        opened_at=alert.opened_at,
        updated_at=alert.updated_at,
    )


def _case_request_out(row: CaseRequest | None) -> CaseRequestOut | None:
    if row is None:
        return None
    return CaseRequestOut(
        created_at=row.created_at,
        attempts=row.attempts,
        next_attempt_at=None if row.delivered_at else row.available_at,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


async def _detail(session: AsyncSession, alert: Alert, employer: MonitoredEmployer) -> AlertDetail:
    events = await repository.alert_events(session, alert.id)
    request = await repository.case_request(session, alert.id)
    return AlertDetail(
        **alert_out(alert, employer).model_dump(),
        events=[
            AlertEventOut(
                id=e.id,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                actor_id=e.actor_id,
                actor=e.actor_name,
                at=e.at,
                reason=e.reason,
                data=e.data,
            )
            for e in events
        ],
        case_request=_case_request_out(request),
    )


async def get_alert(session: AsyncSession, identity: Identity, alert_id: str) -> AlertDetail:
    alert, employer = await _load(session, identity, alert_id)
    return await _detail(session, alert, employer)


async def list_alerts(
    session: AsyncSession, identity: Identity, page: PageParams, where: AlertFilter
) -> Page[AlertOut]:
    where = AlertFilter(
        level=where.level,
        status=where.status,
        rule=where.rule,
        uscc=where.uscc,
        period=where.period,
        districts=identity.districts,
    )
    rows = await repository.list_alerts(session, where, limit=page.limit + 1, after=time_cursor(page.after))
    items = [alert_out(alert, employer) for alert, employer in rows[: page.limit]]
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1][0]
        next_cursor = encode_cursor([last.opened_at.isoformat(), last.id])
    return Page[AlertOut](items=items, next_cursor=next_cursor)


async def run_evaluation(
    session: AsyncSession, evaluator: Evaluator, request: EvaluationRequest
) -> EvaluationOut:
    """``POST /alerts/evaluations``: one period, as of today or an earlier day."""
    today = china_today()
    try:
        check_period(request.period, today)
    except PeriodError as exc:
        raise ValidationFailed([FieldError("period", exc.code, exc.message)]) from None
    as_of = request.as_of or today
    if as_of > today:
        raise ValidationFailed([FieldError("as_of", "in_future", "评估日期不能晚于今天")])
    employer_ids = None
    if request.uscc is not None:
        employer = await repository.employer_by_uscc(session, request.uscc)
        if employer is None:
            raise NotFound(f"监控单位不存在：{request.uscc}", code="employer_not_found")
        employer_ids = [employer.id]
    evaluation = await evaluate(
        session, evaluator, request.period, as_of=as_of, employer_ids=employer_ids, rules=request.rules
    )
    return evaluation.out()
