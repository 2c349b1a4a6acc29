"""The intake service's composition root: `uvicorn services.intake.app:create_app --factory`."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from services.intake import health
from services.intake.cases.router import router as cases_router
from services.intake.errors import install_error_handlers
from services.intake.patients.router import router as patients_router
from services.intake.queues.router import router as queues_router
from shared.db import async_session_factory, make_async_engine
from shared.logging import configure_logging
from shared.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging()
        app.state.engine = make_async_engine(settings)
        app.state.session_factory = async_session_factory(app.state.engine)
        yield
        await app.state.engine.dispose()

    app = FastAPI(
        title="Ankle triage: intake",
        description="Pre-visit forms, exam findings, cases and triage queues.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings

    @app.middleware("http")
    async def request_id(request: Request, call_next):
        # Ties audit rows and log lines to one request without putting patient data in logs.
        request.state.request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    install_error_handlers(app)
    for router in (health.router, patients_router, cases_router, queues_router):
        app.include_router(router)
    return app
