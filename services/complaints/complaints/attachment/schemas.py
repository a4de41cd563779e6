"""Request and response models of the attachment API (``/api/v1/complaints/{case_id}/attachments``)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

FILENAME_MAX_LENGTH = 200


def _check_filename(value: str) -> str:
    # The name is only ever shown back (Content-Disposition), but a client that saves it as is
    # must not be steered into another directory or shown a spoofed extension (bidi controls).
    if "/" in value or "\\" in value:
        raise PydanticCustomError("filename_invalid", "文件名不能包含路径分隔符（/ 或 \\）")
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        raise PydanticCustomError("filename_invalid", "文件名不能包含控制字符")
    if value in {".", ".."}:
        raise PydanticCustomError("filename_invalid", "文件名无效")
    return value


Filename = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=FILENAME_MAX_LENGTH),
    AfterValidator(_check_filename),
]


class AttachmentOut(BaseModel):
    id: str
    case_id: str
    filename: str = Field(description="上传时的原始文件名")
    content_type: str
    size: int = Field(description="字节数")
    sha256: str = Field(description="内容的 SHA-256（十六进制），也是下载时的 ETag")
    uploaded_by: str = Field(description="上传的 API 客户端")
    uploaded_at: datetime
