"""Docker HEALTHCHECK: GET /healthz on this container's own port (stdlib only, no curl in slim).

Exit 0 when the process answers 200, 1 otherwise. The port is ``<PREFIX>_PORT`` when set,
else the settings default of the component named by ``SERVICE``. Liveness only: readiness
(``/readyz``: database and, for the gateway, the upstreams) is for the load balancer.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Mapping

# The `port` defaults of GatewaySettings, ComplaintsSettings, WagesSettings, CreditSettings
# (tests/test_deploy.py keeps them in step).
DEFAULT_PORTS = {"gateway": 8000, "complaints": 8001, "wages": 8002, "credit": 8003}


def healthz_url(env: Mapping[str, str]) -> str:
    service = env.get("SERVICE", "")
    if service not in DEFAULT_PORTS:
        raise SystemExit(f"healthcheck: unknown SERVICE {service!r}")
    port = env.get(f"{service.upper()}_PORT") or str(DEFAULT_PORTS[service])
    return f"http://127.0.0.1:{port}/healthz"


def main() -> int:
    try:
        with urllib.request.urlopen(healthz_url(os.environ), timeout=2) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"healthcheck: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
