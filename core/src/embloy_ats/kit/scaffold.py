"""`embloy-ats new NAME`: a new connector's package, test, cassette folder and docs page.

The generated connector is complete but for what only its author knows (the API path, the
id format, the rate limit, the mapping); each gap is a TODO, and the mapping raises a
`ConfigurationError` naming the file to fill until it is filled. It declares one way in
and imports everything from `embloy_ats.contract`, as every connector does. Nothing is
written unless everything can be: the names are checked first, and the workspace's
pyproject is edited only after its new text has been parsed back and compared with the old.
"""

from __future__ import annotations

import keyword
import re
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from embloy_ats.errors import ConfigurationError
from embloy_ats.validation import check_base_url

MODE_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_MODE_LENGTH = 24
MAX_API_URL_LENGTH = 60
_DISPLAY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,&'()+/-]{0,29}")
_ARRAY_LINE = re.compile(r'^\s*"([^"\\]+)",?\s*$')


@dataclass(frozen=True)
class AuthStyle:
    """How the generated connector authenticates: the fragments that differ per style."""

    #: the `embloy_ats.contract` names the style needs besides the common ones.
    imports: tuple[str, ...]
    credential_fields: str
    #: the `auth=` line of the way in (empty: no auth).
    auth: str
    test_credentials: str


_API_KEY_FIELD = (
    "\n    api_key: SecretStr = Field(\n"
    '        description="TODO: where a customer creates the key, and the scope it needs."\n'
    "    )\n"
)
_KEYED = ("Field", "SecretStr")
AUTH_STYLES: dict[str, AuthStyle] = {
    "none": AuthStyle((), "", "", "{}"),
    "bearer": AuthStyle(
        (*_KEYED, "bearer"),
        _API_KEY_FIELD,
        '            auth=bearer("api_key"),\n',
        '{"api_key": "stand-in-api-key"}',
    ),
    "basic": AuthStyle(
        (*_KEYED, "basic"),
        _API_KEY_FIELD,
        "            # The API key as the user name and an empty password; adjust if the ATS\n"
        "            # differs.\n"
        '            auth=basic("api_key"),\n',
        '{"api_key": "stand-in-api-key"}',
    ),
    "header": AuthStyle(
        (*_KEYED, "api_key_header"),
        _API_KEY_FIELD,
        "            # TODO: the header the ATS reads the key from.\n"
        '            auth=api_key_header("api_key", "X-Api-Key"),\n',
        '{"api_key": "stand-in-api-key"}',
    ),
}
#: what every generated connector imports from `embloy_ats.contract`.
_CONTRACT_IMPORTS = (
    "NUMERIC_ID", "Connector", "ConnectorSettings", "Credentials", "RateLimitPolicy",
    "Request", "Verify", "WayIn",
)  # fmt: skip


def _import_lines(names: tuple[str, ...]) -> str:
    """The names in the order the project's import sorting wants: constants, classes, the rest."""
    ordered = sorted(
        set(names), key=lambda name: (0 if name.isupper() else 1 if name[0].isupper() else 2, name)
    )
    return "".join(f"    {name},\n" for name in ordered)


@dataclass(frozen=True)
class Names:
    """Every name derived from the mode, so they cannot drift apart."""

    mode: str
    display_name: str

    @property
    def distribution(self) -> str:
        return "embloy-ats-" + self.mode.replace("_", "-")

    @property
    def package(self) -> str:
        return "embloy_ats_" + self.mode

    @property
    def class_prefix(self) -> str:
        return "".join(part.capitalize() for part in self.mode.split("_"))


@dataclass(frozen=True)
class Scaffold:
    """What `new` will write: file contents by path (relative to the root), and the new
    text of the root pyproject."""

    root: Path
    names: Names
    files: dict[Path, str]
    pyproject: str
    warnings: tuple[str, ...]


def check_mode(mode: str, installed: list[str]) -> str:
    """`mode` if it can name a new connector; a ConfigurationError saying why not."""
    if not MODE_PATTERN.fullmatch(mode):
        raise ConfigurationError(
            f"{mode[:40]!r} is not a valid connector name",
            hint="Use a lower-case identifier: a letter, then letters, digits and single "
            "underscores (e.g. `acme` or `acme_hr`).",
        )
    if len(mode) > MAX_MODE_LENGTH:
        raise ConfigurationError(
            f"{mode[:40]!r} is longer than {MAX_MODE_LENGTH} characters",
            hint="Choose a shorter name.",
        )
    if keyword.iskeyword(mode) or keyword.issoftkeyword(mode):
        raise ConfigurationError(
            f"{mode!r} is a Python keyword", hint=f"Choose another name, e.g. `{mode}_ats`."
        )
    if mode in installed:
        raise ConfigurationError(
            f"a connector with mode {mode!r} is already installed",
            hint="Choose another name, or work on the existing connector.",
        )
    return mode


def check_display_name(name: str) -> str:
    if not _DISPLAY_NAME.fullmatch(name):
        raise ConfigurationError(
            f"display name {name[:60]!r} must be at most 30 letters, digits, spaces and .,&'()+/-"
        )
    return name


def find_workspace(start: Path) -> Path:
    """The nearest folder at or above `start` whose pyproject.toml is a uv workspace root."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "workspace" in _uv_table(_read_toml(candidate)):
            return folder
    raise ConfigurationError(
        f"no uv workspace root (a pyproject.toml with [tool.uv.workspace]) at or above {start}",
        hint="Run `embloy-ats new` from the repository root, or pass --root.",
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path} ({type(exc).__name__})") from exc


def _uv_table(document: dict[str, Any]) -> dict[str, Any]:
    tool = document.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    return uv if isinstance(uv, dict) else {}


def _sources(document: dict[str, Any]) -> dict[str, Any]:
    sources = _uv_table(document).get("sources")
    return sources if isinstance(sources, dict) else {}


def _dependencies(document: dict[str, Any]) -> list[str]:
    project = document.get("project")
    deps = project.get("dependencies") if isinstance(project, dict) else None
    return [str(d) for d in deps] if isinstance(deps, list) else []


def _dependency_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0].lower()


def _manual(distribution: str, why: str) -> ConfigurationError:
    return ConfigurationError(
        f"cannot add {distribution} to the workspace's pyproject.toml automatically ({why})",
        hint=f'Add "{distribution}" to [project] dependencies and '
        f"`{distribution} = {{ workspace = true }}` to [tool.uv.sources] by hand.",
    )


def _section(text: str, header: str) -> tuple[int, int] | None:
    """Start and end offsets of the body of `[header]` (up to the next table header)."""
    match = re.search(rf"(?m)^\[{re.escape(header)}\][ \t]*(?:#.*)?$", text)
    if match is None:
        return None
    following = re.compile(r"(?m)^\[").search(text, match.end())
    return match.end(), following.start() if following else len(text)


def add_to_workspace(text: str, distribution: str) -> str:
    """The root pyproject's text with `distribution` added to the dependencies and to
    `[tool.uv.sources]`; anything the edit cannot be sure of is refused, never guessed."""
    before = tomllib.loads(text)
    if distribution in {_dependency_name(d) for d in _dependencies(before)}:
        raise ConfigurationError(
            f"{distribution} is already a dependency of the workspace",
            hint="Choose another name, or remove the leftover entry from pyproject.toml.",
        )
    if distribution in _sources(before):
        raise ConfigurationError(
            f"{distribution} already has an entry in [tool.uv.sources]",
            hint="Choose another name, or remove the leftover entry from pyproject.toml.",
        )

    project = _section(text, "project")
    if project is None:
        raise _manual(distribution, "no [project] table")
    array = re.compile(r"(?ms)^dependencies\s*=\s*\[(.*?)^\]").search(text, *project)
    if array is None:
        raise _manual(distribution, "[project] dependencies is not a multi-line array")
    lines = [line for line in array.group(1).splitlines() if line.strip()]
    items = [_ARRAY_LINE.match(line) for line in lines]
    if not all(items):
        raise _manual(distribution, "the dependencies array holds comments or several per line")
    names = [item.group(1) for item in items if item]
    siblings = [i for i, name in enumerate(names) if name.startswith("embloy-ats-")]
    position = next((i for i in siblings if names[i] > distribution), None)
    if position is None:
        position = siblings[-1] + 1 if siblings else len(names)
    names.insert(position, distribution)
    rendered = "dependencies = [\n" + "".join(f'    "{name}",\n' for name in names) + "]"
    text = text[: array.start()] + rendered + text[array.end() :]

    entry = f"{distribution} = {{ workspace = true }}\n"
    sources = _section(text, "tool.uv.sources")
    if sources is None:
        text = text.rstrip("\n") + "\n\n[tool.uv.sources]\n" + entry
    else:
        start, end = sources
        body = text[start:end]
        keys = list(re.finditer(r"(?m)^([A-Za-z0-9_.-]+)\s*=.*\n", body))
        later = next((k for k in keys if k.group(1) > distribution), None)
        if later is not None:
            at = start + later.start()
        elif keys:
            at = start + keys[-1].end()
        else:
            at = start + 1
        text = text[:at] + entry + text[at:]

    try:
        after = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise _manual(distribution, "the edited file would not parse") from None
    expected_deps = [*_dependencies(before)]
    expected_deps.insert(position, distribution)
    unchanged = {k: v for k, v in after.items() if k not in ("project", "tool")} == {
        k: v for k, v in before.items() if k not in ("project", "tool")
    }
    if (
        _dependencies(after) != expected_deps
        or _sources(after) != {**_sources(before), distribution: {"workspace": True}}
        or not unchanged
    ):
        raise _manual(distribution, "the edit would change more than those two entries")
    return text


def _template(name: str) -> Template:
    source = resources.files("embloy_ats.kit").joinpath("templates", name)
    return Template(source.read_text(encoding="utf-8"))


def _values(names: Names, auth: AuthStyle, api_url: str) -> dict[str, str]:
    env = f"EMBLOY_ATS_{names.mode.upper()}_API_KEY"
    has_credentials = bool(auth.auth)
    return {
        "mode": names.mode,
        "display_name": names.display_name,
        "distribution": names.distribution,
        "package": names.package,
        "class_prefix": names.class_prefix,
        "api_url": api_url,
        "contract_imports": _import_lines((*_CONTRACT_IMPORTS, *auth.imports)),
        "credential_fields": auth.credential_fields,
        "auth": auth.auth,
        "test_credentials": auth.test_credentials,
        "record_env": f"    export {env}=...\n" if has_credentials else "",
        "record_bad_credentials": (
            f"\nand the answer to a wrong key:\n\n    export {env}=wrong\n"
            f"    uv run embloy-ats record {names.mode} KNOWN_ID\n"
            if has_credentials
            else ""
        ),
        "bad_credentials": (
            '    bad_credentials = (KNOWN_JOB_ID, f"auth_failed_{KNOWN_JOB_ID}.yaml")'
            if has_credentials
            else '    skip = {"bad_credentials": "the API is public and takes no credentials"}'
        ),
        "provenance_bad_credentials": (
            "| `auth_failed_KNOWN_ID.yaml` | the answer to a wrong API key | TODO | TODO |"
            if has_credentials
            else ""
        ),
        "credentials_table": (
            "| credential | meaning |\n|---|---|\n"
            "| `api_key` | TODO: where a customer creates it, and the scope it needs |"
            if has_credentials
            else "The API is public: the connector takes no credentials."
        ),
    }


def plan(
    root: Path,
    mode: str,
    *,
    installed: list[str],
    display_name: str | None = None,
    auth: str = "bearer",
    api_url: str | None = None,
) -> Scaffold:
    """Everything `new` would write, checked; nothing is written here."""
    names = Names(check_mode(mode, installed), check_display_name(
        display_name or " ".join(part.capitalize() for part in mode.split("_"))
    ))  # fmt: skip
    if auth not in AUTH_STYLES:
        raise ConfigurationError(f"--auth must be one of {', '.join(AUTH_STYLES)}")
    url = api_url or f"https://api.{mode.replace('_', '-')}.example"
    if len(url) > MAX_API_URL_LENGTH:
        raise ConfigurationError(f"--api-url is longer than {MAX_API_URL_LENGTH} characters")
    if "{" in url or "}" in url:
        raise ConfigurationError(
            "--api-url takes a plain URL; name settings in braces later, in the connector"
        )
    url = check_base_url(url, connector=mode, allow_private=False)
    values = _values(names, AUTH_STYLES[auth], url)
    package_dir = Path("connectors", mode, "src", names.package)
    layout = {
        Path("connectors", mode, "pyproject.toml"): "pyproject.toml.tmpl",
        package_dir / "__init__.py": "package_init.py.tmpl",
        package_dir / "connector.py": "connector.py.tmpl",
        package_dir / "mapping.py": "mapping.py.tmpl",
        package_dir / "py.typed": None,
        Path("tests", "connectors", f"test_{mode}.py"): "test_connector.py.tmpl",
        Path("cassettes", mode, "PROVENANCE.md"): "PROVENANCE.md.tmpl",
        Path("docs", "connectors", f"{mode}.md"): "connector_doc.md.tmpl",
    }
    for taken in (Path("connectors", mode), Path("cassettes", mode), *layout):
        if (root / taken).exists():
            raise ConfigurationError(
                f"{taken} already exists in {root}",
                hint="Choose another name, or remove what a previous attempt left behind.",
            )
    files = {
        path: "" if template is None else _template(template).substitute(values)
        for path, template in layout.items()
    }
    pyproject_path = root / "pyproject.toml"
    document = _read_toml(pyproject_path)
    warnings = []
    members = _uv_table(document).get("workspace", {}).get("members", [])
    if not any(fnmatch(f"connectors/{mode}", str(pattern)) for pattern in members):
        warnings.append(f'add "connectors/{mode}" to [tool.uv.workspace] members in pyproject.toml')
    pyproject = add_to_workspace(pyproject_path.read_text(encoding="utf-8"), names.distribution)
    return Scaffold(root, names, files, pyproject, tuple(warnings))


def write(scaffold: Scaffold) -> list[Path]:
    """Write the planned files and the new pyproject; on failure, remove what was written."""
    written: list[Path] = []
    created: list[Path] = []
    try:
        for relative, content in scaffold.files.items():
            path = scaffold.root / relative
            missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            created.extend(reversed(missing))
            with path.open("x", encoding="utf-8") as handle:  # never overwrite
                handle.write(content)
            written.append(path)
        (scaffold.root / "pyproject.toml").write_text(scaffold.pyproject, encoding="utf-8")
    except OSError as exc:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in reversed(created):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise ConfigurationError(
            f"could not write the new connector ({type(exc).__name__}); nothing was kept"
        ) from exc
    return written
