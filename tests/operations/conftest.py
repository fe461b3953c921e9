from core.sealing.testing import app_config, input_pdf, signing_env  # noqa: F401 - the development PKI and its TSA
