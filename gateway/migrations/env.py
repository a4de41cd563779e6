from gateway.config import GatewaySettings
from gateway.models import metadata
from shared.migrations import run_env

run_env(metadata, GatewaySettings().database_url)
