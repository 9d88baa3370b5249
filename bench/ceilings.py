"""This machine's ceilings, measured in the same run as the figure they serve.

A figure divided by its ceiling means the same on a laptop, a shared 2-core machine and a server:
both move with the machine, the ratio moves with TDS. Each ceiling does the raw work with nothing of
TDS around it, on the same rows, images or calls, and takes a few seconds.
"""
from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any


def _unique_columns(cursor: Any, table: str) -> list[str]:
    """The columns of the table's first plain unique index other than the primary key (else the key)."""
    cursor.execute(
        """SELECT i.indisprimary, array_agg(a.attname::text ORDER BY k.ord)
           FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
           WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
           GROUP BY i.indexrelid, i.indisprimary ORDER BY i.indisprimary, i.indexrelid""", [table])
    rows = cursor.fetchall()
    return list(rows[0][1])


def copy_upsert(tables: list[str]) -> dict[str, float]:
    """Rows/s of raw COPY into a staging table then INSERT … ON CONFLICT DO UPDATE into an empty copy of
    each table (its indexes included), for exactly the rows those tables hold now. Django's connection
    is in autocommit, so each statement commits as a sync's batch does."""
    from django.db import connection

    rows, seconds = 0, 0.0
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        for table in tables:
            keys = _unique_columns(cursor, table)
            cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                           "AND NOT attisdropped ORDER BY attnum", [table])
            columns = [name for (name,) in cursor.fetchall()]
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                data = b"".join(bytes(chunk) for chunk in copy)
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            count = cursor.fetchone()[0]
            target, stage = f"ceiling_{table}", f"ceiling_stage_{table}"
            cursor.execute(f'DROP TABLE IF EXISTS "{target}"')
            cursor.execute(f'CREATE TABLE "{target}" (LIKE "{table}" INCLUDING ALL)')
            cursor.execute(f'CREATE TEMP TABLE "{stage}" (LIKE "{table}" INCLUDING DEFAULTS)')
            updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in keys)
            conflict = ", ".join(f'"{c}"' for c in keys)
            started = time.perf_counter()
            with cursor.copy(f'COPY "{stage}" FROM STDIN') as copy:
                copy.write(data)
            cursor.execute(f'INSERT INTO "{target}" SELECT * FROM "{stage}" '
                           f'ON CONFLICT ({conflict}) DO UPDATE SET {updates}')
            seconds += time.perf_counter() - started
            rows += count
            cursor.execute(f'DROP TABLE "{target}"')
            cursor.execute(f'DROP TABLE "{stage}"')
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": rows / seconds if seconds else 0.0}


def skip_locked_drain(url: str, *, table: str = "tds_sync_queue", workers: int = 2,
                      batch: int = 200) -> dict[str, float]:
    """Items/s of ``workers`` connections draining a copy of the queue with FOR UPDATE SKIP LOCKED:
    claim a batch (status and lease), then mark it completed, with no application work between."""
    import psycopg

    target = "ceiling_queue"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP TABLE IF EXISTS "{target}"')
        conn.execute(f'CREATE TABLE "{target}" (LIKE "{table}" INCLUDING ALL)')
        conn.execute(f'INSERT INTO "{target}" SELECT * FROM "{table}"')
        count = conn.execute(f"UPDATE \"{target}\" SET status = 'pending', locked_by = '', locked_until = NULL, "
                             "completed_at = NULL").rowcount
        conn.execute(f'ANALYZE "{target}"')
    claim = (f"UPDATE \"{target}\" SET status = 'processing', locked_by = %s, locked_until = now() + interval '5 min' "
             f"WHERE id IN (SELECT id FROM \"{target}\" WHERE status = 'pending' ORDER BY priority, id "
             f"LIMIT {batch} FOR UPDATE SKIP LOCKED) RETURNING id")
    done = f"UPDATE \"{target}\" SET status = 'completed', completed_at = now() WHERE id = ANY(%s)"
    ready = threading.Barrier(workers + 1)

    def drain(name: str) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            ready.wait()
            while True:
                ids = [row[0] for row in conn.execute(claim, [name]).fetchall()]
                if not ids:
                    return
                conn.execute(done, [ids])

    threads = [threading.Thread(target=drain, args=(f"ceiling:{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        left = conn.execute(f"SELECT count(*) FROM \"{target}\" WHERE status <> 'completed'").fetchone()[0]
        conn.execute(f'DROP TABLE "{target}"')
    return {"items": count, "left": left, "seconds": round(seconds, 3), "items_per_second": count / seconds}


def pillow_thumbnails(paths: list[Path], *, size: int) -> dict[str, float]:
    """Images/s of Pillow alone, in one process: decode each stored original and write a WebP thumbnail
    (the same reduced-scale decode, size and encoder effort as TDS) to memory. Files are read first."""
    from PIL import Image

    contents = [path.read_bytes() for path in paths]
    started = time.perf_counter()
    for content in contents:
        with Image.open(io.BytesIO(content)) as opened:
            opened.draft("RGB", (size, size))
            image = opened.convert("RGBA" if opened.mode in ("RGBA", "LA", "P") else "RGB")
            image.thumbnail((size, size), resample=Image.Resampling.BILINEAR, reducing_gap=2.0)
            image.save(io.BytesIO(), "WEBP", quality=80, method=0)
    seconds = time.perf_counter() - started
    return {"images": len(contents), "seconds": round(seconds, 3),
            "images_per_second": len(contents) / seconds if seconds else 0.0}


def odoo_empty_calls(calls: int) -> dict[str, float]:
    """Calls/s of the fake Odoo answering ``calls`` empty calls (a search_count matching nothing) through
    TDS's own client and transport, so only the work per record is left out."""
    from odoo.client import get_client

    client = get_client()
    client.connect()
    started = time.perf_counter()
    for _ in range(calls):
        client.search_count("product.product", [("id", "=", 0)])
    seconds = time.perf_counter() - started
    return {"calls": calls, "seconds": round(seconds, 3), "calls_per_second": calls / seconds if seconds else 0.0}
