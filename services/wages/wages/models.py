"""Every ORM model of the service, imported here so Alembic sees the whole metadata."""

from wages.base import Base
from wages.employer.models import MonitoredEmployer

metadata = Base.metadata

__all__ = ["Base", "MonitoredEmployer", "metadata"]
