"""Public verification of signed PDFs: the page ``/verifier`` and ``POST /api/v1/verify``."""
