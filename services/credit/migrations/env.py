from credit.config import CreditSettings
from credit.models import metadata
from shared.migrations import run_env

run_env(metadata, CreditSettings().database_url)
