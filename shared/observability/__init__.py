"""Metrics, traces and structured logs (issue 19, observability).

    metrics.py           Prometheus metrics every process records (multiprocess mode)
    database_metrics.py  the gauges read from PostgreSQL when /metrics is scraped
    celery_metrics.py    Celery tasks by name and outcome, with run time
    worker_metrics.py    a worker pod's own /metrics port (Kubernetes)
    tracing.py           OpenTelemetry: set-up per process, the outbox's trace context
    log_format.py        one JSON line per event, or a human-readable line

Each process's composition root wires them with a line or two; nothing here runs at import.
"""
