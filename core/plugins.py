"""The plugin manager: default plugins, entry points ``livret.plugins``, checks,
and the callers of the per-certification hooks (:func:`certification_hook`)."""
from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import warnings
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Iterator

import pluggy

from core import hookspecs
from core.default_plugins import DEFAULT_PLUGINS

ENTRY_POINT_GROUP = "livret.plugins"
logger = logging.getLogger(__name__)


class PluginLoadError(Exception):
    """A plugin could not be loaded or does not honour the contract."""


class LivretPluginManager(pluggy.PluginManager):
    """pluggy's manager, keeping the per-certification hook callers it built and the dossier sections
    the plugins returned (forgotten whenever a plugin is registered or unregistered)."""

    def __init__(self) -> None:
        super().__init__("livret")
        self.certification_callers: dict[tuple[str, str | None], pluggy.HookCaller] = {}
        #: the dossier sections each certification's plugin returned, per locale (core.dossiers.services)
        self.section_cache: dict[tuple[str, int, str], tuple[Any, ...]] = {}

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        self.certification_callers.clear()
        self.section_cache.clear()
        return super().register(plugin, name)

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        self.certification_callers.clear()
        self.section_cache.clear()
        return super().unregister(plugin, name)


def make_plugin_manager(*, load_entry_points: bool = True, extra: tuple[Any, ...] = ()) -> pluggy.PluginManager:
    pm = LivretPluginManager()
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
    problems = hook_signature_problems(pm, plugin)
    if problems:
        raise PluginLoadError(f"Plugin {name!r} implements a hook wrongly: " + " ".join(problems))
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(f"Plugin {name!r} implements a hook wrongly: {exc}") from exc


def hook_signature_problems(pm: pluggy.PluginManager, plugin: Any) -> list[str]:
    """The ``@hookimpl`` functions of ``plugin`` whose arguments are not the documented ones, one
    sentence each (the hook, the file and line, what is wrong, the expected arguments).

    pluggy itself refuses only a positional argument the specification does not have; it silently
    never passes an argument with a default value, nor anything to ``*args`` / ``**kwargs``, so such
    an implementation would run with wrong values. Hooks without a specification are left to
    :func:`check` (``check_pending``)."""
    problems: list[str] = []
    for attr in sorted(dir(plugin)):
        if not attr.startswith("livret_"):
            continue
        try:
            function = getattr(plugin, attr)
            opts = pm.parse_hookimpl_opts(plugin, attr)
        except Exception:  # noqa: BLE001 - a property that fails is not a hook; pluggy will say more
            continue
        if opts is None or not callable(function):
            continue
        hook = opts.get("specname") or attr
        spec = getattr(getattr(pm.hook, hook, None), "spec", None)
        if spec is None:
            continue
        try:
            signature = inspect.signature(function)
        except (TypeError, ValueError):
            continue
        params = list(signature.parameters.values())
        if params and params[0].name == "self" and not inspect.ismethod(function):
            params = params[1:]
        expected = ", ".join(spec.argnames)
        wrong: list[str] = []
        for param in params:
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                wrong.append(f"{'*' if param.kind is param.VAR_POSITIONAL else '**'}{param.name} receives nothing "
                             "(Livret passes the documented arguments by name)")
            elif param.name not in spec.argnames:
                wrong.append(f"argument {param.name!r} is not an argument of the hook")
            elif param.default is not param.empty:
                wrong.append(f"argument {param.name!r} has a default value, so pluggy never passes it")
        if wrong:
            problems.append(f"{hook}{signature} ({_where(function)}): {'; '.join(wrong)}; expected any of "
                            f"the arguments {hook}({expected}) without default values (core/hookspecs.py).")
    return problems


def _where(function: Any) -> str:
    """``file:line`` of a function, or its qualified name when the source cannot be found."""
    try:
        return f"{inspect.getsourcefile(function)}:{inspect.getsourcelines(function)[1]}"
    except (OSError, TypeError):
        return getattr(function, "__qualname__", repr(function))


def check(pm: pluggy.PluginManager) -> None:
    """``check_pending`` with the plugin named: a misspelt hook stops the start-up.
    Then warn about plugins still using the deprecated cross-certification form."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        raise PluginLoadError(f"Plugin {name!r} implements an unknown hook: {exc}") from exc
    for name, hooks in legacy_plugins(pm).items():
        message = (f"Plugin {name!r} implements {', '.join(hooks)} but declares no certification "
                   "(livret_certifications): it is still called for every certification, a form deprecated "
                   "and removed in the next release. Per-certification hooks are called only on the plugin "
                   "that declares the certification.")
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        logger.warning(message)  # Python hides DeprecationWarning by default: operators see the log


# ---------------------------------------------------------------------------
# Per-certification hooks
# ---------------------------------------------------------------------------

def _providers(pm: pluggy.PluginManager) -> set[Any]:
    """The plugins that declare certifications (implement ``livret_certifications``)."""
    return {impl.plugin for impl in pm.hook.livret_certifications.get_hookimpls()}


def legacy_plugins(pm: pluggy.PluginManager) -> dict[str, list[str]]:
    """``{plugin name: [per-certification hooks]}`` of the plugins that implement a
    per-certification hook but declare no certification (deprecated: they are
    called for every certification). Core's default plugins are not counted."""
    providers = _providers(pm)
    found: dict[str, list[str]] = {}
    for hook_name in sorted(hookspecs.PER_CERTIFICATION):
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            if impl.plugin not in providers and impl.plugin_name not in DEFAULT_PLUGINS:
                found.setdefault(impl.plugin_name, []).append(hook_name)
    return found


def _provider(pm: pluggy.PluginManager, certification: Any) -> Any:
    """The registered plugin that declared ``certification`` (``None`` for a descriptor no plugin of
    ``pm`` declared)."""
    provider = getattr(certification, "provider", None)
    if provider is not None and pm.is_registered(provider):
        return provider
    name = getattr(certification, "plugin", "")
    return pm.get_plugin(name) if name else None


def certification_hook(certification: Any, name: str, pm: pluggy.PluginManager | None = None) -> pluggy.HookCaller:
    """The caller of the per-certification hook ``name`` for ``certification``.

    It reaches the plugin that declared the certification, core's default
    plugins and (deprecated) plugins that implement the hook but declare no
    certification; every other plugin declaring certifications is left out
    (pluggy's ``subset_hook_caller``, built once per plugin and hook). Call it
    with keyword arguments, ``certification`` included::

        certification_hook(cert, "livret_jury_decision")(certification=cert, consolidation=c)

    ``pm`` defaults to the current application's plugin manager. A hook that is
    not per-certification (see :data:`core.hookspecs.PER_CERTIFICATION`) is
    refused: call it on ``pm.hook``.
    """
    if name not in hookspecs.PER_CERTIFICATION:
        raise ValueError(f"{name} is not a per-certification hook: call pm.hook.{name}(...) instead.")
    if pm is None:
        from flask import current_app

        pm = current_app.extensions["livret"].pm
    provider = _provider(pm, certification)
    cache: dict | None = getattr(pm, "certification_callers", None)
    key = (name, pm.get_name(provider) if provider is not None else None)
    if cache is not None and key in cache:
        return cache[key]
    caller = pm.subset_hook_caller(name, remove_plugins=_providers(pm) - {provider})
    if cache is not None:
        cache[key] = caller
    return caller


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
