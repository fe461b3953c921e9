"""WSGI entry point for production servers: ``gunicorn core.wsgi:app``."""
import gc
import sys

from core import ConfigError, PluginLoadError, create_app

try:
    app = create_app()
except (ConfigError, PluginLoadError) as exc:  # a clear message, not a stack trace
    print(f"Livret cannot start: {exc}", file=sys.stderr)
    sys.exit(2)

# What start-up built (plugins, certifications, forms, templates, pyHanko and cryptography modules: about
# 200,000 objects) lives as long as the process: kept out of the garbage collector's full passes, which
# otherwise walk all of it again every few hundred requests.
gc.collect()
gc.freeze()
