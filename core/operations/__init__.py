"""Operating the platform: health and readiness probes, Prometheus metrics, JSON logs."""
