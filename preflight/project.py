"""Where the project and its documentation live: the one place SARIF links and the docs' own links come from.

The default is the project's own repository (its `docs/` folder, where `make docs` writes the per-rule
pages); an organisation hosting the docs itself sets PREFLIGHT_DOCS_URL to the address of that folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from preflight.errors import PreflightError

PROJECT_URL = "https://github.com/preflight-project/preflight"
"""The project's repository: the CI examples install from it and the pre-commit hook names it."""
DEFAULT_DOCS_URL = f"{PROJECT_URL}/blob/main/docs/"
"""The project's `docs/` folder; rule pages are `rules/CODE.md` under it."""
DOCS_URL_ENV = "PREFLIGHT_DOCS_URL"


def docs_url(environ: Mapping[str, str] | None = None) -> str:
    """The base address of the docs folder (ending in '/'): PREFLIGHT_DOCS_URL when set, else the project's own.

    A value that is not an absolute http(s) address is a `PreflightError` (one line, exit 2): a report must
    not link every rule to a broken address.
    """
    value = (os.environ if environ is None else environ).get(DOCS_URL_ENV, "").strip()
    if not value:
        return DEFAULT_DOCS_URL
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise PreflightError(f"{DOCS_URL_ENV}: expected the absolute http(s) address of the docs folder (rule pages "
                             f"are rules/CODE.md under it), got {value[:80]!r}")
    return value if value.endswith("/") else value + "/"


def rule_doc_url(code: str, base: str) -> str:
    """The page of a built-in rule under the docs base address `base`."""
    return f"{base}rules/{quote(code)}.md"


def home_url(base: str) -> str:
    """The tool's home page for SARIF `informationUri`: the repository, or the organisation's docs when they host them."""
    return PROJECT_URL if base == DEFAULT_DOCS_URL else base
