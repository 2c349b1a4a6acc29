"""Tables and triggers that exist only in the bench's own database.

Visibility is timed with NOTIFY: PostgreSQL delivers a notification when the transaction that
sent it commits, so a listener learns the moment a row becomes visible to other sessions. The
triggers go on only while latency is measured (a notification per seeded row would be waste).
"""

from __future__ import annotations

import psycopg

from bench.servers import libpq_url

VISIBLE_CHANNEL = "bench_visible"

CREATE = """
CREATE TABLE IF NOT EXISTS bench_intake (
  id uuid PRIMARY KEY, patient_id uuid NOT NULL, answers jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS bench_tasks (
  id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
CREATE OR REPLACE FUNCTION bench_notify_visible() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('bench_visible', TG_ARGV[0] || ':' || (to_jsonb(NEW) ->> TG_ARGV[1]));
  RETURN NULL;
END $$;
"""
WATCHED = {"queue_entries": ("routed", "case_id"), "bench_tasks": ("task", "id")}


def create_bench_tables(database_url: str) -> None:
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute(CREATE)


def settle_backlog(database_url: str) -> None:
    """Takes the submissions of earlier measurements out of the pipeline (their outbox rows
    published, their cases closed), so the next measurement's messages do not queue behind
    them and the sweeper does not send them again."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute("UPDATE outbox_messages SET published_at = now() WHERE published_at IS NULL")
        conn.execute("UPDATE cases SET status = 'closed' WHERE status = 'awaiting_triage'")


def watch_visibility(database_url: str, on: bool) -> None:
    """Adds (or removes) the NOTIFY-on-commit triggers on the rows whose arrival is timed."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        for table, (kind, column) in WATCHED.items():
            conn.execute(f"DROP TRIGGER IF EXISTS bench_visible ON {table}")
            if on:
                conn.execute(f"CREATE TRIGGER bench_visible AFTER INSERT ON {table} FOR EACH ROW "
                             f"EXECUTE FUNCTION bench_notify_visible('{kind}', '{column}')")
