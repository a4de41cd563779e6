from gateway.config import GatewaySettings
from shared.serve import serve

serve("gateway.main:create_app", GatewaySettings())
