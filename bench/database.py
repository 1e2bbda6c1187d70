"""The benchmark's own PostgreSQL database, created for a run and dropped after it."""

import psycopg

from bench.workspace import BenchError, step

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/courseapp_bench"


def database_recreate(database_url: str) -> None:
    name = database_name(database_url)
    step(f"Creating database {name}")
    with admin_connection(database_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop(database_url: str) -> None:
    from django.db import connections

    connections.close_all()
    with admin_connection(database_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database_name(database_url)}" WITH (FORCE)')


def database_name(database_url: str) -> str:
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise BenchError(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {database_url!r}.")
    name = database_url.rsplit("/", 1)[-1].split("?")[0]
    if not name.replace("_", "").isalnum():
        raise BenchError(f"Unexpected database name {name!r} in BENCH_DATABASE_URL.")
    return name


def admin_connection(database_url: str) -> psycopg.Connection:
    maintenance = database_url.rsplit("/", 1)[0] + "/postgres"
    try:
        return psycopg.connect(maintenance, autocommit=True)
    except psycopg.OperationalError as error:
        raise BenchError(f"PostgreSQL is not reachable at {maintenance}: {error}") from None
