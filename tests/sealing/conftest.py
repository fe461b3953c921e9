from core.sealing.testing import app_config, input_pdf, signing_env  # noqa: F401
