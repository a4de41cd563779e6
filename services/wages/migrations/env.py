from shared.migrations import run_env
from wages.config import WagesSettings
from wages.models import metadata

run_env(metadata, WagesSettings().database_url)
