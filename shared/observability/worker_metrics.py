"""A background process's own /metrics port, for pods that share no folder with an API
process (Kubernetes: each pod has its own PROMETHEUS_MULTIPROC_DIR).

Under `clinic run` and compose every process of the machine writes to one folder and the API's
/metrics shows them all, so CLINIC_METRICS_PORT stays unset there. In a worker or relay pod it
is set: the process (a Celery worker's main process, which is not a pool process) serves the
pod's folder, every pool process's samples added up, on that port, to a scraper holding the
metrics token, like the API's /metrics. No database gauges here: the API's scrape has them.
"""

from __future__ import annotations

import logging
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from shared.observability import metrics

log = logging.getLogger("metrics")


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args) -> None:
        pass  # a scrape every 15 s is not worth a log line


def metrics_app(token: str | None):
    exposition = make_wsgi_app(metrics.registry())

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        if not metrics.scraper_allowed(environ.get("HTTP_AUTHORIZATION", ""), token):
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Bearer realm="metrics"')])
            return [b""]
        return exposition(environ, start_response)

    return app


def serve(port: int, token: str | None, host: str = "0.0.0.0") -> WSGIServer:
    server = make_server(host, port, metrics_app(token), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics served on port %d", server.server_port)
    return server
