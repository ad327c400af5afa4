#!/usr/bin/env bash
# One command for each of the two jobs in the README:
#   bash bootstrap.sh demo   install everything, build the demo and serve the app
#   bash bootstrap.sh test   install everything and run the test suite
# Run as root (or with sudo available) on a fresh Debian/Ubuntu machine with Python 3.11+.
set -euo pipefail
cd "$(dirname "$0")"
MODE="${1:-demo}"
PYTHON="${PYTHON:-python3}"
VENV=.venv

# libicu-dev, pkg-config, g++ and python3-dev build PyICU (collation of country names in each language).
RUNTIME_PACKAGES=(fonts-noto-core fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info
                  libicu-dev pkg-config g++ python3-dev)
# redis-server: the tests start their own (task queue, rate limits).
TEST_PACKAGES=(postgresql redis-server poppler-utils chromium chromium-driver)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

install_system_packages() {
  local wanted=("${RUNTIME_PACKAGES[@]}") missing=()
  [ "$MODE" = test ] && wanted+=("${TEST_PACKAGES[@]}")
  "$PYTHON" -c 'import ensurepip' 2>/dev/null || wanted+=(python3-venv)
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> Installing system packages: ${missing[*]}"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
     || ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "Could not install system packages. As root run: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

install_python_packages() {
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "Python 3.11 or newer is required ($("$PYTHON" --version))" >&2; exit 1; }
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  echo "==> Installing Python packages into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[test]"
  "$VENV/bin/pybabel" -q compile -d translations
}

start_postgresql() {
  # The PostgreSQL tests need a server; start Debian's default cluster and a throwaway database.
  command -v pg_lsclusters >/dev/null || return 0
  local version
  version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    as_root pg_createcluster "$version" main >/dev/null
  fi
  as_root pg_ctlcluster "$version" main start 2>/dev/null || true
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='reporting_test'\" | grep -q 1 \
    || psql -qc \"CREATE ROLE reporting_test LOGIN PASSWORD 'reporting_test' CREATEDB\"" >/dev/null
  export TEST_DATABASE_URL="postgresql+psycopg://reporting_test:reporting_test@127.0.0.1:5432/postgres"
}

install_system_packages
install_python_packages
export FLASK_APP=reporting:create_app
FLASK="$VENV/bin/flask"

case "$MODE" in
  test)
    start_postgresql
    # The whole suite twice: on SQLite (the embedded default), then on PostgreSQL (the deployment
    # database: each test gets a fresh database cloned from a migrated template).
    "$VENV/bin/python" -m pytest "${@:2}"
    echo "==> The suite again on PostgreSQL"
    TEST_DATABASE=postgresql exec "$VENV/bin/python" -m pytest "${@:2}"
    ;;
  demo)
    "$FLASK" db upgrade
    "$FLASK" demo
    # The cycle report in all six languages, and the country profiles of the demo accounts' countries.
    "$FLASK" report build --lang all --countries MEX,FRA,KEN,CHN,RUS,EGY
    # The same for last year's published cycle: what the public portal (/public/) offers,
    # and its open data (/public/data/catalog.json), written by the build of a published cycle.
    "$FLASK" report build --cycle DEMO-2024 --lang all --countries MEX,FRA,KEN,CHN,RUS,EGY
    "$FLASK" demo | tail -n +2  # the demo sign-ins again, now that the build output has scrolled them away
    echo
    echo "==> Serving the app at http://127.0.0.1:${PORT:-5000}/ — sign in with a demo account listed above."
    exec "$FLASK" run --host 127.0.0.1 --port "${PORT:-5000}"
    ;;
  *)
    echo "usage: bash bootstrap.sh demo|test" >&2
    exit 2
    ;;
esac
