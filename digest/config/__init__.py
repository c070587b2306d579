"""Typed, validated configuration: frozen dataclasses, one loader, all problems at once.

digest's own settings live in ``digest.toml`` beside ``mkdocs.yml`` so that ``mkdocs.yml``
stays plain MkDocs. Every option has a type, a default and a one-line description
(:mod:`.sections`); unknown keys are errors, every bad value is reported at once
(:mod:`.checks`), and command-line flags override the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from digest.config.checks import problems as _problems
from digest.config.sections import (
    SMTP_SECURITY,
    Config,
    EmailConfig,
    FeedConfig,
    FetchConfig,
    KeywordConfig,
    PinnedTheme,
    PublishConfig,
    RisingConfig,
    ThemeConfig,
)
from digest.errors import ConfigError

__all__ = [
    "SMTP_SECURITY",
    "Config",
    "EmailConfig",
    "FeedConfig",
    "FetchConfig",
    "KeywordConfig",
    "PinnedTheme",
    "PublishConfig",
    "RisingConfig",
    "ThemeConfig",
    "describe_options",
    "load_config",
]


def load_config(path: Path | None, overrides: dict[str, Any] | None = None) -> Config:
    """Load ``path`` (TOML; absent means defaults), apply CLI ``overrides``, validate all."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"Cannot read config file '{path}': {exc.strerror}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Config file '{path}' is not valid TOML: {exc}") from exc
    problems: list[str] = []
    config: Config = _build(Config, raw, "", problems)
    if overrides:
        config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    problems.extend(_problems(config))
    if problems:
        where = f" in '{path}'" if path else ""
        raise ConfigError(f"Invalid configuration{where}:\n  " + "\n  ".join(problems))
    return config


def _build(cls: type, raw: object, prefix: str, problems: list[str]) -> Any:
    if not isinstance(raw, dict):
        problems.append(f"Config value '{prefix.rstrip('.')}': expected a table")
        return cls()
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    for key in sorted(set(raw) - set(known)):
        problems.append(f"Config key '{prefix}{key}': unknown option")
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name not in raw:
            continue
        hint, value, dotted = hints[name], raw[name], f"{prefix}{name}"
        if is_dataclass(hint):
            values[name] = _build(hint, value, f"{dotted}.", problems)  # type: ignore[arg-type]
        elif get_origin(hint) is list and is_dataclass(get_args(hint)[0]):
            item = get_args(hint)[0]
            if isinstance(value, list):
                values[name] = [
                    _build(item, v, f"{dotted}[{i}].", problems) for i, v in enumerate(value)
                ]
            else:
                problems.append(f"Config value '{dotted}': expected a list of tables")
        elif _type_ok(hint, value):
            values[name] = value
        else:
            problems.append(f"Config value '{dotted}': expected {_describe(hint)}, got {value!r}")
        del spec
    return cls(**values)


def _type_ok(hint: Any, value: object) -> bool:
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint == list[str]:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False


def _describe(hint: Any) -> str:
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    return names.get(hint, "a list of strings")


def describe_options() -> list[tuple[str, str, str]]:
    """Return (option, default, description) rows for the README and ``digest config``."""
    rows: list[tuple[str, str, str]] = []

    def walk(cls: type, prefix: str) -> None:
        hints = get_type_hints(cls)
        for f in fields(cls):
            factory = f.default_factory
            if callable(factory) and isinstance(factory, type) and is_dataclass(factory):
                walk(factory, f"{prefix}{f.name}.")
                continue
            default = factory() if callable(factory) else f.default
            rows.append((f"{prefix}{f.name}", repr(default), f.metadata.get("doc", "")))
            hint = hints[f.name]
            if get_origin(hint) is list and is_dataclass(get_args(hint)[0]):
                walk(get_args(hint)[0], f"{prefix}{f.name}[].")

    walk(Config, "")
    return rows
