"""WSGI entry point for production servers: ``gunicorn core.wsgi:app``."""
import sys

from core import ConfigError, PluginLoadError, create_app

try:
    app = create_app()
except (ConfigError, PluginLoadError) as exc:  # a clear message, not a stack trace
    print(f"Livret cannot start: {exc}", file=sys.stderr)
    sys.exit(2)
