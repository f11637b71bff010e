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

import tomlkit
import tomlkit.exceptions
import tomlkit.items

from embloy_ats.errors import ConfigurationError
from embloy_ats.validation import check_base_url

MODE_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_MODE_LENGTH = 24
MAX_API_URL_LENGTH = 60
_DISPLAY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,&'()+/-]{0,29}")
#: the import-linter contract that lists every connector package (see pyproject.toml).
CONNECTORS_CONTRACT = "connectors-apart"


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
    """What `new` will write: file contents by path (relative to the root), the new text
    of the root pyproject and where in it the connector was added."""

    root: Path
    names: Names
    files: dict[Path, str]
    pyproject: str
    pyproject_additions: tuple[str, ...]
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


def _dependency_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0].lower()


def _manual(what: str, why: str) -> ConfigurationError:
    return ConfigurationError(
        f"cannot add the connector to the workspace's pyproject.toml automatically ({why})",
        hint=f"Add {what} by hand.",
    )


def _insert_sorted(array: tomlkit.items.Array, value: str, prefix: str) -> None:
    """`value` among the entries that start with `prefix`, in order (at the end if none)."""
    entries = [str(item) for item in array]
    siblings = [i for i, entry in enumerate(entries) if entry.startswith(prefix)]
    position = next((i for i in siblings if entries[i] > value), None)
    if position is None:
        position = siblings[-1] + 1 if siblings else len(entries)
    array.insert(position, value)


def _array(table: Any, key: str, what: str) -> tomlkit.items.Array:
    found = table.get(key) if isinstance(table, dict) else None
    if not isinstance(found, tomlkit.items.Array):
        raise _manual(what, f"{key} is not an array")
    return found


def add_to_workspace(text: str, names: Names) -> tuple[str, tuple[str, ...]]:
    """The root pyproject's text with the new connector wherever the workspace names its
    connectors, and what was added (tomlkit: comments and layout are kept).

    - A root that is a project itself (not a virtual workspace) installs only what it
      depends on: the distribution joins its dependencies and `[tool.uv.sources]`.
      A virtual root (this repository's) installs every member: nothing to add.
    - import-linter names its root packages: the package joins them, and the contract
      that keeps connectors apart (`id = "connectors-apart"`).
    Anything the edit cannot be sure of is refused, never guessed.
    """
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigurationError(
            f"the workspace's pyproject.toml does not parse ({exc})",
            hint="Fix it, then run `embloy-ats new` again.",
        ) from None
    added: list[str] = []
    project = document.get("project")
    if project is not None:
        entry = f'"{names.distribution}" to [project] dependencies'
        dependencies = _array(project, "dependencies", entry)
        if names.distribution in {_dependency_name(str(d)) for d in dependencies}:
            raise ConfigurationError(
                f"{names.distribution} is already a dependency of the workspace",
                hint="Choose another name, or remove the leftover entry from pyproject.toml.",
            )
        _insert_sorted(dependencies, names.distribution, "embloy-ats-")
        tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
        uv = tool.setdefault("uv", tomlkit.table(is_super_table=True))
        sources = uv.setdefault("sources", tomlkit.table())
        if names.distribution in sources:
            raise ConfigurationError(
                f"{names.distribution} already has an entry in [tool.uv.sources]",
                hint="Choose another name, or remove the leftover entry from pyproject.toml.",
            )
        # parsed rather than built, to be written as `{ workspace = true }` like the others;
        # the blank line keeps the next table apart (tomlkit appends after the old one)
        sources.add(names.distribution, tomlkit.parse("s = { workspace = true }")["s"])
        sources.add(tomlkit.nl())
        added += ["[project] dependencies", "[tool.uv.sources]"]
    linter = document.get("tool", {}).get("importlinter")
    if linter is not None:
        entry = f'"{names.package}" to [tool.importlinter] root_packages'
        roots = _array(linter, "root_packages", entry)
        if names.package in roots:
            raise ConfigurationError(
                f"{names.package} is already one of import-linter's root packages",
                hint="Choose another name, or remove the leftover entry from pyproject.toml.",
            )
        _insert_sorted(roots, names.package, "embloy_ats_")
        added.append("[tool.importlinter] root_packages")
        for contract in linter.get("contracts", []):
            if contract.get("id") == CONNECTORS_CONTRACT:
                entry = f'"{names.package}" to the {CONNECTORS_CONTRACT} contract'
                _insert_sorted(_array(contract, "protected_modules", entry), names.package, "")
                added.append(f"the import-linter contract {CONNECTORS_CONTRACT!r}")
    edited = tomlkit.dumps(document)
    _check_only_added(text, edited, names)
    return edited, tuple(added)


def _check_only_added(before_text: str, after_text: str, names: Names) -> None:
    """The edit, read back by another parser, adds the connector's names and nothing else."""
    added = {names.distribution, names.package}

    def without_added(value: Any) -> Any:
        if isinstance(value, dict):
            kept = {k: without_added(v) for k, v in value.items() if k not in added}
            return {k: v for k, v in kept.items() if v != {}}  # a table made for the entry
        if isinstance(value, list):
            return [without_added(v) for v in value if not (isinstance(v, str) and v in added)]
        return value

    by_hand = f"{names.distribution} (package {names.package}) where it names the others"
    try:
        after = tomllib.loads(after_text)
    except tomllib.TOMLDecodeError:
        raise _manual(by_hand, "the edited file would not parse") from None
    if without_added(after) != without_added(tomllib.loads(before_text)):
        raise _manual(by_hand, "the edit would change more than those entries")


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
    pyproject, additions = add_to_workspace(pyproject_path.read_text(encoding="utf-8"), names)
    return Scaffold(root, names, files, pyproject, additions, tuple(warnings))


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
        if scaffold.pyproject_additions:
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
