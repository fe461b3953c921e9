"""Core behaviour shipped as plugins of the same hooks (as Datasette does)."""

DEFAULT_PLUGINS = (
    "core.default_plugins.mail",
    "core.default_plugins.jobs",
    "core.default_plugins.fees",
    "core.default_plugins.jury",
    "core.default_plugins.privacy",
    "core.default_plugins.signing",
)
