"""PostgreSQL as an operator (or a failover) treats it: backends cut from a connection of our own."""
from __future__ import annotations

import psycopg
from django.db import connection


def admin_dsn() -> dict[str, str]:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}


def terminate(pid: int) -> None:
    """pg_terminate_backend of one backend."""
    with psycopg.connect(**admin_dsn(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def terminate_others() -> int:
    """pg_terminate_backend of every backend on the test database but this test's own; how many were cut."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        mine = cursor.fetchone()[0]
    with psycopg.connect(**admin_dsn(), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid NOT IN (%s, pg_backend_pid())", [mine]).fetchall()
    return sum(1 for (done,) in rows if done)


def backends_others() -> int:
    """Backends on the test database besides this test's own and the one asking."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        return cursor.fetchone()[0]
