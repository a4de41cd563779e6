"""Every ORM model of the service, imported here so Alembic sees the whole metadata."""

from credit.base import Base
from credit.subject.models import Subject

metadata = Base.metadata

__all__ = ["Base", "Subject", "metadata"]
