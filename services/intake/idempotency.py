"""Idempotency-Key on POST requests: a retried request gets the first response back and
creates nothing new.

    install_idempotency(app)   # in create_app

How: the middleware looks the key up per principal (who is asking, so two callers' keys never
meet). A known key with another request body is refused (422); a finished one is replayed
(status and body). A new key is written by the request's own session just before it commits,
in the same transaction as the effect, so "key recorded" and "effect happened" cannot
disagree; the unique (principal, key) constraint makes a concurrent twin's commit fail and roll
back its effect. The response is stored right after. A request that commits nothing records
nothing (a retry is then safe).

A key whose answer is not stored yet belongs to a request whose effect has committed: its
answer is moments away, or was lost with an API that died in between. A route that creates
something names it (`name_created`), and such a retry is sent there (303 See Other); for
other routes it answers 409 (retry shortly) until the key expires.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import bindparam, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.intake.asgi_body import read_body, replaying
from services.intake.auth.dependencies import get_principal
from services.intake.dependencies import BEFORE_COMMIT
from services.intake.errors import DATABASE_UNAVAILABLE, unavailable_response
from shared.clock import utcnow
from shared.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


CLAIM_KEY = insert(IdempotencyKey).values(
    key=bindparam("key"), principal=bindparam("principal"),
    request_hash=bindparam("request_hash"), created_at=bindparam("created_at"),
    location=bindparam("location"),
).on_conflict_do_nothing(constraint="uq_idempotency_keys_principal_key").returning(
    IdempotencyKey.id)


@dataclass
class Claim:
    """Joins the transaction of the request's effect (services/intake/dependencies.py)."""

    key: str
    principal: str
    request_hash: str
    inserted: bool = field(default=False)
    location: str | None = None  # set by the route through name_created

    def write_before_commit(self, session) -> None:
        """SQLAlchemy before_commit hook."""
        if self.inserted:
            return
        if session.execute(CLAIM_KEY, {"key": self.key, "principal": self.principal,
                                       "request_hash": self.request_hash,
                                       "created_at": utcnow(),
                                       "location": self.location}).first() is None:
            raise KeyInFlight()  # a twin committed first: this transaction and its effect roll back
        self.inserted = True


class KeyInFlight(Exception):
    pass


def name_created(request: Request, location: str) -> None:
    """Names the URL path of what this request created, written with its Idempotency-Key (if
    it has one): a retry whose answer was lost is sent there."""
    claim = request.scope.get("state", {}).get(BEFORE_COMMIT)
    if isinstance(claim, Claim):
        claim.location = location


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": [
        {"type": "idempotency_key", "loc": ["header", HEADER], "msg": message}]})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = Headers(scope=scope).get(HEADER) if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            return await _problem(422, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters")(
                scope, receive, send)
        body = await read_body(receive)
        factory = scope["app"].state.session_factory
        try:  # outside the app's error handlers: PostgreSQL away is 503 here too, not 500
            # Each reader of the body gets its own replay (a CSRF check may read the form).
            principal = await _principal(scope, replaying(body, receive))
            known = None if principal is None else await _known(factory, principal, key)
        except DATABASE_UNAVAILABLE:
            return await unavailable_response()(scope, receive, send)
        receive = replaying(body, receive)
        if principal is None:  # refused anyway; let the route say why
            return await self.app(scope, receive, send)
        digest = hashlib.sha256(b"\n".join([scope["method"].encode(), scope["path"].encode(),
                                            scope.get("query_string", b""), body])).hexdigest()
        if known is not None:
            return await _answer_known(known, digest)(scope, receive, send)

        claim = Claim(key, principal, digest)
        scope.setdefault("state", {})[BEFORE_COMMIT] = claim
        started: dict = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if claim.inserted:
            async with factory() as session:
                await session.exec(update(IdempotencyKey).where(
                    IdempotencyKey.principal == principal, IdempotencyKey.key == key,
                ).values(status_code=started.get("status", 500),
                         response_body=b"".join(chunks).decode("utf-8", "replace")))
                await session.commit()


async def _known(factory, principal: str, key: str) -> IdempotencyKey | None:
    async with factory() as session:
        return (await session.exec(select(IdempotencyKey).where(
            IdempotencyKey.principal == principal, IdempotencyKey.key == key))).first()


def _answer_known(known: IdempotencyKey, digest: str):
    if known.request_hash != digest:
        return _problem(422, f"this {HEADER} was already used with a different request")
    if known.status_code is None and known.location is not None:
        # Committed, its answer not (yet) stored: what it created is there to read.
        return JSONResponse(status_code=303, headers={"Location": known.location},
                            content={"detail": f"the request with this {HEADER} was done; "
                                               "what it created is at the Location"})
    if known.status_code is None:
        return _problem(409, f"a request with this {HEADER} is still being processed; "
                             "retry shortly")
    response = JSONResponse(status_code=known.status_code, content=None)
    response.body = (known.response_body or "").encode()
    response.headers["content-length"] = str(len(response.body))
    response.headers["Idempotent-Replayed"] = "true"
    return response


async def _principal(scope: Scope, receive: Receive) -> str | None:
    try:
        return (await get_principal(Request(scope, receive))).actor.id
    except HTTPException:
        return None


def install_idempotency(app: FastAPI) -> None:
    app.add_middleware(IdempotencyMiddleware)

    @app.exception_handler(KeyInFlight)
    async def _twin_in_flight(_request: Request, _exc: KeyInFlight) -> JSONResponse:
        return _problem(409, f"a request with this {HEADER} is still being processed; "
                             "retry shortly")
