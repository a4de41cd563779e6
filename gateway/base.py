from sqlalchemy.orm import DeclarativeBase

from shared.db import naming_metadata


class Base(DeclarativeBase):
    metadata = naming_metadata()
