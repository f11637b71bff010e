"""MkDocs hooks (named in mkdocs.yml): generate the reference pages at build time, and list
every connector page under docs/connectors/ in the navigation without naming each one."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from embloy_ats.kit.docgen import job_json_schema, job_model_reference, supported_ats_matrix

log = logging.getLogger("mkdocs.plugins.embloy_ats")

#: the navigation section that receives the supported-ATS page and every connector page.
CONNECTORS_SECTION = "Supported ATS"
MATRIX_PAGE = "supported-ats.md"
GENERATED = {
    "reference/job-model.md": job_model_reference,
    "reference/job.schema.json": job_json_schema,
}


def _connector_pages(config: MkDocsConfig) -> list[str]:
    folder = Path(config.docs_dir) / "connectors"
    return sorted(f"connectors/{path.name}" for path in folder.glob("*.md"))


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    nav: list[Any] = config.nav or []
    for item in nav:
        if isinstance(item, dict) and CONNECTORS_SECTION in item:
            section = item[CONNECTORS_SECTION]
            listed = {
                page
                for entry in section
                for page in (entry.values() if isinstance(entry, dict) else [entry])
            }
            section.extend(page for page in _connector_pages(config) if page not in listed)
            break
    else:
        log.warning("mkdocs.yml has no %r section for the connector pages", CONNECTORS_SECTION)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for src_uri, render in GENERATED.items():
        files.append(File.generated(config, src_uri, content=render()))
    documented = [Path(page).stem for page in _connector_pages(config)]
    matrix = supported_ats_matrix(documented=documented)
    files.append(File.generated(config, MATRIX_PAGE, content=matrix))
    return files
