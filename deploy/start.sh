#!/bin/sh
# The start sequence of the container image, used unchanged by Compose, Kubernetes and the tests.
#   start.sh [all]             setup, then serve (a single container on its own)
#   start.sh setup             migrate and import content, then exit (Compose `setup`, k8s Job)
#   start.sh serve             collect static files if the image has none, then run gunicorn
#   start.sh wait-migrations   wait until the database schema is current (k8s init container)
#   start.sh COMMAND...        run anything else, e.g. `python manage.py createsuperuser`
set -eu
cd "$(dirname "$0")/.."

setup() {
  python manage.py migrate --no-input
  python manage.py import_content "${CONTENT_ROOT:-content}"
}

serve() {
  # The image collects static files at build time; a checkout run from source has not yet.
  if [ ! -f "${STATIC_ROOT:-var/static}/staticfiles.json" ]; then
    python manage.py collectstatic --no-input --verbosity 0
  fi
  exec python -m gunicorn --config deploy/gunicorn.conf.py courseapp.wsgi
}

wait_migrations() {
  attempts=0
  until python manage.py migrate --check --verbosity 0 >/dev/null 2>&1; do
    attempts=$((attempts + 1))
    if [ "$attempts" -ge "${MIGRATION_WAIT_ATTEMPTS:-90}" ]; then
      echo "start.sh: database schema still not current; is the setup job running?" >&2
      exit 1
    fi
    sleep 2
  done
}

case "${1:-all}" in
  all) setup; serve ;;
  setup) setup ;;
  serve) serve ;;
  wait-migrations) wait_migrations ;;
  *) exec "$@" ;;
esac
