"""The installed version of embloy-ats, read once from the distribution's metadata.

One source of truth: `embloy_ats.__version__` and the User-Agent every ATS sees.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("embloy-ats")
except PackageNotFoundError:  # the source tree on sys.path, never installed
    VERSION = "0+unknown"

#: what every request to an ATS says it comes from.
USER_AGENT = f"embloy-ats/{VERSION} (+https://embloy.com)"
