from core.sealing.testing import app_config, signing_env  # noqa: F401
