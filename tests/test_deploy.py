"""The production recipe in deploy/ stays true to the code.

- deploy/README.md documents exactly the settings the four settings classes read, with their
  real defaults, and no variable that nothing reads.
- deploy/Dockerfile builds exactly the four processes, each on its settings' default port.
- deploy/entrypoint.sh is valid shell, knows the same four processes and migrates each one.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple

import pytest
import uvicorn
from pydantic import BaseModel
from pydantic_settings import BaseSettings

from complaints.config import ComplaintsSettings
from credit.config import CreditSettings
from deploy.healthcheck import DEFAULT_PORTS, healthz_url
from gateway.config import GatewaySettings
from shared.settings import VAR_DIR
from wages.config import WagesSettings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
README = DEPLOY / "README.md"
DOCKERFILE = DEPLOY / "Dockerfile"
ENTRYPOINT = DEPLOY / "entrypoint.sh"

SETTINGS: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings,
    "complaints": ComplaintsSettings,
    "wages": WagesSettings,
    "credit": CreditSettings,
}
PREFIXES = {cls.model_config.get("env_prefix", ""): cls for cls in SETTINGS.values()}
# Where each component keeps its alembic.ini (and, for the services, its package).
COMPONENTS = {
    "gateway": ROOT / "gateway",
    "complaints": ROOT / "services" / "complaints",
    "wages": ROOT / "services" / "wages",
    "credit": ROOT / "services" / "credit",
}
PACKAGE_DIRS = {name: path if name == "gateway" else path / name for name, path in COMPONENTS.items()}
ALEMBIC_INI = {name: path / "alembic.ini" for name, path in COMPONENTS.items()}
# Documented variables that no settings class reads, and the file that does read them.
OTHER_VARIABLES: dict[str, Path] = {
    "KM_VAR_DIR": ROOT / "shared" / "settings.py",
    "WEB_CONCURRENCY": ROOT / "shared" / "serve.py",
    "KM_GC_YOUNG_THRESHOLD": ROOT / "shared" / "app.py",
    "FORWARDED_ALLOW_IPS": Path(uvicorn.__file__).parent / "config.py",
    "SERVICE": ENTRYPOINT,
    "MIGRATE_ON_START": ENTRYPOINT,
}


class Setting(NamedTuple):
    env_name: str
    path: str
    default: object


_PREFIXED_NAME = re.compile(r"(?<![A-Za-z0-9_$<*])(GATEWAY|COMPLAINTS|WAGES|CREDIT)_([A-Z0-9_]+)")
_VARIABLE_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|")


def _prefix(cls: type[BaseSettings]) -> str:
    return cls.model_config.get("env_prefix", "")


def _leaves(env_name: str, path: str, default: object, delimiter: str | None) -> Iterator[Setting]:
    if delimiter and isinstance(default, BaseModel):
        for sub in type(default).model_fields:
            yield from _leaves(
                env_name + delimiter + sub.upper(), f"{path}.{sub}", getattr(default, sub), delimiter
            )
    else:
        yield Setting(env_name, path, default)


def _settings(cls: type[BaseSettings]) -> Iterator[Setting]:
    """Every value the class reads, under the variable it reads it from first.

    A field with a string ``validation_alias`` is read under that name, without the prefix; a
    nested model is set one value at a time with ``env_nested_delimiter`` (``A__B``).
    """
    delimiter = cls.model_config.get("env_nested_delimiter") or None
    for field, info in cls.model_fields.items():
        alias = info.validation_alias
        env_name = alias.upper() if isinstance(alias, str) else _prefix(cls) + field.upper()
        default = info.get_default(call_default_factory=True, validated_data={})
        yield from _leaves(env_name, f"{cls.__name__}.{field}", default, delimiter)


def _documented_rows() -> dict[str, list[str]]:
    """Variable -> its table row's cells, for every table row that starts with a variable."""
    rows: dict[str, list[str]] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = _VARIABLE_ROW.match(line)
        if match:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert len(cells) == 4, (
                f"variable row needs 4 cells (variable, default, meaning, required): {line}"
            )
            rows.setdefault(match.group(1), cells)
    return rows


def _cell_value(cell: str) -> str:
    quoted = re.search(r"`([^`]*)`", cell)
    return quoted.group(1) if quoted else cell.strip("* ")


def _documented_default(value: object) -> str:
    """A default as the README writes it: what one would put in the environment."""
    if value is None:
        return "unset"
    if isinstance(value, str) and value.startswith("sqlite+aiosqlite:///"):
        return value.replace(str(VAR_DIR), "$KM_VAR_DIR")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _all_settings() -> Iterator[Setting]:
    for cls in SETTINGS.values():
        yield from _settings(cls)


def test_every_prefixed_variable_named_in_the_recipe_is_a_setting() -> None:
    for path in (README, DOCKERFILE):
        for match in _PREFIXED_NAME.finditer(path.read_text(encoding="utf-8")):
            cls = PREFIXES[match.group(1) + "_"]
            known = {setting.env_name for setting in _settings(cls)}
            # The whole-field form also works (a nested model as JSON, an alias by field name).
            assert match.group(0) in known or match.group(2).lower() in cls.model_fields, (
                f"{path.name} names {match.group(0)}, which {cls.__name__} does not read"
            )


def test_every_setting_is_documented_with_its_default() -> None:
    rows = _documented_rows()
    for env_name, path, default in _all_settings():
        assert env_name in rows, f"{path} ({env_name}) is missing from deploy/README.md"
        documented = _cell_value(rows[env_name][1])
        expected = _documented_default(default)
        assert documented == expected, (
            f"{env_name}: README says default {documented!r}, code has {expected!r}"
        )
        assert rows[env_name][3], f"{env_name}: say whether it is required in production"


def test_no_documented_variable_is_invented() -> None:
    settings_names = {setting.env_name for setting in _all_settings()}
    for name in _documented_rows():
        if name in settings_names:
            continue
        assert name in OTHER_VARIABLES, f"deploy/README.md documents {name}, which no settings class reads"
        source = OTHER_VARIABLES[name]
        assert name in source.read_text(encoding="utf-8"), f"{name} is not read by {source}"


def test_entrypoint_is_valid_shell() -> None:
    result = subprocess.run(["bash", "-n", str(ENTRYPOINT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert os.access(ENTRYPOINT, os.X_OK), "deploy/entrypoint.sh must be executable"


def _dockerfile_stages() -> dict[str, str]:
    """Stage name -> the instructions of that stage."""
    stages: dict[str, str] = {}
    for block in re.split(r"^(?=FROM\s)", DOCKERFILE.read_text(encoding="utf-8"), flags=re.M):
        named = re.match(r"FROM\s+\S+\s+AS\s+(\S+)", block)
        if named:
            stages[named.group(1)] = block
    return stages


def test_dockerfile_service_choices_are_the_four_packages() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    stages = _dockerfile_stages()
    choices = {name.removeprefix("svc-") for name in stages if name.startswith("svc-")}
    assert choices == set(SETTINGS)

    for service, cls in SETTINGS.items():
        assert (PACKAGE_DIRS[service] / "__main__.py").is_file(), f"python -m {service} has no __main__"
        assert find_spec(service) is not None, f"{service} is not importable with the project's path"
        block = stages[f"svc-{service}"]
        assert re.search(rf"\bSERVICE={service}\b", block), f"stage svc-{service} must set SERVICE={service}"
        assert f"{_prefix(cls)}HOST=0.0.0.0" in block, f"stage svc-{service} must bind 0.0.0.0"
        exposed = re.findall(r"^EXPOSE\s+(\d+)\s*$", block, flags=re.M)
        assert exposed == [str(cls.model_fields["port"].default)], f"svc-{service} exposes {exposed}"
        assert DEFAULT_PORTS[service] == cls.model_fields["port"].default

    default = re.search(r"^ARG SERVICE=(\w+)\s*$", text, flags=re.M)
    assert default is not None and default.group(1) in SETTINGS
    assert re.search(r"^FROM svc-\$\{SERVICE\}\s*$", text, flags=re.M), (
        "the last stage must select svc-SERVICE"
    )
    assert set(DEFAULT_PORTS) == set(SETTINGS)


def test_dockerfile_pythonpath_is_the_projects() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    paths: list[str] = pyproject["tool"]["pytest"]["ini_options"]["pythonpath"]
    expected = ":".join("/app" if p == "." else f"/app/{p}" for p in paths)
    assert f"PYTHONPATH={expected} " in DOCKERFILE.read_text(encoding="utf-8")


def test_entrypoint_knows_the_same_services() -> None:
    text = ENTRYPOINT.read_text(encoding="utf-8")
    block = re.search(r'case "\$SERVICE" in\n(.*?)\nesac', text, flags=re.S)
    assert block is not None
    labels = re.findall(r"^\s*([a-z][a-z |]*)\)\s*$", block.group(1), flags=re.M)
    assert {name.strip() for label in labels for name in label.split("|")} == set(SETTINGS)


def test_healthcheck_follows_the_port_setting() -> None:
    assert healthz_url({"SERVICE": "wages"}) == "http://127.0.0.1:8002/healthz"
    assert healthz_url({"SERVICE": "gateway", "GATEWAY_PORT": "9000"}) == "http://127.0.0.1:9000/healthz"
    with pytest.raises(SystemExit):
        healthz_url({"SERVICE": "nonsense"})


def _entrypoint(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *(str(ROOT / "services" / s) for s in ("complaints", "wages", "credit"))]
        ),
    }
    return subprocess.run(
        [str(ENTRYPOINT), *args], env=base | env, capture_output=True, text=True, check=False, timeout=120
    )


@pytest.mark.parametrize("service", list(SETTINGS))
def test_entrypoint_migrate_upgrades_that_component_to_head(service: str, tmp_path: Path) -> None:
    database = tmp_path / f"{service}.db"
    env = {
        "SERVICE": service,
        "ENVIRONMENT": "test",
        "KM_VAR_DIR": str(tmp_path),
        f"{_prefix(SETTINGS[service])}DATABASE_URL": f"sqlite+aiosqlite:///{database}",
    }
    result = _entrypoint(["migrate"], env)
    assert result.returncode == 0, result.stderr
    assert str(ALEMBIC_INI[service]) in result.stderr
    with sqlite3.connect(database) as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision


def test_entrypoint_refuses_sqlite_in_production_and_unknown_services(tmp_path: Path) -> None:
    production = {"ENVIRONMENT": "production", "KM_VAR_DIR": str(tmp_path)}
    refused = _entrypoint(["migrate"], production | {"SERVICE": "credit"})
    assert refused.returncode == 64
    assert "CREDIT_DATABASE_URL" in refused.stderr

    unknown = _entrypoint(["migrate"], production | {"SERVICE": "payroll"})
    assert unknown.returncode == 64
    assert "gateway, complaints, wages, credit" in unknown.stderr
    assert not list(tmp_path.iterdir()), "a refused start must not create anything"
