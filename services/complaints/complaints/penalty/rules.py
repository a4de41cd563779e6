"""Penalty guide rules (处罚裁量参考): the legal consequence of a violation, computed from its facts.

Pure data and arithmetic, no I/O. Every violation is one :class:`Rule` in :data:`RULES`; a rule
lists its consequences (order to correct, fine, compensation, ...) and each consequence cites the
article it comes from and, where it has an amount, how the amount is computed (per worker, a
multiple of an amount, a daily rate, ...). :func:`evaluate` turns a rule and the facts of a case
into minimum and maximum amounts; a fact that is needed but not given is listed as missing and
the per-unit range is returned instead of a guess.

Sources (handbook domain.md §2.7 and §2.8, all [V]): 劳动保障监察条例 arts. 23–30 and 32;
劳动合同法 arts. 82–85 and 92; 劳动合同法实施条例 arts. 6, 7, 34, 35; 社会保险法 arts. 84, 86, 88;
保障农民工工资支付条例 arts. 54–57. The crime thresholds of §2.8 are [M] and come from settings
(:class:`complaints.config.CrimeThresholds`), never from this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Final

from complaints.config import CrimeThresholds
from shared.money import format_money, quantize_money

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


class Law(StrEnum):
    LABOR_INSPECTION_REGULATION = "labor_inspection_regulation"
    LABOR_CONTRACT_LAW = "labor_contract_law"
    LABOR_CONTRACT_LAW_REGULATION = "labor_contract_law_regulation"
    LABOR_LAW = "labor_law"
    SOCIAL_INSURANCE_LAW = "social_insurance_law"
    MIGRANT_WORKER_WAGE_REGULATION = "migrant_worker_wage_regulation"
    CRIMINAL_LAW = "criminal_law"
    REFUSAL_TO_PAY_INTERPRETATION = "refusal_to_pay_interpretation"


LAW_TITLES: Final[Mapping[Law, str]] = {
    Law.LABOR_INSPECTION_REGULATION: "劳动保障监察条例",
    Law.LABOR_CONTRACT_LAW: "劳动合同法",
    Law.LABOR_CONTRACT_LAW_REGULATION: "劳动合同法实施条例",
    Law.LABOR_LAW: "劳动法",
    Law.SOCIAL_INSURANCE_LAW: "社会保险法",
    Law.MIGRANT_WORKER_WAGE_REGULATION: "保障农民工工资支付条例",
    Law.CRIMINAL_LAW: "刑法",
    Law.REFUSAL_TO_PAY_INTERPRETATION: "最高人民法院关于审理拒不支付劳动报酬刑事案件适用法律若干问题的解释",
}


class Violation(StrEnum):
    """Stable English codes of the violations the guide knows."""

    FEMALE_PROTECTION = "female_protection"
    JUVENILE_PROTECTION = "juvenile_protection"
    NO_CONTRACT = "no_contract"
    NO_OPEN_ENDED_CONTRACT = "no_open_ended_contract"
    ILLEGAL_PROBATION = "illegal_probation"
    EXCESS_OVERTIME = "excess_overtime"
    WAGE_ARREARS = "wage_arrears"
    BELOW_MINIMUM_WAGE = "below_minimum_wage"
    NO_SEVERANCE = "no_severance"
    UNPAID_OVERTIME = "unpaid_overtime"
    UNDERDECLARED_SOCIAL_INSURANCE = "underdeclared_social_insurance"
    SOCIAL_INSURANCE_FRAUD = "social_insurance_fraud"
    AGENCY_VIOLATION = "agency_violation"
    UNION_OBSTRUCTION = "union_obstruction"
    OBSTRUCT_INSPECTION = "obstruct_inspection"
    CONCEAL_EVIDENCE = "conceal_evidence"
    REFUSE_CORRECTION = "refuse_correction"
    RETALIATION = "retaliation"
    WITHHOLD_ID_DOCUMENTS = "withhold_id_documents"
    ILLEGAL_DEPOSIT = "illegal_deposit"
    WITHHOLD_ARCHIVE = "withhold_archive"
    DISPATCH_VIOLATION = "dispatch_violation"
    NO_SOCIAL_INSURANCE_REGISTRATION = "no_social_insurance_registration"
    SOCIAL_INSURANCE_ARREARS = "social_insurance_arrears"
    WAGE_IN_KIND = "wage_in_kind"
    NO_WAGE_LEDGER = "no_wage_ledger"
    WITHHOLD_WAGE_CARD = "withhold_wage_card"
    NO_DEDICATED_ACCOUNT = "no_dedicated_account"
    NO_WAGE_DEPOSIT = "no_wage_deposit"
    NO_REAL_NAME_MANAGEMENT = "no_real_name_management"
    SUBCONTRACTOR_DUTIES = "subcontractor_duties"
    DEVELOPER_DUTIES = "developer_duties"


class ConsequenceKind(StrEnum):
    ORDER_TO_CORRECT = "order_to_correct"  # 责令改正 / 限期支付 / 退还 / 补缴
    WARNING = "warning"
    FINE = "fine"  # paid to the treasury
    COMPENSATION = "compensation"  # owed to the worker, not a fine
    LATE_FEE = "late_fee"  # 滞纳金, collected with the contributions
    CONFISCATE = "confiscate"
    SUSPEND_PROJECT = "suspend_project"
    RESTRICT_NEW_PROJECTS = "restrict_new_projects"
    LOWER_QUALIFICATION = "lower_qualification"
    REVOKE_LICENCE = "revoke_licence"


class Basis(StrEnum):
    """How an amount is computed; the per-unit figures mean different things per basis."""

    PER_WORKER = "per_worker"  # yuan per affected worker × workers
    PER_PERSON = "per_person"  # yuan per responsible person × responsible_persons
    PER_CASE = "per_case"  # yuan, once
    MULTIPLE = "multiple"  # ratio × amount
    PERCENT_OF_AMOUNT_DUE = "percent_of_amount_due"  # ratio (0.5 = 50%) × amount
    PER_DAY_RATE = "per_day_rate"  # daily ratio × amount × days
    MONTHLY_WAGE = "monthly_wage"  # ratio × monthly_wage × months


class Trigger(StrEnum):
    IMMEDIATE = "immediate"
    IF_NOT_CORRECTED = "if_not_corrected"  # 逾期不改正 / 逾期不支付 / 逾期仍不缴纳
    IF_SERIOUS = "if_serious"  # 情节严重


class Liable(StrEnum):
    UNIT = "unit"
    RESPONSIBLE_PERSONS = "responsible_persons"


class Fact(StrEnum):
    """Facts a caller may give; the value is the field name on :class:`Facts`."""

    WORKERS = "workers"
    AMOUNT = "amount"
    DAYS = "days"
    MONTHS_UNPAID = "months_unpaid"
    MAX_WORKER_AMOUNT = "max_worker_amount"
    MONTHS_WITHOUT_CONTRACT = "months_without_contract"
    MONTHS_SINCE_OPEN_ENDED_DUE = "months_since_open_ended_due"
    EXCESS_PROBATION_MONTHS = "excess_probation_months"
    MONTHLY_WAGE = "monthly_wage"
    RESPONSIBLE_PERSONS = "responsible_persons"
    ORDER_SERVED = "order_served"
    DEADLINE_PASSED = "deadline_passed"
    UNPAID = "unpaid"
    CORRECTED = "corrected"
    SERIOUS = "serious"
    EVASION_MEANS = "evasion_means"
    ABLE_TO_PAY = "able_to_pay"


FACT_LABELS: Final[Mapping[Fact, str]] = {
    Fact.WORKERS: "涉及（受侵害）的劳动者人数",
    Fact.AMOUNT: "涉案金额",
    Fact.DAYS: "天数",
    Fact.MONTHS_UNPAID: "拖欠劳动报酬的月数",
    Fact.MAX_WORKER_AMOUNT: "单个劳动者被拖欠的最高金额",
    Fact.MONTHS_WITHOUT_CONTRACT: "自用工之日起未订立书面劳动合同的整月数",
    Fact.MONTHS_SINCE_OPEN_ENDED_DUE: "自应当订立无固定期限劳动合同之日起的整月数",
    Fact.EXCESS_PROBATION_MONTHS: "已履行的超过法定试用期的月数",
    Fact.MONTHLY_WAGE: "劳动者月工资",
    Fact.RESPONSIBLE_PERSONS: "直接负责的主管人员和其他直接责任人员人数",
    Fact.ORDER_SERVED: "已依法送达限期整改指令书或行政处理决定书",
    Fact.DEADLINE_PASSED: "限期已届满",
    Fact.UNPAID: "期满仍未支付",
    Fact.CORRECTED: "已在限期内改正",
    Fact.SERIOUS: "情节严重",
    Fact.EVASION_MEANS: "以转移财产、逃匿等方法逃避支付",
    Fact.ABLE_TO_PAY: "有能力支付而不支付",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What the inspector knows about the case; ``None`` means not known."""

    workers: int | None = None
    amount: Decimal | None = None
    days: int | None = None
    months_unpaid: int | None = None
    max_worker_amount: Decimal | None = None
    months_without_contract: int | None = None
    months_since_open_ended_due: int | None = None
    excess_probation_months: int | None = None
    monthly_wage: Decimal | None = None
    responsible_persons: int | None = None
    order_served: bool | None = None
    deadline_passed: bool | None = None
    unpaid: bool | None = None
    corrected: bool | None = None
    serious: bool | None = None
    evasion_means: bool | None = None
    able_to_pay: bool | None = None

    def get(self, fact: Fact) -> int | Decimal | bool | None:
        value: int | Decimal | bool | None = getattr(self, fact.value)
        return value


# --------------------------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------------------------

_DIGITS: Final = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..999 in Chinese numerals as statutes write them: 23 -> 二十三, 105 -> 一百零五."""
    if not 0 < n < 1000:
        raise ValueError(f"out of range: {n}")
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        # "十二" but "一百一十二": the leading 一 is dropped only at the start.
        text += "十" if tens == 1 and not hundreds else f"{_DIGITS[tens]}十"
    elif hundreds and units:
        text += "零"
    if units:
        text += _DIGITS[units]
    return text


@dataclass(frozen=True, slots=True)
class Citation:
    """An article, optionally narrowed to a paragraph (款) and items (项).

    ``article`` is a string because some articles are numbered "276-1" (第二百七十六条之一).
    """

    law: Law
    article: str
    paragraph: int | None = None
    items: tuple[int, ...] = ()

    @property
    def law_title(self) -> str:
        return LAW_TITLES[self.law]

    @property
    def text(self) -> str:
        number, _, suffix = self.article.partition("-")
        text = f"{self.law_title} 第{chinese_number(int(number))}条"
        if suffix:
            text += f"之{chinese_number(int(suffix))}"
        if self.paragraph is not None:
            text += f"第{chinese_number(self.paragraph)}款"
        return text + _items_text(self.items)


def _items_text(items: tuple[int, ...]) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return f"第（{chinese_number(items[0])}）项"
    if len(items) > 2 and list(items) == list(range(items[0], items[-1] + 1)):
        return f"第（{chinese_number(items[0])}）项至第（{chinese_number(items[-1])}）项"
    return "第" + "、".join(f"（{chinese_number(i)}）" for i in items) + "项"


def cite(law: Law, article: str | int, paragraph: int | None = None, *items: int) -> Citation:
    return Citation(law, str(article), paragraph, tuple(items))


_LIR: Final = Law.LABOR_INSPECTION_REGULATION
_LCL: Final = Law.LABOR_CONTRACT_LAW
_LCR: Final = Law.LABOR_CONTRACT_LAW_REGULATION
_SIL: Final = Law.SOCIAL_INSURANCE_LAW
_MWR: Final = Law.MIGRANT_WORKER_WAGE_REGULATION

# --------------------------------------------------------------------------------------------
# Rule data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AmountSpec:
    """An amount range per unit and the unit it is multiplied by.

    ``low``/``high`` are yuan for per_worker, per_person and per_case; a ratio of the amount for
    multiple, percent_of_amount_due and monthly_wage; a daily ratio for per_day_rate.
    For monthly_wage, ``months_fact`` names the fact counting months; ``months_offset`` months
    are not owed (art. 82 ¶1: the first month is the lawful time to sign) and ``months_cap``
    bounds the count (实施条例 art. 7: at most up to the day before the first year ends).
    """

    basis: Basis
    low: Decimal
    high: Decimal
    months_fact: Fact | None = None
    months_offset: int = 0
    months_cap: int | None = None

    @property
    def facts(self) -> tuple[Fact, ...]:
        match self.basis:
            case Basis.PER_WORKER:
                return (Fact.WORKERS,)
            case Basis.PER_PERSON:
                return (Fact.RESPONSIBLE_PERSONS,)
            case Basis.PER_CASE:
                return ()
            case Basis.MULTIPLE | Basis.PERCENT_OF_AMOUNT_DUE:
                return (Fact.AMOUNT,)
            case Basis.PER_DAY_RATE:
                return (Fact.AMOUNT, Fact.DAYS)
            case Basis.MONTHLY_WAGE:
                assert self.months_fact is not None
                return (Fact.MONTHLY_WAGE, self.months_fact)


@dataclass(frozen=True, slots=True)
class Consequence:
    kind: ConsequenceKind
    summary: str
    citation: Citation
    trigger: Trigger = Trigger.IMMEDIATE
    discretionary: bool = False  # the article says 可以 (may), not 处 (shall)
    liable: Liable = Liable.UNIT
    amount: AmountSpec | None = None
    # A row that a later or higher law replaced: shown, never applied.
    superseded_by: Citation | None = None
    superseded_note: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    violation: Violation
    title: str
    summary: str
    citation: Citation
    consequences: tuple[Consequence, ...]
    related: tuple[Citation, ...] = ()
    fact_labels: Mapping[Fact, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    crime_check: bool = False

    @property
    def facts(self) -> tuple[Fact, ...]:
        """Facts the amounts (and the crime check) of this rule use, in a stable order."""
        wanted: list[Fact] = []
        for consequence in self.consequences:
            if consequence.amount is not None and consequence.superseded_by is None:
                wanted.extend(consequence.amount.facts)
        if self.crime_check:
            wanted.extend(CRIME_FACTS)
        return tuple(dict.fromkeys(wanted))

    def label(self, fact: Fact) -> str:
        return self.fact_labels.get(fact, FACT_LABELS[fact])

    @property
    def kinds(self) -> tuple[ConsequenceKind, ...]:
        return tuple(dict.fromkeys(c.kind for c in self.consequences if c.superseded_by is None))


def _d(text: str) -> Decimal:
    return Decimal(text)


def _order(citation: Citation, summary: str, trigger: Trigger = Trigger.IMMEDIATE) -> Consequence:
    return Consequence(ConsequenceKind.ORDER_TO_CORRECT, summary, citation, trigger)


def _fine(
    citation: Citation,
    basis: Basis,
    low: str,
    high: str,
    summary: str,
    *,
    trigger: Trigger = Trigger.IMMEDIATE,
    discretionary: bool = False,
    liable: Liable = Liable.UNIT,
) -> Consequence:
    return Consequence(
        ConsequenceKind.FINE,
        summary,
        citation,
        trigger,
        discretionary,
        liable,
        AmountSpec(basis, _d(low), _d(high)),
    )


_ART_32_NOTE: Final = (
    "法律、其他行政法规对同一劳动保障监察事项的处罚另有规定的，从其规定（劳动保障监察条例第三十二条）。"
)
_POLICE_NOTE: Final = (
    "构成违反治安管理行为的，由公安机关依法给予治安管理处罚；构成犯罪的，依法追究刑事责任"
    "（劳动保障监察条例第三十条第二款）。"
)


def _protection_rule(violation: Violation, title: str, summary: str, items: tuple[int, ...]) -> Rule:
    art = cite(_LIR, 23, None, *items)
    return Rule(
        violation,
        title,
        summary,
        art,
        (
            _order(art, "责令改正"),
            _fine(
                art,
                Basis.PER_WORKER,
                "1000.00",
                "5000.00",
                "按照受侵害的劳动者每人1000元以上5000元以下的标准计算，处以罚款",
            ),
        ),
        fact_labels={Fact.WORKERS: "受侵害的劳动者人数"},
        notes=(_ART_32_NOTE,),
    )


def _wage_payment_rule(
    violation: Violation,
    title: str,
    summary: str,
    citation: Citation,
    related: tuple[Citation, ...],
    order_text: str,
    amount_label: str,
    *,
    crime_check: bool,
    notes: tuple[str, ...] = (),
) -> Rule:
    return Rule(
        violation,
        title,
        summary,
        citation,
        (
            _order(citation, order_text),
            Consequence(
                ConsequenceKind.COMPENSATION,
                "逾期不支付的，责令用人单位按照应付金额50%以上1倍以下的标准计算，向劳动者加付赔偿金"
                "（归劳动者所有，不是罚款）",
                citation,
                Trigger.IF_NOT_CORRECTED,
                amount=AmountSpec(Basis.PERCENT_OF_AMOUNT_DUE, _d("0.5"), _d("1")),
            ),
        ),
        related=related,
        fact_labels={Fact.AMOUNT: amount_label},
        notes=notes,
        crime_check=crime_check,
    )


def _inspection_obstruction_rule(violation: Violation, title: str, summary: str, item: int) -> Rule:
    art = cite(_LIR, 30, 1, item)
    return Rule(
        violation,
        title,
        summary,
        art,
        (
            _order(art, "责令改正"),
            _fine(art, Basis.PER_CASE, "2000.00", "20000.00", "处2000元以上2万元以下的罚款"),
        ),
        notes=(_POLICE_NOTE,),
    )


def _deposit_rule(violation: Violation, title: str, summary: str, citation: Citation) -> Rule:
    return Rule(
        violation,
        title,
        summary,
        citation,
        (
            _order(citation, "责令限期退还劳动者本人"),
            _fine(
                citation,
                Basis.PER_WORKER,
                "500.00",
                "2000.00",
                "以每人500元以上2000元以下的标准处以罚款",
            ),
            Consequence(
                ConsequenceKind.COMPENSATION,
                "给劳动者造成损害的，应当承担赔偿责任（按实际损害确定，本指引不计算）",
                cite(_LCL, 84, 2),
            ),
        ),
        related=() if citation.paragraph == 2 else (cite(_LCL, 84, 2),),
        fact_labels={Fact.WORKERS: "被收取财物或被扣押档案、物品的劳动者人数"},
    )


def _wage_management_rule(violation: Violation, title: str, summary: str, item: int) -> Rule:
    art = cite(_MWR, 54, None, item)
    return Rule(
        violation,
        title,
        summary,
        art,
        (
            _order(art, "由人力资源社会保障行政部门责令限期改正"),
            _fine(
                art,
                Basis.PER_CASE,
                "20000.00",
                "50000.00",
                "逾期不改正的，对单位处2万元以上5万元以下的罚款",
                trigger=Trigger.IF_NOT_CORRECTED,
            ),
            _fine(
                art,
                Basis.PER_PERSON,
                "10000.00",
                "30000.00",
                "逾期不改正的，对法定代表人或者主要负责人、直接负责的主管人员和其他直接责任人员"
                "每人处1万元以上3万元以下的罚款",
                trigger=Trigger.IF_NOT_CORRECTED,
                liable=Liable.RESPONSIBLE_PERSONS,
            ),
        ),
        fact_labels={
            Fact.RESPONSIBLE_PERSONS: "法定代表人或者主要负责人、直接负责的主管人员和其他直接责任人员人数"
        },
    )


_PROJECT_SERIOUS: Final = (
    "情节严重的，给予施工单位限制承接新工程、降低资质等级、吊销资质证书等处罚"
    "（由相关行业工程建设主管部门依职责实施）"
)


def _project_account_rule(violation: Violation, title: str, summary: str, item: int) -> Rule:
    art = cite(_MWR, 55, None, item)
    return Rule(
        violation,
        title,
        summary,
        art,
        (
            _order(art, "由人力资源社会保障行政部门、相关行业工程建设主管部门按照职责责令限期改正"),
            Consequence(
                ConsequenceKind.SUSPEND_PROJECT, "逾期不改正的，责令项目停工", art, Trigger.IF_NOT_CORRECTED
            ),
            _fine(
                art,
                Basis.PER_CASE,
                "50000.00",
                "100000.00",
                "逾期不改正的，并处5万元以上10万元以下的罚款",
                trigger=Trigger.IF_NOT_CORRECTED,
            ),
            Consequence(ConsequenceKind.RESTRICT_NEW_PROJECTS, _PROJECT_SERIOUS, art, Trigger.IF_SERIOUS),
            Consequence(ConsequenceKind.LOWER_QUALIFICATION, _PROJECT_SERIOUS, art, Trigger.IF_SERIOUS),
            Consequence(ConsequenceKind.REVOKE_LICENCE, _PROJECT_SERIOUS, art, Trigger.IF_SERIOUS),
        ),
    )


def _build_rules() -> dict[Violation, Rule]:
    v = Violation
    rules: list[Rule] = [
        # -- 劳动保障监察条例 art. 23 --------------------------------------------------------
        _protection_rule(
            v.FEMALE_PROTECTION,
            "违反女职工特殊劳动保护规定",
            "安排女职工从事禁忌劳动，经期、孕期、哺乳期禁忌作业，安排怀孕7个月以上女职工夜班或延长工作时间，"
            "产假少于90天等",
            (1, 2, 3, 4, 5, 6),
        ),
        _protection_rule(
            v.JUVENILE_PROTECTION,
            "违反未成年工特殊劳动保护规定",
            "安排未成年工从事矿山井下、有毒有害、第四级体力劳动强度或其他禁忌劳动，未对未成年工定期进行健康检查",
            (7, 8),
        ),
        # -- art. 24 and 劳动合同法 art. 82 --------------------------------------------------
        Rule(
            v.NO_CONTRACT,
            "未依法订立书面劳动合同",
            "用人单位与劳动者建立劳动关系不依法订立书面劳动合同",
            cite(_LIR, 24),
            (
                _order(cite(_LIR, 24), "责令改正（依法订立书面劳动合同）；本条例未规定罚款"),
                Consequence(
                    ConsequenceKind.COMPENSATION,
                    "自用工之日起超过一个月不满一年未订立书面劳动合同的，向劳动者每月支付二倍的工资。"
                    "计算的是已付工资之外每月另付的一倍工资（二倍工资差额），期间自用工满一个月的次日起"
                    "至补订书面劳动合同的前一日，最长十一个月；归劳动者所有，不是罚款",
                    cite(_LCL, 82, 1),
                    amount=AmountSpec(
                        Basis.MONTHLY_WAGE,
                        _d("1"),
                        _d("1"),
                        months_fact=Fact.MONTHS_WITHOUT_CONTRACT,
                        months_offset=1,
                        months_cap=11,
                    ),
                ),
                _order(cite(_LCR, 34), "用人单位应付二倍工资而未支付的，由劳动行政部门责令支付"),
            ),
            related=(cite(_LCR, 6), cite(_LCR, 7)),
            notes=(
                "用工满一年仍未订立书面劳动合同的，自用工满一年之日起视为已与劳动者订立无固定期限劳动合同"
                "（劳动合同法实施条例第七条），此后不再计付二倍工资，应立即补订书面合同。",
                "按整月计算；不足一个月的部分请按日折算另行核定。",
            ),
        ),
        Rule(
            v.NO_OPEN_ENDED_CONTRACT,
            "应订立而未订立无固定期限劳动合同",
            "用人单位违反劳动合同法规定不与劳动者订立无固定期限劳动合同",
            cite(_LCL, 82, 2),
            (
                Consequence(
                    ConsequenceKind.COMPENSATION,
                    "自应当订立无固定期限劳动合同之日起向劳动者每月支付二倍的工资；计算的是已付工资之外"
                    "每月另付的一倍工资（二倍工资差额），归劳动者所有，不是罚款",
                    cite(_LCL, 82, 2),
                    amount=AmountSpec(
                        Basis.MONTHLY_WAGE, _d("1"), _d("1"), months_fact=Fact.MONTHS_SINCE_OPEN_ENDED_DUE
                    ),
                ),
                _order(cite(_LCR, 34), "用人单位应付二倍工资而未支付的，由劳动行政部门责令支付"),
            ),
        ),
        Rule(
            v.ILLEGAL_PROBATION,
            "违法约定试用期",
            "用人单位违反劳动合同法规定与劳动者约定试用期",
            cite(_LCL, 83),
            (
                _order(cite(_LCL, 83), "由劳动行政部门责令改正"),
                Consequence(
                    ConsequenceKind.COMPENSATION,
                    "违法约定的试用期已经履行的，以劳动者试用期满月工资为标准，按已经履行的超过法定试用期的"
                    "期间向劳动者支付赔偿金（归劳动者所有，不是罚款）",
                    cite(_LCL, 83),
                    amount=AmountSpec(
                        Basis.MONTHLY_WAGE, _d("1"), _d("1"), months_fact=Fact.EXCESS_PROBATION_MONTHS
                    ),
                ),
                _order(cite(_LCR, 34), "用人单位应付赔偿金而未支付的，由劳动行政部门责令支付"),
            ),
            fact_labels={Fact.MONTHLY_WAGE: "劳动者试用期满月工资"},
            notes=("按整月计算；不足一个月的部分请按日折算另行核定。",),
        ),
        # -- art. 25 -------------------------------------------------------------------------
        Rule(
            v.EXCESS_OVERTIME,
            "违法延长工作时间",
            "用人单位违反劳动保障法律、法规或者规章延长劳动者工作时间",
            cite(_LIR, 25),
            (
                Consequence(ConsequenceKind.WARNING, "给予警告", cite(_LIR, 25)),
                _order(cite(_LIR, 25), "责令限期改正"),
                _fine(
                    cite(_LIR, 25),
                    Basis.PER_WORKER,
                    "100.00",
                    "500.00",
                    "可以按照受侵害的劳动者每人100元以上500元以下的标准计算，处以罚款",
                    discretionary=True,
                ),
            ),
            related=(cite(Law.LABOR_LAW, 41),),
            fact_labels={Fact.WORKERS: "受侵害的劳动者人数"},
            notes=(
                "延长工作时间一般每日不超过1小时，特殊原因每日不超过3小时，每月不超过36小时（劳动法第四十一条）。",
                _ART_32_NOTE,
            ),
        ),
        # -- art. 26 and 劳动合同法 art. 85 --------------------------------------------------
        _wage_payment_rule(
            v.WAGE_ARREARS,
            "克扣或者无故拖欠工资",
            "克扣或者无故拖欠劳动者工资报酬",
            cite(_LIR, 26, None, 1),
            (cite(_LCL, 85, None, 1),),
            "责令限期支付劳动者的工资报酬",
            "应付工资报酬金额",
            crime_check=True,
        ),
        _wage_payment_rule(
            v.BELOW_MINIMUM_WAGE,
            "支付工资低于当地最低工资标准",
            "支付劳动者的工资低于当地最低工资标准",
            cite(_LIR, 26, None, 2),
            (cite(_LCL, 85, None, 2),),
            "责令限期支付劳动者工资低于当地最低工资标准的差额",
            "工资低于当地最低工资标准的差额",
            crime_check=True,
        ),
        _wage_payment_rule(
            v.NO_SEVERANCE,
            "解除劳动合同未依法支付经济补偿",
            "解除或者终止劳动合同未依法给予劳动者经济补偿",
            cite(_LIR, 26, None, 3),
            (cite(_LCL, 85, None, 4),),
            "责令限期支付解除劳动合同的经济补偿",
            "应付经济补偿金额",
            crime_check=False,
            notes=("经济补偿不属于劳动报酬，不适用拒不支付劳动报酬罪的数额判断。",),
        ),
        _wage_payment_rule(
            v.UNPAID_OVERTIME,
            "安排加班不支付加班费",
            "安排加班不支付加班费",
            cite(_LCL, 85, None, 3),
            (cite(Law.LABOR_LAW, 44),),
            "由劳动行政部门责令限期支付加班费",
            "应付加班费金额",
            crime_check=True,
            notes=(
                "加班费标准：延长工作时间不低于工资的150%，休息日安排工作又不能安排补休的不低于200%，"
                "法定休假日不低于300%（劳动法第四十四条）。",
            ),
        ),
        # -- art. 27 -------------------------------------------------------------------------
        Rule(
            v.UNDERDECLARED_SOCIAL_INSURANCE,
            "瞒报工资总额或者职工人数",
            "用人单位向社会保险经办机构申报应缴纳的社会保险费数额时，瞒报工资总额或者职工人数",
            cite(_LIR, 27, 1),
            (
                _order(cite(_LIR, 27, 1), "责令改正"),
                _fine(
                    cite(_LIR, 27, 1),
                    Basis.MULTIPLE,
                    "1",
                    "3",
                    "并处瞒报工资数额1倍以上3倍以下的罚款",
                ),
            ),
            fact_labels={Fact.AMOUNT: "瞒报工资数额"},
            notes=(_ART_32_NOTE,),
        ),
        Rule(
            v.SOCIAL_INSURANCE_FRAUD,
            "骗取社会保险待遇或者社会保险基金支出",
            "以欺诈、伪造证明材料或者其他手段骗取社会保险待遇或者骗取社会保险基金支出",
            cite(_LIR, 27, 2),
            (
                _order(cite(_SIL, 88), "由社会保险行政部门责令退回骗取的社会保险金"),
                _fine(
                    cite(_SIL, 88),
                    Basis.MULTIPLE,
                    "2",
                    "5",
                    "处骗取金额2倍以上5倍以下的罚款（社会保险法第八十八条）",
                ),
                Consequence(
                    ConsequenceKind.FINE,
                    "劳动保障监察条例第二十七条第二款：处骗取金额1倍以上3倍以下的罚款",
                    cite(_LIR, 27, 2),
                    amount=AmountSpec(Basis.MULTIPLE, _d("1"), _d("3")),
                    superseded_by=cite(_SIL, 88),
                    superseded_note=(
                        "社会保险法第八十八条规定处骗取金额2倍以上5倍以下的罚款。社会保险法是法律，效力高于"
                        "条例且施行在后，依条例第三十二条从其规定，条例的1倍以上3倍以下不再适用。"
                    ),
                ),
            ),
            fact_labels={Fact.AMOUNT: "骗取金额"},
            notes=(
                "社会保险法第八十八条（骗取金额2倍以上5倍以下）优先于劳动保障监察条例第二十七条第二款"
                "（1倍以上3倍以下）适用。",
                "构成犯罪的，依法追究刑事责任（劳动保障监察条例第二十七条第二款）。",
            ),
        ),
        # -- art. 28 -------------------------------------------------------------------------
        Rule(
            v.AGENCY_VIOLATION,
            "职业中介、培训、技能鉴定机构违规",
            "职业介绍机构、职业技能培训机构或者职业技能考核鉴定机构违反国家有关规定",
            cite(_LIR, 28, 1),
            (
                _order(cite(_LIR, 28, 1), "责令改正"),
                Consequence(
                    ConsequenceKind.CONFISCATE,
                    "没收违法所得（按查明的违法所得确定，本指引不计算）",
                    cite(_LIR, 28, 1),
                ),
                _fine(
                    cite(_LIR, 28, 1), Basis.PER_CASE, "10000.00", "50000.00", "并处1万元以上5万元以下的罚款"
                ),
                Consequence(
                    ConsequenceKind.REVOKE_LICENCE,
                    "情节严重的，吊销许可证",
                    cite(_LIR, 28, 1),
                    Trigger.IF_SERIOUS,
                ),
            ),
            notes=(
                "未经许可从事职业介绍、职业技能培训或者职业技能考核鉴定的，依照无照经营查处取缔的规定"
                "查处取缔（劳动保障监察条例第二十八条第二款）。",
                _ART_32_NOTE,
            ),
        ),
        # -- art. 29 -------------------------------------------------------------------------
        Rule(
            v.UNION_OBSTRUCTION,
            "违反工会法阻挠工会活动",
            "阻挠劳动者参加和组织工会，无正当理由调动工会工作人员岗位进行打击报复，"
            "因参加工会活动或依法履行工会职责解除劳动合同",
            cite(_LIR, 29, None, 1, 2, 3, 4),
            (_order(cite(_LIR, 29, None, 1, 2, 3, 4), "责令改正；本条未规定罚款"),),
        ),
        # -- art. 30 -------------------------------------------------------------------------
        _inspection_obstruction_rule(
            v.OBSTRUCT_INSPECTION,
            "无理抗拒、阻挠劳动保障监察",
            "无理抗拒、阻挠劳动保障行政部门依法实施劳动保障监察",
            1,
        ),
        _inspection_obstruction_rule(
            v.CONCEAL_EVIDENCE,
            "不报送材料、隐瞒事实、出具伪证或者隐匿毁灭证据",
            "不按照要求报送书面材料，隐瞒事实真相，出具伪证或者隐匿、毁灭证据",
            2,
        ),
        _inspection_obstruction_rule(
            v.REFUSE_CORRECTION,
            "拒不改正或者拒不履行行政处理决定",
            "经劳动保障行政部门责令改正拒不改正，或者拒不履行行政处理决定",
            3,
        ),
        Rule(
            v.RETALIATION,
            "打击报复举报人、投诉人",
            "打击报复举报人、投诉人",
            cite(_LIR, 30, 1, 4),
            (_order(cite(_LIR, 30, 1, 4), "责令改正；第三十条第（四）项不适用罚款"),),
            notes=(_POLICE_NOTE,),
        ),
        # -- 劳动合同法 art. 84 --------------------------------------------------------------
        Rule(
            v.WITHHOLD_ID_DOCUMENTS,
            "扣押劳动者居民身份证等证件",
            "用人单位违反劳动合同法规定，扣押劳动者居民身份证等证件",
            cite(_LCL, 84, 1),
            (_order(cite(_LCL, 84, 1), "由劳动行政部门责令限期退还劳动者本人"),),
            notes=(
                "并依照有关法律规定给予处罚；本条未规定罚款数额，处罚依据和数额以相关法律为准，本指引不计算。",
            ),
        ),
        _deposit_rule(
            v.ILLEGAL_DEPOSIT,
            "以担保或者其他名义向劳动者收取财物",
            "用人单位违反劳动合同法规定，以担保或者其他名义向劳动者收取财物（押金等）",
            cite(_LCL, 84, 2),
        ),
        _deposit_rule(
            v.WITHHOLD_ARCHIVE,
            "劳动合同解除或终止后扣押劳动者档案或者其他物品",
            "劳动者依法解除或者终止劳动合同，用人单位扣押劳动者档案或者其他物品（依照第八十四条第二款处罚）",
            cite(_LCL, 84, 3),
        ),
        # -- 劳动合同法 art. 92 ¶2 -----------------------------------------------------------
        Rule(
            v.DISPATCH_VIOLATION,
            "违反劳务派遣规定",
            "劳务派遣单位、用工单位违反劳动合同法有关劳务派遣的规定",
            cite(_LCL, 92, 2),
            (
                _order(cite(_LCL, 92, 2), "由劳动行政部门责令限期改正"),
                _fine(
                    cite(_LCL, 92, 2),
                    Basis.PER_WORKER,
                    "5000.00",
                    "10000.00",
                    "逾期不改正的，以每人5000元以上10000元以下的标准处以罚款",
                    trigger=Trigger.IF_NOT_CORRECTED,
                ),
                Consequence(
                    ConsequenceKind.REVOKE_LICENCE,
                    "逾期不改正的，对劳务派遣单位吊销其劳务派遣业务经营许可证",
                    cite(_LCL, 92, 2),
                    Trigger.IF_NOT_CORRECTED,
                ),
                Consequence(
                    ConsequenceKind.COMPENSATION,
                    "用工单位给被派遣劳动者造成损害的，劳务派遣单位与用工单位承担连带赔偿责任（按实际损害确定，本指引不计算）",
                    cite(_LCL, 92, 2),
                ),
                Consequence(
                    ConsequenceKind.FINE,
                    "劳动合同法实施条例第三十五条：用工单位违反劳务派遣规定情节严重的，以每位被派遣劳动者"
                    "1000元以上5000元以下的标准处以罚款",
                    cite(_LCR, 35),
                    Trigger.IF_SERIOUS,
                    amount=AmountSpec(Basis.PER_WORKER, _d("1000.00"), _d("5000.00")),
                    superseded_by=cite(_LCL, 92, 2),
                    superseded_note=(
                        "2012年修正的劳动合同法第九十二条第二款规定以每人5000元以上10000元以下的标准处罚，"
                        "法律效力高于实施条例且施行在后，实施条例第三十五条的旧标准不再适用。"
                    ),
                ),
            ),
            fact_labels={Fact.WORKERS: "涉及的被派遣劳动者人数"},
        ),
        # -- 社会保险法 arts. 84, 86 ---------------------------------------------------------
        Rule(
            v.NO_SOCIAL_INSURANCE_REGISTRATION,
            "未办理社会保险登记",
            "用人单位不办理社会保险登记",
            cite(_SIL, 84),
            (
                _order(cite(_SIL, 84), "由社会保险行政部门责令限期改正"),
                _fine(
                    cite(_SIL, 84),
                    Basis.MULTIPLE,
                    "1",
                    "3",
                    "逾期不改正的，对用人单位处应缴社会保险费数额1倍以上3倍以下的罚款",
                    trigger=Trigger.IF_NOT_CORRECTED,
                ),
                _fine(
                    cite(_SIL, 84),
                    Basis.PER_PERSON,
                    "500.00",
                    "3000.00",
                    "逾期不改正的，对直接负责的主管人员和其他直接责任人员每人处500元以上3000元以下的罚款",
                    trigger=Trigger.IF_NOT_CORRECTED,
                    liable=Liable.RESPONSIBLE_PERSONS,
                ),
            ),
            fact_labels={Fact.AMOUNT: "应缴社会保险费数额"},
        ),
        Rule(
            v.SOCIAL_INSURANCE_ARREARS,
            "未按时足额缴纳社会保险费",
            "用人单位未按时足额缴纳社会保险费",
            cite(_SIL, 86),
            (
                _order(cite(_SIL, 86), "由社会保险费征收机构责令限期缴纳或者补足"),
                Consequence(
                    ConsequenceKind.LATE_FEE,
                    "自欠缴之日起，按日加收万分之五的滞纳金（单利，法律未规定复利）",
                    cite(_SIL, 86),
                    amount=AmountSpec(Basis.PER_DAY_RATE, _d("0.0005"), _d("0.0005")),
                ),
                _fine(
                    cite(_SIL, 86),
                    Basis.MULTIPLE,
                    "1",
                    "3",
                    "逾期仍不缴纳的，由有关行政部门处欠缴数额1倍以上3倍以下的罚款",
                    trigger=Trigger.IF_NOT_CORRECTED,
                ),
            ),
            related=(cite(_SIL, 63),),
            fact_labels={Fact.AMOUNT: "欠缴社会保险费数额", Fact.DAYS: "自欠缴之日起的天数"},
            notes=("社会保险费的征收目前多由税务部门负责，滞纳金由征收机构加收 [M]。",),
        ),
        # -- 保障农民工工资支付条例 arts. 54–57 ----------------------------------------------
        _wage_management_rule(
            v.WAGE_IN_KIND,
            "以实物、有价证券等代替货币支付工资",
            "以实物、有价证券等形式代替货币支付农民工工资",
            1,
        ),
        _wage_management_rule(
            v.NO_WAGE_LEDGER,
            "未编制工资支付台账或未提供工资清单",
            "未编制工资支付台账并依法保存，或者未向农民工提供工资清单",
            2,
        ),
        _wage_management_rule(
            v.WITHHOLD_WAGE_CARD,
            "扣押农民工社会保障卡或银行卡",
            "扣押或者变相扣押用于支付农民工工资的银行账户所绑定的农民工本人社会保障卡或者银行卡",
            3,
        ),
        _project_account_rule(
            v.NO_DEDICATED_ACCOUNT,
            "未按规定开设或使用农民工工资专用账户",
            "施工总承包单位未按规定开设或者使用农民工工资专用账户",
            1,
        ),
        _project_account_rule(
            v.NO_WAGE_DEPOSIT,
            "未按规定存储工资保证金或提供保函",
            "施工总承包单位未按规定存储工资保证金或者未提供金融机构保函",
            2,
        ),
        _project_account_rule(
            v.NO_REAL_NAME_MANAGEMENT,
            "未实行劳动用工实名制管理",
            "施工总承包单位、分包单位未实行劳动用工实名制管理",
            3,
        ),
        Rule(
            v.SUBCONTRACTOR_DUTIES,
            "分包用工管理及维权信息公示义务未履行",
            "分包单位未按月考核工作量、编制工资支付表并经农民工签字确认；施工总承包单位未对分包单位劳动用工"
            "实施监督管理；分包单位未配合监督管理；施工总承包单位未实行施工现场维权信息公示制度",
            cite(_MWR, 56, None, 1, 2, 3, 4),
            (
                _order(
                    cite(_MWR, 56, None, 1, 2, 3, 4),
                    "由人力资源社会保障行政部门、相关行业工程建设主管部门按照职责责令限期改正",
                ),
                _fine(
                    cite(_MWR, 56, None, 1, 2, 3, 4),
                    Basis.PER_CASE,
                    "50000.00",
                    "100000.00",
                    "逾期不改正的，处5万元以上10万元以下的罚款",
                    trigger=Trigger.IF_NOT_CORRECTED,
                ),
            ),
        ),
        Rule(
            v.DEVELOPER_DUTIES,
            "建设单位工程款支付担保、人工费拨付及资料提供义务未履行",
            "建设单位未依法提供工程款支付担保，或未按约定及时足额向农民工工资专用账户拨付人工费用；"
            "建设单位或者施工总承包单位拒不提供或者无法提供工程施工合同、专用账户有关资料",
            cite(_MWR, 57, None, 1, 2, 3),
            (
                _order(
                    cite(_MWR, 57, None, 1, 2, 3),
                    "由人力资源社会保障行政部门、相关行业工程建设主管部门按照职责责令限期改正",
                ),
                Consequence(
                    ConsequenceKind.SUSPEND_PROJECT,
                    "逾期不改正的，责令项目停工",
                    cite(_MWR, 57, None, 1, 2, 3),
                    Trigger.IF_NOT_CORRECTED,
                ),
                _fine(
                    cite(_MWR, 57, None, 1, 2, 3),
                    Basis.PER_CASE,
                    "50000.00",
                    "100000.00",
                    "逾期不改正的，并处5万元以上10万元以下的罚款",
                    trigger=Trigger.IF_NOT_CORRECTED,
                ),
            ),
        ),
    ]
    return {rule.violation: rule for rule in rules}


RULES: Final[Mapping[Violation, Rule]] = _build_rules()

DISCLAIMER: Final = (
    "本结果依据法律、行政法规条文计算，仅供办案人员裁量参考；具体处理应结合违法情节、"
    "本省行政处罚裁量基准，依法定程序作出决定。"
)

# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactUse:
    fact: Fact
    label: str


@dataclass(frozen=True, slots=True)
class AmountResult:
    basis: Basis
    per_unit_min: Decimal
    per_unit_max: Decimal
    min: Decimal | None  # None when a needed fact is missing
    max: Decimal | None
    missing_facts: tuple[Fact, ...]
    formula: str


@dataclass(frozen=True, slots=True)
class ConsequenceResult:
    kind: ConsequenceKind
    summary: str
    citation: Citation
    trigger: Trigger
    discretionary: bool
    liable: Liable
    applies: bool | None  # None: the facts do not say whether the trigger has occurred
    amount: AmountResult | None
    superseded_by: Citation | None
    superseded_note: str | None


@dataclass(frozen=True, slots=True)
class Condition:
    code: str
    label: str
    holds: bool | None
    missing_facts: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class CrimeCheck:
    status: str  # "met" | "not_met" | "undetermined"
    suspect_crime: bool | None
    suggest_action: str | None
    conditions: tuple[Condition, ...]
    missing_facts: tuple[Fact, ...]
    thresholds: CrimeThresholds
    citations: tuple[Citation, ...]
    note: str


@dataclass(frozen=True, slots=True)
class Guide:
    violation: Violation
    title: str
    summary: str
    citation: Citation
    related: tuple[Citation, ...]
    facts: tuple[FactUse, ...]
    consequences: tuple[ConsequenceResult, ...]
    superseded: tuple[ConsequenceResult, ...]
    missing_facts: tuple[Fact, ...]
    notes: tuple[str, ...]
    crime_check: CrimeCheck | None
    disclaimer: str


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def _and(values: Iterable[bool | None]) -> bool | None:
    """Three-valued AND: one False decides; otherwise any unknown leaves it unknown."""
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _or(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: one True decides; otherwise any unknown leaves it unknown."""
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _ratio(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _yuan_range(low: Decimal, high: Decimal) -> str:
    if low == high:
        return f"{format_money(low)} 元"
    return f"{format_money(low)}–{format_money(high)} 元"


def _months(spec: AmountSpec, facts: Facts) -> int | None:
    assert spec.months_fact is not None
    raw = facts.get(spec.months_fact)
    if raw is None:
        return None
    months = max(int(raw) - spec.months_offset, 0)
    return months if spec.months_cap is None else min(months, spec.months_cap)


def _given(rule: Rule, fact: Fact, value: object, unit: str) -> str:
    if value is None:
        return f"{rule.label(fact)}（未提供）"
    if isinstance(value, Decimal):
        return f"{rule.label(fact)} {format_money(value)} 元"
    return f"{value} {unit}"


def _compute_amount(rule: Rule, spec: AmountSpec, facts: Facts) -> AmountResult:
    missing = tuple(f for f in spec.facts if facts.get(f) is None)
    low: Decimal | None = None
    high: Decimal | None = None
    match spec.basis:
        case Basis.PER_WORKER | Basis.PER_PERSON:
            count_fact = spec.facts[0]
            count = facts.get(count_fact)
            formula = f"每人 {_yuan_range(spec.low, spec.high)} × {_given(rule, count_fact, count, '人')}"
            if count is not None:
                low, high = spec.low * int(count), spec.high * int(count)
        case Basis.PER_CASE:
            formula = _yuan_range(spec.low, spec.high)
            low, high = spec.low, spec.high
        case Basis.MULTIPLE | Basis.PERCENT_OF_AMOUNT_DUE:
            amount = facts.amount
            if spec.basis is Basis.MULTIPLE:
                ratio = f"{_ratio(spec.low)}–{_ratio(spec.high)} 倍"
            else:
                ratio = f"{_ratio(spec.low * 100)}%–{_ratio(spec.high * 100)}%"
            formula = f"{_given(rule, Fact.AMOUNT, amount, '元')} × {ratio}"
            if amount is not None:
                low, high = spec.low * amount, spec.high * amount
        case Basis.PER_DAY_RATE:
            amount, days = facts.amount, facts.days
            formula = (
                f"{_given(rule, Fact.AMOUNT, amount, '元')} × 每日 {_ratio(spec.low * 100)}% × "
                f"{_given(rule, Fact.DAYS, days, '日')}"
            )
            if amount is not None and days is not None:
                low, high = spec.low * amount * days, spec.high * amount * days
        case Basis.MONTHLY_WAGE:
            assert spec.months_fact is not None
            wage, months = facts.monthly_wage, _months(spec, facts)
            counted = _given(rule, spec.months_fact, months, "个月")
            if months is not None and (spec.months_offset or spec.months_cap is not None):
                counted += f"（{rule.label(spec.months_fact)} {facts.get(spec.months_fact)}，"
                counted += f"扣除首{spec.months_offset}个月"
                counted += f"，最多{spec.months_cap}个月）" if spec.months_cap is not None else "）"
            formula = f"{_given(rule, Fact.MONTHLY_WAGE, wage, '元')} × {_ratio(spec.low)} 倍 × {counted}"
            if wage is not None and months is not None:
                low, high = spec.low * wage * months, spec.high * wage * months
    return AmountResult(
        basis=spec.basis,
        per_unit_min=spec.low,
        per_unit_max=spec.high,
        min=None if low is None else quantize_money(low),
        max=None if high is None else quantize_money(high),
        missing_facts=missing,
        formula=formula,
    )


def _applies(consequence: Consequence, facts: Facts) -> bool | None:
    match consequence.trigger:
        case Trigger.IMMEDIATE:
            return True
        case Trigger.IF_SERIOUS:
            return facts.serious
        case Trigger.IF_NOT_CORRECTED:
            # For payment orders "unpaid" is the same fact as "not corrected".
            if facts.corrected is not None:
                not_corrected: bool | None = not facts.corrected
            else:
                not_corrected = facts.unpaid
            return _and((facts.deadline_passed, not_corrected))


def _consequence_result(rule: Rule, consequence: Consequence, facts: Facts) -> ConsequenceResult:
    superseded = consequence.superseded_by is not None
    return ConsequenceResult(
        kind=consequence.kind,
        summary=consequence.summary,
        citation=consequence.citation,
        trigger=consequence.trigger,
        discretionary=consequence.discretionary,
        liable=consequence.liable,
        applies=False if superseded else _applies(consequence, facts),
        amount=None if consequence.amount is None else _compute_amount(rule, consequence.amount, facts),
        superseded_by=consequence.superseded_by,
        superseded_note=consequence.superseded_note,
    )


def evaluate(violation: Violation, facts: Facts, *, thresholds: CrimeThresholds) -> Guide:
    """The guide for one violation: consequences with amounts computed from ``facts``."""
    rule = RULES[violation]
    results = [_consequence_result(rule, c, facts) for c in rule.consequences]
    current = tuple(r for r in results if r.superseded_by is None)
    superseded = tuple(r for r in results if r.superseded_by is not None)
    missing = [f for r in current if r.amount is not None for f in r.amount.missing_facts]
    crime = check_crime(facts, thresholds) if rule.crime_check else None
    if crime is not None:
        missing.extend(crime.missing_facts)
    return Guide(
        violation=rule.violation,
        title=rule.title,
        summary=rule.summary,
        citation=rule.citation,
        related=_related(rule),
        facts=tuple(FactUse(f, rule.label(f)) for f in rule.facts),
        consequences=current,
        superseded=superseded,
        missing_facts=tuple(dict.fromkeys(missing)),
        notes=rule.notes,
        crime_check=crime,
        disclaimer=DISCLAIMER,
    )


@dataclass(frozen=True, slots=True)
class ViolationInfo:
    violation: Violation
    title: str
    summary: str
    citation: Citation
    related: tuple[Citation, ...]
    kinds: tuple[ConsequenceKind, ...]
    facts: tuple[FactUse, ...]
    crime_check: bool


def catalogue() -> tuple[ViolationInfo, ...]:
    """Every violation the guide knows, in declaration order, with what it cites and needs."""
    return tuple(
        ViolationInfo(
            violation=rule.violation,
            title=rule.title,
            summary=rule.summary,
            citation=rule.citation,
            related=_related(rule),
            kinds=rule.kinds,
            facts=tuple(FactUse(f, rule.label(f)) for f in rule.facts),
            crime_check=rule.crime_check,
        )
        for rule in (RULES[v] for v in Violation)
    )


def _related(rule: Rule) -> tuple[Citation, ...]:
    """Every citation the rule rests on besides its primary one, without repeats."""
    cited = [c.citation for c in rule.consequences] + [
        c.superseded_by for c in rule.consequences if c.superseded_by is not None
    ]
    cited.extend(rule.related)
    return tuple(c for c in dict.fromkeys(cited) if c != rule.citation)


# --------------------------------------------------------------------------------------------
# Crime check (domain.md §2.8)
# --------------------------------------------------------------------------------------------

CRIME_FACTS: Final = (
    Fact.ORDER_SERVED,
    Fact.DEADLINE_PASSED,
    Fact.UNPAID,
    Fact.WORKERS,
    Fact.AMOUNT,
    Fact.MONTHS_UNPAID,
    Fact.MAX_WORKER_AMOUNT,
    Fact.EVASION_MEANS,
    Fact.ABLE_TO_PAY,
)

CRIME_CITATIONS: Final = (
    cite(Law.CRIMINAL_LAW, "276-1"),
    cite(Law.REFUSAL_TO_PAY_INTERPRETATION, 3),
    cite(Law.REFUSAL_TO_PAY_INTERPRETATION, 4),
    cite(_MWR, 41, 2),
    cite(_LIR, 18, 2),
)

CRIME_NOTE: Final = (
    "数额较大的具体标准由各省高级人民法院在法释〔2013〕3号第三条规定的幅度内确定；云南省标准未经核实，"
    "本系统使用配置值 [M]，请以现行标准为准。涉嫌犯罪的，应当及时移送公安机关"
    "（保障农民工工资支付条例第四十一条第二款）。"
)


def _fact_condition(code: str, label: str, fact: Fact, facts: Facts) -> Condition:
    value = facts.get(fact)
    holds = None if value is None else bool(value)
    return Condition(code, label, holds, (fact,) if value is None else ())


def _at_least(value: int | Decimal | None, threshold: int | Decimal) -> bool | None:
    return None if value is None else value >= threshold


def check_crime(facts: Facts, thresholds: CrimeThresholds) -> CrimeCheck:
    """拒不支付劳动报酬罪 transfer check (刑法 art. 276-1, 法释〔2013〕3号 arts. 3–4).

    ``suspect_crime = order_served ∧ deadline_passed ∧ unpaid ∧ (single ∨ group) ∧
    (evasion_means ∨ able_to_pay)``, every bound inclusive. Unknown facts give ``None`` unless
    another condition already decides. The single-worker amount is ``max_worker_amount`` when
    given, otherwise ``amount`` when exactly one worker is concerned; with several workers the
    total says nothing about any one of them, so it is not used for the single-worker branch.
    """
    served = _fact_condition(
        "order_served",
        "已依法送达限期整改指令书或行政处理决定书（逃匿的，在住所地或经营场所张贴并拍照、录像视为送达）",
        Fact.ORDER_SERVED,
        facts,
    )
    passed = _fact_condition(
        "deadline_passed", "指令书或决定书规定的支付期限已届满", Fact.DEADLINE_PASSED, facts
    )
    unpaid = _fact_condition("unpaid", "期限届满仍不支付", Fact.UNPAID, facts)

    # Single worker: months and amount of one worker.
    worker_amount: Decimal | None
    worker_amount_missing: tuple[Fact, ...] = ()
    if facts.max_worker_amount is not None:
        worker_amount = facts.max_worker_amount
    elif facts.workers == 1:
        worker_amount = facts.amount
        worker_amount_missing = (Fact.AMOUNT,) if facts.amount is None else ()
    else:
        worker_amount = None
        worker_amount_missing = (Fact.WORKERS,) if facts.workers is None else (Fact.MAX_WORKER_AMOUNT,)
    months_ok = _at_least(facts.months_unpaid, thresholds.single_worker_months)
    single_amount_ok = _at_least(worker_amount, thresholds.single_worker_amount)
    single_holds = _and((months_ok, single_amount_ok))
    single_missing = ((Fact.MONTHS_UNPAID,) if months_ok is None else ()) + (
        worker_amount_missing if single_amount_ok is None else ()
    )
    single = Condition(
        "amount_single_worker",
        f"拒不支付一名劳动者{thresholds.single_worker_months}个月以上的劳动报酬且数额在"
        f"{format_money(thresholds.single_worker_amount)}元以上",
        single_holds,
        single_missing if single_holds is None else (),
    )

    # Group: headcount and cumulative amount.
    workers_ok = _at_least(facts.workers, thresholds.group_workers)
    total_ok = _at_least(facts.amount, thresholds.group_amount)
    group_holds = _and((workers_ok, total_ok))
    group_missing = ((Fact.WORKERS,) if workers_ok is None else ()) + (
        (Fact.AMOUNT,) if total_ok is None else ()
    )
    group = Condition(
        "amount_group",
        f"拒不支付{thresholds.group_workers}名以上劳动者的劳动报酬且数额累计在"
        f"{format_money(thresholds.group_amount)}元以上",
        group_holds,
        group_missing if group_holds is None else (),
    )

    threshold_holds = _or((single.holds, group.holds))
    threshold = Condition(
        "amount_threshold",
        "数额较大（满足一名劳动者或多名劳动者的数额标准之一）",
        threshold_holds,
        tuple(dict.fromkeys(single.missing_facts + group.missing_facts)) if threshold_holds is None else (),
    )

    ability_holds = _or((facts.evasion_means, facts.able_to_pay))
    ability = Condition(
        "evasion_or_ability",
        "以转移财产、逃匿等方法逃避支付，或者有能力支付而不支付",
        ability_holds,
        tuple(f for f in (Fact.EVASION_MEANS, Fact.ABLE_TO_PAY) if facts.get(f) is None)
        if ability_holds is None
        else (),
    )

    deciding = (served, passed, unpaid, threshold, ability)
    suspect = _and(c.holds for c in deciding)
    status = {True: "met", False: "not_met", None: "undetermined"}[suspect]
    missing = tuple(dict.fromkeys(f for c in deciding for f in c.missing_facts)) if suspect is None else ()
    return CrimeCheck(
        status=status,
        suspect_crime=suspect,
        suggest_action="transfer_police" if suspect else None,
        conditions=(served, passed, unpaid, threshold, single, group, ability),
        missing_facts=missing,
        thresholds=thresholds,
        citations=CRIME_CITATIONS,
        note=CRIME_NOTE,
    )
