#!/bin/sh
# Entry point of the km-labour image (deploy/Dockerfile). One image per process; SERVICE says which.
#
#   entrypoint.sh [serve]   start the process (`python -m $SERVICE`); with MIGRATE_ON_START=1
#                           run `alembic upgrade head` for this component first
#   entrypoint.sh migrate   run `alembic upgrade head` for this component, then exit
#                           (the one-shot migration job recommended for production)
#   entrypoint.sh CMD ...   run any other command in the image environment, e.g.
#                           python -m gateway.admin create-client --name ops-admin --scopes admin
#
# SERVICE          gateway | complaints | wages | credit (set by the image)
# MIGRATE_ON_START 1 = migrate before serving. Only for a single replica: concurrent
#                  `alembic upgrade` runs from several replicas race each other.
set -eu

APP_ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd -P)

die() {
    echo "entrypoint: $*" >&2
    exit 64
}

SERVICE=${SERVICE:-}
case "$SERVICE" in
    gateway)
        alembic_ini="$APP_ROOT/gateway/alembic.ini"
        prefix=GATEWAY
        ;;
    complaints | wages | credit)
        alembic_ini="$APP_ROOT/services/$SERVICE/alembic.ini"
        prefix=$(printf '%s' "$SERVICE" | tr '[:lower:]' '[:upper:]')
        ;;
    *)
        die "SERVICE must be one of gateway, complaints, wages, credit (got '${SERVICE}')"
        ;;
esac

# In production every replica must share one PostgreSQL database; the settings' SQLite default
# would give each container its own private file and lose data on restart.
check_database_url() {
    url=$(printenv "${prefix}_DATABASE_URL" || true)
    if [ "${ENVIRONMENT:-development}" = production ]; then
        case "$url" in
            "" | sqlite*)
                die "${prefix}_DATABASE_URL must point at PostgreSQL (postgresql+asyncpg://...) in production"
                ;;
        esac
    fi
}

migrate() {
    check_database_url
    echo "entrypoint: alembic upgrade head for ${SERVICE} (${alembic_ini})" >&2
    alembic -c "$alembic_ini" upgrade head
}

command=${1:-serve}
case "$command" in
    serve)
        if [ "$#" -gt 1 ]; then die "'serve' takes no arguments"; fi
        if [ "${MIGRATE_ON_START:-0}" = 1 ]; then
            migrate
        fi
        check_database_url
        exec python -m "$SERVICE"
        ;;
    migrate)
        if [ "$#" -gt 1 ]; then die "'migrate' takes no arguments"; fi
        migrate
        ;;
    *)
        exec "$@"
        ;;
esac
