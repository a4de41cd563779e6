"""Every ORM model of the service, imported here so Alembic sees the whole metadata."""

from complaints.base import Base
from complaints.case.models import Case

metadata = Base.metadata

__all__ = ["Base", "Case", "metadata"]
