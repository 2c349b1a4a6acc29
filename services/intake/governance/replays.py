"""What-if replays of a released rule set asked for on the governance page (issue 20). The page
stores the request and sends ReplayRuleSet through the outbox in the same transaction; the triage
worker runs it (services/triage/replay_requests.py) and stores the report, which the page shows.
Only the rule sets this process can name are offered: the releases and the one in force."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.errors import InvalidReference, NotFound
from services.triage.engine.ruleset import RELEASES, RULESET_HASH, RULESET_VERSION
from shared.audit import Actor, Entity, record_audit, record_list_read
from shared.contracts import ReplayRuleSet
from shared.models import Case, ReplayRequest
from shared.outbox import add_to_outbox

LISTED = 20


def replayable() -> list[tuple[str, str]]:
    """(version, sha256) of each rule set a replay may run against, newest first."""
    return [(RULESET_VERSION, RULESET_HASH),
            *sorted(((v, h) for v, (h, _commit) in RELEASES.items()), reverse=True)]


async def request_replay(session: AsyncSession, against: str, actor: Actor,
                         request_id: str) -> ReplayRequest:
    if against not in dict(replayable()):
        raise InvalidReference(f"No released rule set {against!r}: choose one of the list.",
                               field="against")
    replay = ReplayRequest(against=against, requested_by=actor.id, requested_by_role=actor.role)
    session.add(replay)
    add_to_outbox(session, ReplayRuleSet(message_id=uuid.uuid4(), replay_id=replay.id))
    record_audit(session, actor, "create", "RuleSetReplay", replay.id, patient_id=None,
                 request_id=request_id)
    await session.flush()
    return replay


async def recent_replays(session: AsyncSession) -> list[ReplayRequest]:
    return list(await session.exec(select(ReplayRequest).order_by(
        col(ReplayRequest.requested_at).desc()).limit(LISTED)))


@dataclass(frozen=True)
class ShownReplay:
    request: ReplayRequest
    report: dict | None

    @property
    def safety_concerns(self) -> list[dict]:
        return [m for m in (self.report or {}).get("moves", ()) if m["safety_concern"]]

    @property
    def other_moves(self) -> list[dict]:
        return [m for m in (self.report or {}).get("moves", ()) if not m["safety_concern"]]


async def shown_replay(session: AsyncSession, replay_id: uuid.UUID, actor: Actor,
                       request_id: str) -> ShownReplay:
    """One request and its report, audited as a read of every case the report names."""
    replay = await session.get(ReplayRequest, replay_id)
    if replay is None:
        raise NotFound("No such replay.")
    moves = (replay.report or {}).get("moves", ())
    case_ids = {uuid.UUID(m["case_id"]) for m in moves}
    if case_ids:
        patients = dict((await session.exec(select(Case.id, Case.patient_id).where(
            col(Case.id).in_(case_ids)))).all())
        record_list_read(session, actor, f"rules-replay:{replay.id}", [
            Entity("Case", case, patients[case]) for case in sorted(case_ids)
            if case in patients], request_id=request_id)
    return ShownReplay(replay, replay.report)
