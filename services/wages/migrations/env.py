from wages.config import WagesSettings
from wages.models import metadata

from shared.migrations import run_env

run_env(metadata, WagesSettings().database_url)
