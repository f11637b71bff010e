"""`embloy-ats` and `python -m embloy_ats`: the command line, which needs the service extra.

A connector's own install (`embloy-ats` alone) has the library but not the command line's
packages; there the command says what to install instead of failing with a traceback.
"""

from __future__ import annotations

import sys

from embloy_ats.errors import ConfigurationError

#: the modules the `service` extra installs (rich and typer for the command line itself,
#: the rest for the service, the stores and the tools the commands drive).
SERVICE_EXTRA_MODULES = frozenset(
    {
        "cryptography",
        "fastapi",
        "jwt",
        "prometheus_client",
        "psycopg",
        "psycopg_pool",
        "python_multipart",
        "rich",
        "starlette",
        "tomlkit",
        "typer",
        "uvicorn",
    }
)


def main() -> None:
    try:
        from embloy_ats.cli import main as run_cli
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in SERVICE_EXTRA_MODULES:
            raise
        print(
            f"error: the embloy-ats command needs the `service` extra ({missing} is not "
            "installed). Install it with `pip install 'embloy-ats[service]'` or "
            "`uv add 'embloy-ats[service]'`; a connector's code and tests need only "
            "`embloy-ats`.",
            file=sys.stderr,
        )
        sys.exit(ConfigurationError.exit_code)
    run_cli()


if __name__ == "__main__":
    main()
