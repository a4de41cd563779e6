from complaints.config import ComplaintsSettings
from complaints.models import metadata
from shared.migrations import run_env

run_env(metadata, ComplaintsSettings().database_url)
