#!/usr/bin/env bash
# Idempotent set-up: Debian packages (when root and missing), a virtualenv in .venv,
# the host distribution and every plugin under plugins/, compiled translations.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST="${1:-}"

missing=()
while read -r pkg; do
  pkg="${pkg%%#*}"; pkg="$(echo "$pkg" | xargs)"; [ -z "$pkg" ] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/system-deps.txt
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # the packaged clamd/freshclam services are not wanted: tests start their own clamd
    (command -v systemctl >/dev/null && systemctl disable --now clamav-daemon clamav-freshclam) >/dev/null 2>&1 || true
  else
    echo "Missing Debian packages (install them as root): ${missing[*]}" >&2
  fi
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.livret-installed
inputs=$(cat pyproject.toml plugins/*/pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)$WITH_TEST
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$inputs" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  extras=""; [ "$WITH_TEST" = "test" ] && extras="[test]"
  args=(-e ".$extras")
  for plugin in plugins/*/; do [ -f "$plugin/pyproject.toml" ] && args+=(-e "$plugin"); done
  .venv/bin/python -m pip install -q "${args[@]}"
  echo "$inputs" > "$stamp"
fi
.venv/bin/pybabel compile -d core/translations >/dev/null
