"""Reading what a hotline sends: the raw body (it is signed as bytes), then the checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

import orjson
import pydantic

from gateway.hotline.schemas import Respondent
from shared.errors import FieldError, ValidationFailed, pydantic_errors_to_field_errors
from shared.identifiers import IdentifierError, validate_uscc
from shared.timeutil import now_utc

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
# Clock skew tolerated on a sender's received_at.
_SKEW: Final = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a creating POST answers: 201 created, 200 a repeat, 202 kept and queued."""

    status: int
    body: dict[str, Any]


def parse(raw: bytes, model: type[ModelT]) -> tuple[dict[str, Any], ModelT]:
    """The JSON document as sent (kept whole) and its validated model."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValidationFailed([FieldError("body", "json_invalid", "请求体不是有效的 JSON")]) from None
    if not isinstance(document, dict):
        raise ValidationFailed([FieldError("body", "model_type", "请求体应为 JSON 对象")])
    try:
        return document, model.model_validate(document)
    except pydantic.ValidationError as exc:
        raise ValidationFailed(pydantic_errors_to_field_errors(exc.errors())) from None


def check_matter(*, received_at: datetime, respondent: Respondent | None, needs_respondent: bool) -> None:
    errors: list[FieldError] = []
    if received_at > now_utc() + _SKEW:
        errors.append(FieldError("received_at", "in_future", "受理时间不能晚于当前时间"))
    if needs_respondent and not (respondent and respondent.name):
        # Without a name the code must stand on its own: a case needs one or the other, and
        # the mapping drops a code that fails its check (the ticket would never be filed).
        if not (respondent and respondent.uscc):
            errors.append(
                FieldError(
                    "respondent.name", "missing", "投诉、举报事项须提供被反映单位名称或统一社会信用代码"
                )
            )
        else:
            try:
                validate_uscc(respondent.uscc)
            except IdentifierError as exc:
                errors.append(
                    FieldError(
                        "respondent.uscc",
                        exc.code,
                        f"{exc.message}；未提供被反映单位名称时，统一社会信用代码须有效",
                    )
                )
    if errors:
        raise ValidationFailed(errors)
