"""Read side of TDS: plain functions returning dicts, shared by the HTTP API and the dashboard.

Every query here is bounded: counts by status only for the active statuses of the big tables
(their indexes lead with status), time windows on indexed time columns, LIMITs on lists, and
pg_class.reltuples estimates where a total of a huge table is wanted.
"""
