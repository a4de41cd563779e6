from gateway.config import GatewaySettings
from shared.serve import serve

serve(
    "gateway.main:create_server_app",
    GatewaySettings(),
    proxy_headers=True,
    http="gateway.fastserver:GatewayProtocol",
)
