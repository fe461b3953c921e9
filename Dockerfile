# Livret application image (used by docker-compose.yml for the app and the worker).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    LIVRET_INSTANCE_PATH=/var/lib/livret

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core libmagic1 libharfbuzz-subset0 \
      poppler-utils qpdf curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/livret
COPY . .
RUN pip install . $(for p in plugins/*/; do [ -f "$p/pyproject.toml" ] && printf '%s ' "$p"; done) \
 && pybabel compile -d core/translations \
 && useradd --system --home /var/lib/livret livret && mkdir -p /var/lib/livret && chown livret /var/lib/livret

USER livret
EXPOSE 8000
# gthread workers, 60 s timeout (above VERIFY_TIME_BUDGET_SECONDS): see core/gunicorn.conf.py
CMD ["gunicorn", "--config", "core/gunicorn.conf.py", "core.wsgi:app"]
