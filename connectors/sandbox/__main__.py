"""Run the sandbox platform on its own: ``python -m connectors.sandbox --port 8090``."""

from __future__ import annotations

import argparse
import os

from connectors.sandbox.app import create_platform_app
from connectors.sandbox.faults import FaultConfig


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the sandbox with uvicorn until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m connectors.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--db", default="sqlite:///platform-sandbox.sqlite3", help="SQLAlchemy URL")
    parser.add_argument("--root-path", default="", help="e.g. /platform/v1 behind a proxy")
    parser.add_argument("--admin-token", default=os.environ.get("TRADEBOT_SANDBOX_ADMIN_TOKEN"),
                        help="enables the admin API (default: $TRADEBOT_SANDBOX_ADMIN_TOKEN)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each request")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of requests answered 503")
    parser.add_argument("--rate-limit-rate", type=float, default=0.0, help="share of requests answered 429")
    parser.add_argument("--timeout-rate", type=float, default=0.0, help="share of responses held back")
    parser.add_argument("--hang", type=float, default=30.0, help="seconds a held-back response waits")
    parser.add_argument("--fault-seed", type=int, default=0)
    args = parser.parse_args(argv)
    faults = FaultConfig(latency_s=args.latency, error_rate=args.error_rate, rate_limit_rate=args.rate_limit_rate,
                         timeout_rate=args.timeout_rate, hang_s=args.hang, seed=args.fault_seed)

    import uvicorn  # imported here: only the standalone runner needs it

    app = create_platform_app(args.db, faults=faults, admin_token=args.admin_token)
    uvicorn.run(app, host=args.host, port=args.port, root_path=args.root_path,
                timeout_graceful_shutdown=5, log_level="info")


if __name__ == "__main__":
    main()
