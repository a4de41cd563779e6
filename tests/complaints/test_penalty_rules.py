"""Penalty guide rules (domain.md §2.7, §2.8): every article row computed from facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from complaints.config import CrimeThresholds
from complaints.penalty.rules import (
    RULES,
    AmountResult,
    Basis,
    Citation,
    ConsequenceKind,
    ConsequenceResult,
    CrimeCheck,
    Fact,
    Facts,
    Guide,
    Law,
    Liable,
    Trigger,
    Violation,
    catalogue,
    check_crime,
    chinese_number,
    evaluate,
)

DEFAULT = CrimeThresholds()


def guide(violation: Violation, **facts: object) -> Guide:
    return evaluate(violation, Facts(**facts), thresholds=DEFAULT)  # type: ignore[arg-type]


def of_kind(g: Guide, kind: ConsequenceKind, *, liable: Liable = Liable.UNIT) -> list[ConsequenceResult]:
    return [c for c in g.consequences if c.kind is kind and c.liable is liable]


def only(g: Guide, kind: ConsequenceKind, *, liable: Liable = Liable.UNIT) -> ConsequenceResult:
    found = of_kind(g, kind, liable=liable)
    assert len(found) == 1, found
    return found[0]


def amount_of(c: ConsequenceResult) -> AmountResult:
    assert c.amount is not None
    return c.amount


def money_range(c: ConsequenceResult) -> tuple[Decimal | None, Decimal | None]:
    a = amount_of(c)
    return a.min, a.max


def d(text: str) -> Decimal:
    return Decimal(text)


# -- data -------------------------------------------------------------------------------------


def test_every_violation_has_a_rule_and_a_citation() -> None:
    assert set(RULES) == set(Violation)
    listed = catalogue()
    assert [i.violation for i in listed] == list(Violation)
    for info in listed:
        assert info.citation.text.startswith(info.citation.law_title + " 第")
        assert info.kinds, info.violation


def test_citation_text_in_statute_style() -> None:
    assert Citation(Law.LABOR_INSPECTION_REGULATION, "26").text == "劳动保障监察条例 第二十六条"
    assert Citation(Law.LABOR_INSPECTION_REGULATION, "27", 2).text == "劳动保障监察条例 第二十七条第二款"
    assert (
        Citation(Law.LABOR_INSPECTION_REGULATION, "30", 1, (4,)).text
        == "劳动保障监察条例 第三十条第一款第（四）项"
    )
    assert Citation(Law.CRIMINAL_LAW, "276-1").text == "刑法 第二百七十六条之一"
    assert (
        RULES[Violation.JUVENILE_PROTECTION].citation.text == "劳动保障监察条例 第二十三条第（七）、（八）项"
    )
    assert (
        RULES[Violation.FEMALE_PROTECTION].citation.text
        == "劳动保障监察条例 第二十三条第（一）项至第（六）项"
    )


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (23, "二十三"),
        (92, "九十二"),
        (105, "一百零五"),
        (110, "一百一十"),
    ],
)
def test_chinese_numbers(n: int, text: str) -> None:
    assert chinese_number(n) == text


# -- 劳动保障监察条例 art. 23 ----------------------------------------------------------------


@pytest.mark.parametrize("violation", [Violation.FEMALE_PROTECTION, Violation.JUVENILE_PROTECTION])
def test_art23_per_affected_worker(violation: Violation) -> None:
    g = guide(violation, workers=3)
    fine = only(g, ConsequenceKind.FINE)
    assert money_range(fine) == (d("3000.00"), d("15000.00"))
    assert amount_of(fine).basis is Basis.PER_WORKER
    assert fine.citation.article == "23"
    assert only(g, ConsequenceKind.ORDER_TO_CORRECT).applies is True
    assert g.missing_facts == ()


def test_missing_fact_gives_per_unit_range_and_names_the_fact() -> None:
    g = guide(Violation.FEMALE_PROTECTION)
    amount = amount_of(only(g, ConsequenceKind.FINE))
    assert (amount.min, amount.max) == (None, None)
    assert (amount.per_unit_min, amount.per_unit_max) == (d("1000.00"), d("5000.00"))
    assert amount.missing_facts == (Fact.WORKERS,)
    assert g.missing_facts == (Fact.WORKERS,)
    assert "未提供" in amount.formula


# -- art. 24 and 劳动合同法 art. 82 ----------------------------------------------------------


def test_art24_no_contract_order_only_plus_double_wages_owed_to_worker() -> None:
    g = guide(Violation.NO_CONTRACT, monthly_wage=d("4000.00"), months_without_contract=4)
    assert of_kind(g, ConsequenceKind.FINE) == []
    orders = of_kind(g, ConsequenceKind.ORDER_TO_CORRECT)
    assert [o.citation.article for o in orders] == ["24", "34"]
    double = only(g, ConsequenceKind.COMPENSATION)
    assert double.citation == Citation(Law.LABOR_CONTRACT_LAW, "82", 1)
    assert "不是罚款" in double.summary
    # Month 1 is the lawful time to sign: months 2-4 owe the extra wage.
    assert money_range(double) == (d("12000.00"), d("12000.00"))
    assert amount_of(double).basis is Basis.MONTHLY_WAGE


@pytest.mark.parametrize(
    ("months", "owed"), [(0, "0.00"), (1, "0.00"), (2, "4000.00"), (12, "44000.00"), (30, "44000.00")]
)
def test_double_wage_months_are_capped_at_eleven(months: int, owed: str) -> None:
    g = guide(Violation.NO_CONTRACT, monthly_wage=d("4000.00"), months_without_contract=months)
    assert money_range(only(g, ConsequenceKind.COMPENSATION)) == (d(owed), d(owed))


def test_double_wages_missing_months_listed() -> None:
    g = guide(Violation.NO_CONTRACT, monthly_wage=d("4000.00"))
    assert amount_of(only(g, ConsequenceKind.COMPENSATION)).missing_facts == (Fact.MONTHS_WITHOUT_CONTRACT,)
    assert g.missing_facts == (Fact.MONTHS_WITHOUT_CONTRACT,)


def test_art82_para2_open_ended_contract_no_cap() -> None:
    g = guide(Violation.NO_OPEN_ENDED_CONTRACT, monthly_wage=d("5000.00"), months_since_open_ended_due=14)
    assert money_range(only(g, ConsequenceKind.COMPENSATION)) == (d("70000.00"), d("70000.00"))


def test_lcl83_illegal_probation_compensation() -> None:
    g = guide(Violation.ILLEGAL_PROBATION, monthly_wage=d("4500.00"), excess_probation_months=2)
    assert money_range(only(g, ConsequenceKind.COMPENSATION)) == (d("9000.00"), d("9000.00"))


# -- art. 25 ----------------------------------------------------------------------------------


def test_art25_overtime_warning_and_discretionary_per_worker_fine() -> None:
    g = guide(Violation.EXCESS_OVERTIME, workers=4)
    assert only(g, ConsequenceKind.WARNING).applies is True
    fine = only(g, ConsequenceKind.FINE)
    assert fine.discretionary is True
    assert money_range(fine) == (d("400.00"), d("2000.00"))


# -- art. 26 and 劳动合同法 art. 85 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("violation", "item"),
    [(Violation.WAGE_ARREARS, 1), (Violation.BELOW_MINIMUM_WAGE, 2), (Violation.NO_SEVERANCE, 3)],
)
def test_art26_additional_compensation_50_to_100_percent(violation: Violation, item: int) -> None:
    g = guide(violation, amount=d("36000.00"))
    assert g.citation == Citation(Law.LABOR_INSPECTION_REGULATION, "26", None, (item,))
    extra = only(g, ConsequenceKind.COMPENSATION)
    assert extra.trigger is Trigger.IF_NOT_CORRECTED
    assert money_range(extra) == (d("18000.00"), d("36000.00"))
    assert amount_of(extra).basis is Basis.PERCENT_OF_AMOUNT_DUE
    assert of_kind(g, ConsequenceKind.FINE) == []
    assert any(c.law is Law.LABOR_CONTRACT_LAW and c.article == "85" for c in g.related)


def test_art26_half_cent_rounds_half_up() -> None:
    g = guide(Violation.WAGE_ARREARS, amount=d("100.01"))
    assert money_range(only(g, ConsequenceKind.COMPENSATION)) == (d("50.01"), d("100.01"))


def test_compensation_applies_only_after_the_deadline_unpaid() -> None:
    unknown = only(guide(Violation.WAGE_ARREARS, amount=d("1000.00")), ConsequenceKind.COMPENSATION)
    assert unknown.applies is None
    due = only(
        guide(Violation.WAGE_ARREARS, amount=d("1000.00"), deadline_passed=True, unpaid=True),
        ConsequenceKind.COMPENSATION,
    )
    assert due.applies is True
    paid = only(
        guide(Violation.WAGE_ARREARS, amount=d("1000.00"), deadline_passed=True, unpaid=False),
        ConsequenceKind.COMPENSATION,
    )
    assert paid.applies is False
    early = only(
        guide(Violation.WAGE_ARREARS, amount=d("1000.00"), deadline_passed=False),
        ConsequenceKind.COMPENSATION,
    )
    assert early.applies is False


def test_lcl85_unpaid_overtime() -> None:
    g = guide(Violation.UNPAID_OVERTIME, amount=d("10000.00"))
    assert g.citation == Citation(Law.LABOR_CONTRACT_LAW, "85", None, (3,))
    assert money_range(only(g, ConsequenceKind.COMPENSATION)) == (d("5000.00"), d("10000.00"))


def test_crime_check_only_for_labour_remuneration() -> None:
    assert guide(Violation.WAGE_ARREARS).crime_check is not None
    assert guide(Violation.UNPAID_OVERTIME).crime_check is not None
    assert guide(Violation.NO_SEVERANCE).crime_check is None
    assert guide(Violation.FEMALE_PROTECTION).crime_check is None


# -- art. 27 ----------------------------------------------------------------------------------


def test_art27_para1_underdeclared_one_to_three_times() -> None:
    g = guide(Violation.UNDERDECLARED_SOCIAL_INSURANCE, amount=d("20000.00"))
    fine = only(g, ConsequenceKind.FINE)
    assert fine.citation == Citation(Law.LABOR_INSPECTION_REGULATION, "27", 1)
    assert money_range(fine) == (d("20000.00"), d("60000.00"))
    assert amount_of(fine).basis is Basis.MULTIPLE


def test_art27_para2_fraud_social_insurance_law_88_prevails() -> None:
    g = guide(Violation.SOCIAL_INSURANCE_FRAUD, amount=d("10000.00"))
    fine = only(g, ConsequenceKind.FINE)
    assert fine.citation == Citation(Law.SOCIAL_INSURANCE_LAW, "88")
    assert money_range(fine) == (d("20000.00"), d("50000.00"))
    [old] = g.superseded
    assert old.citation == Citation(Law.LABOR_INSPECTION_REGULATION, "27", 2)
    assert old.superseded_by == Citation(Law.SOCIAL_INSURANCE_LAW, "88")
    assert old.applies is False
    assert money_range(old) == (d("10000.00"), d("30000.00"))
    assert old.superseded_note is not None and "第八十八条" in old.superseded_note
    assert any("优先" in note for note in g.notes)


# -- art. 28 ----------------------------------------------------------------------------------


def test_art28_agencies_per_case_confiscation_and_licence_when_serious() -> None:
    g = guide(Violation.AGENCY_VIOLATION)
    assert money_range(only(g, ConsequenceKind.FINE)) == (d("10000.00"), d("50000.00"))
    assert only(g, ConsequenceKind.CONFISCATE).amount is None
    assert only(g, ConsequenceKind.REVOKE_LICENCE).applies is None
    serious = guide(Violation.AGENCY_VIOLATION, serious=True)
    assert only(serious, ConsequenceKind.REVOKE_LICENCE).applies is True
    assert g.missing_facts == ()


# -- art. 29 ----------------------------------------------------------------------------------


def test_art29_union_obstruction_order_only() -> None:
    g = guide(Violation.UNION_OBSTRUCTION, workers=5)
    assert [c.kind for c in g.consequences] == [ConsequenceKind.ORDER_TO_CORRECT]
    assert g.consequences[0].amount is None


# -- art. 30 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("violation", "item"),
    [(Violation.OBSTRUCT_INSPECTION, 1), (Violation.CONCEAL_EVIDENCE, 2), (Violation.REFUSE_CORRECTION, 3)],
)
def test_art30_items_1_to_3_fined_per_case(violation: Violation, item: int) -> None:
    g = guide(violation)
    fine = only(g, ConsequenceKind.FINE)
    assert fine.citation == Citation(Law.LABOR_INSPECTION_REGULATION, "30", 1, (item,))
    assert money_range(fine) == (d("2000.00"), d("20000.00"))


def test_art30_item4_retaliation_order_to_correct_only() -> None:
    g = guide(Violation.RETALIATION)
    assert g.citation == Citation(Law.LABOR_INSPECTION_REGULATION, "30", 1, (4,))
    assert [c.kind for c in g.consequences] == [ConsequenceKind.ORDER_TO_CORRECT]
    assert of_kind(g, ConsequenceKind.FINE) == []


# -- 劳动合同法 arts. 84, 92 -----------------------------------------------------------------


def test_lcl84_para1_id_documents_return_without_computed_fine() -> None:
    g = guide(Violation.WITHHOLD_ID_DOCUMENTS, workers=3)
    assert [c.kind for c in g.consequences] == [ConsequenceKind.ORDER_TO_CORRECT]
    assert any("有关法律" in note for note in g.notes)


@pytest.mark.parametrize(
    ("violation", "paragraph"), [(Violation.ILLEGAL_DEPOSIT, 2), (Violation.WITHHOLD_ARCHIVE, 3)]
)
def test_lcl84_para2_and_3_per_worker(violation: Violation, paragraph: int) -> None:
    g = guide(violation, workers=5)
    fine = only(g, ConsequenceKind.FINE)
    assert fine.citation == Citation(Law.LABOR_CONTRACT_LAW, "84", paragraph)
    assert money_range(fine) == (d("2500.00"), d("10000.00"))
    assert only(g, ConsequenceKind.COMPENSATION).amount is None


def test_lcl92_para2_dispatch_per_person_after_deadline() -> None:
    g = guide(Violation.DISPATCH_VIOLATION, workers=3, deadline_passed=True, corrected=False)
    fine = only(g, ConsequenceKind.FINE)
    assert fine.trigger is Trigger.IF_NOT_CORRECTED
    assert fine.applies is True
    assert money_range(fine) == (d("15000.00"), d("30000.00"))
    assert only(g, ConsequenceKind.REVOKE_LICENCE).applies is True
    [old] = g.superseded
    assert old.citation == Citation(Law.LABOR_CONTRACT_LAW_REGULATION, "35")
    assert money_range(old) == (d("3000.00"), d("15000.00"))


def test_corrected_in_time_means_no_after_deadline_fine() -> None:
    g = guide(Violation.DISPATCH_VIOLATION, workers=3, deadline_passed=True, corrected=True)
    assert only(g, ConsequenceKind.FINE).applies is False


# -- 社会保险法 arts. 84, 86 -----------------------------------------------------------------


def test_sil84_registration_unit_multiple_and_persons_range() -> None:
    g = guide(Violation.NO_SOCIAL_INSURANCE_REGISTRATION, amount=d("50000.00"), responsible_persons=2)
    assert money_range(only(g, ConsequenceKind.FINE)) == (d("50000.00"), d("150000.00"))
    persons = only(g, ConsequenceKind.FINE, liable=Liable.RESPONSIBLE_PERSONS)
    assert money_range(persons) == (d("1000.00"), d("6000.00"))
    assert amount_of(persons).basis is Basis.PER_PERSON


def test_sil84_missing_persons_listed() -> None:
    g = guide(Violation.NO_SOCIAL_INSURANCE_REGISTRATION, amount=d("50000.00"))
    persons = amount_of(only(g, ConsequenceKind.FINE, liable=Liable.RESPONSIBLE_PERSONS))
    assert (persons.min, persons.per_unit_min, persons.per_unit_max) == (None, d("500.00"), d("3000.00"))
    assert g.missing_facts == (Fact.RESPONSIBLE_PERSONS,)


def test_sil86_late_fee_per_day_and_fine_after_deadline() -> None:
    g = guide(Violation.SOCIAL_INSURANCE_ARREARS, amount=d("100000.00"), days=30)
    late = only(g, ConsequenceKind.LATE_FEE)
    assert amount_of(late).basis is Basis.PER_DAY_RATE
    assert money_range(late) == (d("1500.00"), d("1500.00"))
    fine = only(g, ConsequenceKind.FINE)
    assert fine.trigger is Trigger.IF_NOT_CORRECTED
    assert money_range(fine) == (d("100000.00"), d("300000.00"))


def test_sil86_late_fee_rounds_to_the_fen_and_lists_missing_days() -> None:
    g = guide(Violation.SOCIAL_INSURANCE_ARREARS, amount=d("12345.67"), days=7)
    assert money_range(only(g, ConsequenceKind.LATE_FEE)) == (d("43.21"), d("43.21"))
    missing = guide(Violation.SOCIAL_INSURANCE_ARREARS, amount=d("12345.67"))
    assert amount_of(only(missing, ConsequenceKind.LATE_FEE)).missing_facts == (Fact.DAYS,)
    assert missing.missing_facts == (Fact.DAYS,)


# -- 保障农民工工资支付条例 arts. 54–57 ------------------------------------------------------


@pytest.mark.parametrize(
    "violation", [Violation.WAGE_IN_KIND, Violation.NO_WAGE_LEDGER, Violation.WITHHOLD_WAGE_CARD]
)
def test_mwr54_unit_and_persons(violation: Violation) -> None:
    g = guide(violation, responsible_persons=2)
    assert g.citation.article == "54"
    assert money_range(only(g, ConsequenceKind.FINE)) == (d("20000.00"), d("50000.00"))
    persons = only(g, ConsequenceKind.FINE, liable=Liable.RESPONSIBLE_PERSONS)
    assert money_range(persons) == (d("20000.00"), d("60000.00"))
    assert of_kind(g, ConsequenceKind.SUSPEND_PROJECT) == []


@pytest.mark.parametrize(
    "violation",
    [Violation.NO_DEDICATED_ACCOUNT, Violation.NO_WAGE_DEPOSIT, Violation.NO_REAL_NAME_MANAGEMENT],
)
def test_mwr55_project_suspended_and_fined(violation: Violation) -> None:
    g = guide(violation, deadline_passed=True, corrected=False)
    assert g.citation.article == "55"
    assert only(g, ConsequenceKind.SUSPEND_PROJECT).applies is True
    assert money_range(only(g, ConsequenceKind.FINE)) == (d("50000.00"), d("100000.00"))
    for kind in (
        ConsequenceKind.RESTRICT_NEW_PROJECTS,
        ConsequenceKind.LOWER_QUALIFICATION,
        ConsequenceKind.REVOKE_LICENCE,
    ):
        assert only(g, kind).trigger is Trigger.IF_SERIOUS


def test_mwr56_subcontractor_fine_without_suspension() -> None:
    g = guide(Violation.SUBCONTRACTOR_DUTIES)
    assert g.citation.article == "56"
    assert money_range(only(g, ConsequenceKind.FINE)) == (d("50000.00"), d("100000.00"))
    assert of_kind(g, ConsequenceKind.SUSPEND_PROJECT) == []


def test_mwr57_developer_project_suspended_and_fined() -> None:
    g = guide(Violation.DEVELOPER_DUTIES)
    assert g.citation.article == "57"
    assert only(g, ConsequenceKind.SUSPEND_PROJECT).trigger is Trigger.IF_NOT_CORRECTED
    assert money_range(only(g, ConsequenceKind.FINE)) == (d("50000.00"), d("100000.00"))


# -- crime check (§2.8) -----------------------------------------------------------------------

READY = {"order_served": True, "deadline_passed": True, "unpaid": True, "able_to_pay": True}


def crime(thresholds: CrimeThresholds = DEFAULT, **facts: object) -> CrimeCheck:
    return check_crime(Facts(**{**READY, **facts}), thresholds)  # type: ignore[arg-type]


def condition(check: CrimeCheck, code: str) -> bool | None:
    return next(c.holds for c in check.conditions if c.code == code)


def test_single_worker_exactly_at_threshold_is_met() -> None:
    check = crime(workers=1, months_unpaid=3, amount=d("5000.00"))
    assert check.status == "met"
    assert check.suspect_crime is True
    assert check.suggest_action == "transfer_police"
    assert condition(check, "amount_single_worker") is True


def test_single_worker_one_cent_below_is_not_met() -> None:
    check = crime(workers=1, months_unpaid=3, amount=d("4999.99"))
    assert check.status == "not_met"
    assert check.suggest_action is None


def test_single_worker_one_month_short_is_not_met() -> None:
    assert crime(workers=1, months_unpaid=2, amount=d("9000.00")).status == "not_met"


def test_group_ten_workers_exactly_at_threshold_is_met() -> None:
    check = crime(workers=10, amount=d("30000.00"), months_unpaid=1)
    assert check.status == "met"
    assert condition(check, "amount_group") is True


def test_group_nine_workers_is_not_met() -> None:
    check = crime(workers=9, amount=d("30000.00"), months_unpaid=2)
    assert check.status == "not_met"
    assert condition(check, "amount_group") is False


def test_group_one_cent_below_is_not_met() -> None:
    assert crime(workers=10, amount=d("29999.99"), months_unpaid=2).status == "not_met"


def test_several_workers_use_the_largest_single_amount_not_the_total() -> None:
    # 9 workers, 3 months: the total says nothing about any one worker.
    unknown = crime(workers=9, amount=d("30000.00"), months_unpaid=3)
    assert unknown.status == "undetermined"
    assert unknown.suspect_crime is None
    assert unknown.missing_facts == (Fact.MAX_WORKER_AMOUNT,)
    met = crime(workers=9, amount=d("30000.00"), months_unpaid=3, max_worker_amount=d("5000.00"))
    assert met.status == "met"


def test_missing_facts_are_listed_not_guessed() -> None:
    check = check_crime(Facts(workers=12, amount=d("36000.00")), DEFAULT)
    assert check.status == "undetermined"
    assert check.suggest_action is None
    assert check.missing_facts == (
        Fact.ORDER_SERVED,
        Fact.DEADLINE_PASSED,
        Fact.UNPAID,
        Fact.EVASION_MEANS,
        Fact.ABLE_TO_PAY,
    )
    assert condition(check, "amount_threshold") is True


def test_no_order_served_is_not_met_whatever_else_is_unknown() -> None:
    check = check_crime(Facts(order_served=False), DEFAULT)
    assert check.status == "not_met"
    assert check.missing_facts == ()


def test_neither_evasion_nor_ability_is_not_met() -> None:
    check = crime(workers=12, amount=d("36000.00"), able_to_pay=False, evasion_means=False)
    assert check.status == "not_met"
    assert condition(check, "evasion_or_ability") is False


def test_evasion_alone_suffices() -> None:
    check = crime(workers=12, amount=d("36000.00"), able_to_pay=False, evasion_means=True)
    assert check.status == "met"


def test_custom_thresholds_from_settings() -> None:
    strict = CrimeThresholds(
        single_worker_months=6,
        single_worker_amount=Decimal("20000"),
        group_workers=20,
        group_amount=Decimal("100000"),
    )
    assert crime(strict, workers=10, amount=d("30000.00"), months_unpaid=1).status == "not_met"
    assert crime(strict, workers=20, amount=d("100000.00"), months_unpaid=1).status == "met"
    assert crime(strict, workers=19, amount=d("100000.00"), months_unpaid=1).status == "not_met"
    assert crime(strict, workers=1, months_unpaid=6, amount=d("20000.00")).status == "met"
    assert crime(strict, workers=1, months_unpaid=6, amount=d("19999.99")).status == "not_met"
    assert crime(strict, workers=1, months_unpaid=5, amount=d("20000.00")).status == "not_met"
    assert crime(strict, workers=1, months_unpaid=6, amount=d("20000.00")).thresholds is strict


def test_wage_arrears_guide_carries_the_crime_check() -> None:
    g = evaluate(
        Violation.WAGE_ARREARS,
        Facts(workers=12, amount=d("36000.00"), days=30, months_unpaid=4, evasion_means=False, **READY),  # type: ignore[arg-type]
        thresholds=DEFAULT,
    )
    assert g.crime_check is not None
    assert g.crime_check.suggest_action == "transfer_police"
    assert g.missing_facts == ()
