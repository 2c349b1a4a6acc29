"""The intake service's composition root: `uvicorn services.intake.app:create_app --factory`."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from redis.asyncio import Redis
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.intake import health
from services.intake.api_docs import install_docs
from services.intake.audit.router import router as audit_router
from services.intake.auth.rate_limit import Limits
from services.intake.auth.router import router as auth_router
from services.intake.auth.signed_in_cache import SignedInCache
from services.intake.body_limit import BodyLimit
from services.intake.cases.router import router as cases_router
from services.intake.casework.router import router as casework_router
from services.intake.cds_hooks.issuers import router as cds_issuers_router
from services.intake.cds_hooks.router import evidence_router as clinical_evidence_router
from services.intake.cds_hooks.router import router as cds_hooks_router
from services.intake.check_ins.router import router as check_ins_router
from services.intake.dead_letters.router import router as dead_letters_router
from services.intake.errors import install_error_handlers
from services.intake.fhir.router import router as fhir_router
from services.intake.fhir.smart.router import router as smart_router
from services.intake.idempotency import install_idempotency
from services.intake.input_guard import InputGuard
from services.intake.metrics_router import router as metrics_router
from services.intake.opt_outs.router import router as opt_outs_router
from services.intake.pages import install_pages
from services.intake.patients.router import router as patients_router
from services.intake.queues.router import router as queues_router
from services.intake.request_metrics import RequestMetrics
from services.intake.security_headers import SecurityHeaders
from services.intake.users.router import router as users_router
from shared.db import async_session_factory, make_async_engine
from shared.logging import configure_logging
from shared.memory import set_aside_startup_objects
from shared.observability import log_format, tracing
from shared.settings import Settings, get_settings

# Matched in this order, each router's routes in turn: the pre-visit form, the most frequent
# request, first (matching through four routers before it was a twentieth of its time, bench
# profile). The four it now precedes share no path with it, so no request matches otherwise.
ROUTERS = (cases_router, health.router, auth_router, users_router, patients_router,
           casework_router, check_ins_router, queues_router, audit_router, opt_outs_router)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging()
        log_format.apply("intake", settings.log_format)
        app.state.engine = make_async_engine(settings)
        app.state.session_factory = async_session_factory(app.state.engine)
        app.state.redis = Redis.from_url(settings.redis_url, socket_timeout=2,
                                         socket_connect_timeout=2)
        set_aside_startup_objects()
        yield
        await app.state.redis.aclose()
        await app.state.engine.dispose()

    app = FastAPI(
        title="Ankle triage: intake",
        description="Pre-visit forms, exam findings, cases and triage queues.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs from packaged assets, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.sign_in_limits = Limits()
    app.state.signed_in = SignedInCache()

    # The last added runs first (the outermost ones are added at the end, below).
    app.add_middleware(InputGuard)
    if settings.cors_origins:  # closed unless configured
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_credentials=True, allow_methods=["GET", "POST", "PATCH"],
                           allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"])
    install_error_handlers(app)
    app.include_router(metrics_router)
    # FHIR last: its catch-all answers any other /fhir path with an OperationOutcome.
    for router in (*ROUTERS, dead_letters_router, cds_hooks_router, cds_issuers_router,
                   clinical_evidence_router, smart_router, fhir_router):
        app.include_router(router)
    install_idempotency(app)
    install_pages(app)
    install_docs(app)
    # Outermost, in this order: the client's address (X-Forwarded-For believed only from the
    # configured proxies; uvicorn runs with --no-proxy-headers), headers and request id on
    # every answer including refusals, then the size limit before anything reads a body.
    app.add_middleware(BodyLimit, json_bytes=settings.max_json_body_bytes,
                       form_bytes=settings.max_form_body_bytes)
    app.add_middleware(RequestMetrics)  # inside SecurityHeaders, which sets the request id
    app.add_middleware(SecurityHeaders, production=settings.env == "production")
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    tracing.configure("intake")
    tracing.instrument_api(app)  # the server span wraps everything above
    return app
