"""The plugin manager: default plugins, entry points ``livret.plugins``, checks."""
from __future__ import annotations

import contextlib
import importlib
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Iterator

import pluggy

from core import hookspecs
from core.default_plugins import DEFAULT_PLUGINS

ENTRY_POINT_GROUP = "livret.plugins"


class PluginLoadError(Exception):
    """A plugin could not be loaded or does not honour the contract."""


def make_plugin_manager(*, load_entry_points: bool = True, extra: tuple[Any, ...] = ()) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("livret")
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                plugin = ep.load()
            except Exception as exc:  # noqa: BLE001 - report any import failure with the plugin's name
                raise PluginLoadError(
                    f"Plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}"
                ) from exc
            _register(pm, plugin, ep.name)
    for plugin in extra:
        _register(pm, plugin, getattr(plugin, "__name__", None) or type(plugin).__name__)
    check(pm)
    return pm


def _register(pm: pluggy.PluginManager, plugin: Any, name: str) -> None:
    if pm.get_plugin(name) is not None:
        raise PluginLoadError(f"Plugin {name!r} is installed twice.")
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(f"Plugin {name!r} implements a hook wrongly: {exc}") from exc


def check(pm: pluggy.PluginManager) -> None:
    """``check_pending`` with the plugin named: a misspelt hook stops the start-up."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        raise PluginLoadError(f"Plugin {name!r} implements an unknown hook: {exc}") from exc


def plugin_names(pm: pluggy.PluginManager) -> list[str]:
    """Installed (non-default) plugin names, in registration order."""
    return [name for name, _ in pm.list_name_plugin() if name not in DEFAULT_PLUGINS]


def call_each(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """Call a hook plugin by plugin, yielding ``(plugin_name, result)``.

    Used where core must know which plugin returned what (to name it in an
    error, or to record where a certification comes from).
    """
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):
        args = {name: kwargs[name] for name in impl.argnames}
        result = impl.function(**args)
        if result is not None:
            yield impl.plugin_name, result


def collect_template_dirs(pm: pluggy.PluginManager) -> list[Path]:
    dirs: list[Path] = []
    for name, result in call_each(pm, "livret_template_dirs"):
        for entry in result:
            path = Path(entry)
            if not path.is_dir():
                raise PluginLoadError(f"Plugin {name!r} declares a template folder that does not exist: {path}")
            dirs.append(path)
    return dirs


def collect_settings(pm: pluggy.PluginManager, config: dict[str, Any]) -> dict[str, Any]:
    """Plugin settings: defaults from the hook, overridden by config and LIVRET_* variables."""
    from core.config import ConfigError

    environ = config.get("PLUGIN_ENVIRON", {})
    resolved: dict[str, Any] = {}
    for name, defaults in call_each(pm, "livret_settings"):
        prefix = name.upper().replace("-", "_").replace(".", "_") + "_"
        for key, default in defaults.items():
            if not key.startswith(prefix):
                raise PluginLoadError(f"Plugin {name!r} declares setting {key!r}, which must start with {prefix!r}.")
            value = config.get(key, default)
            if key in environ:
                value = _coerce(environ[key], default, key, ConfigError)
            resolved[key] = value
    return resolved


def _coerce(raw: str, default: Any, key: str, error: type[Exception]) -> Any:
    from core.config import _bool

    try:
        if isinstance(default, bool):
            return _bool(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as exc:
        raise error(f"Setting {key} (LIVRET_{key}) has a wrong value {raw!r}: {exc}.") from None
    return raw


@contextlib.contextmanager
def registered(app, plugin: Any, name: str) -> Iterator[Any]:
    """Register a plugin on a running app, unregister it afterwards (tests)."""
    state = app.extensions["livret"]
    _register(state.pm, plugin, name)
    try:
        check(state.pm)
        state.reload()
        yield plugin
    finally:
        state.pm.unregister(name=name)
        state.reload()
