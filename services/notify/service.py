"""Notify use cases: turn a routed case's follow-up plan into reminders, and deliver a due one.

Flushes only: the caller (a task, or the dispatcher loop) owns each transaction.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from services.notify import repository
from services.notify.channels.base import Channel, DeliveryError
from services.notify.contact import Route, choose_routes
from services.notify.messages import render
from services.notify.retry import RetryPolicy
from services.notify.schedule import QuietHours, first_allowed, patient_zone, plan_follow_ups
from shared.audit import SYSTEM_NOTIFY, record_audit
from shared.contracts import CaseClosed, CaseRouted
from shared.models import Delivery, DeliveryStatus, FollowUp, FollowUpStatus, Patient
from shared.opt_outs import OPT_OUT_PURPOSE
from shared.patient_links import PatientLink, sign_link
from shared.settings import Settings

log = logging.getLogger("notify.service")


@dataclass(frozen=True)
class NotifyConfig:
    secret_key: str
    public_url: str
    clinic_timezone: str
    quiet_hours: QuietHours
    retry: RetryPolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> NotifyConfig:
        return cls(
            secret_key=settings.secret_key, public_url=settings.public_url.rstrip("/"),
            clinic_timezone=settings.timezone,
            quiet_hours=QuietHours(settings.quiet_hours_start, settings.quiet_hours_end),
            retry=RetryPolicy(settings.delivery_max_attempts,
                              timedelta(seconds=settings.delivery_retry_base_seconds),
                              timedelta(seconds=settings.delivery_retry_max_seconds)))


class Outcome(StrEnum):
    SENT = "sent"  # reached the patient on at least one channel; nothing left to retry
    RETRY = "retry"  # a transient failure; tried again after the backoff
    FAILED = "failed"  # no channel reached the patient: on the failed-deliveries list
    DEFERRED = "deferred"  # due inside the patient's quiet hours: moved to their end


def schedule_follow_ups(session: Session, message: CaseRouted, config: NotifyConfig) -> int:
    decision = repository.decision(session, message.decision_id)
    if decision is None:
        log.warning("case routed with unknown decision %s; dropped", message.decision_id)
        return 0
    planned = plan_follow_ups(decision.decided_at, decision.outcome.get("follow_up_plan", []))
    patient = repository.recipient_of_case(session, decision.case_id)
    zone = patient_zone(patient.timezone, config.clinic_timezone)
    timed = [(p, first_allowed(p.due_at, zone, config.quiet_hours)) for p in planned]
    repository.cancel_open_follow_ups(session, decision.case_id, keep_decision=decision.id)
    return repository.add_follow_ups(session, decision.case_id, decision.id, timed)


def stop_follow_ups(session: Session, message: CaseClosed) -> None:
    repository.cancel_open_follow_ups(session, message.case_id)


def deliver_next_due(session: Session, channels: dict[str, Channel], config: NotifyConfig,
                     now: datetime) -> Outcome | None:
    """Claim the next due follow-up and try every channel it still needs. None: nothing due.
    The row stays locked while sending, so no other dispatcher can send it too."""
    follow_up = repository.claim_next_due(session, now)
    if follow_up is None:
        return None
    patient = repository.recipient(session, follow_up)
    zone = patient_zone(patient.timezone, config.clinic_timezone)
    # Checked again at send time: a late dispatcher or a changed zone must not wake anyone.
    allowed = first_allowed(now, zone, config.quiet_hours)
    if allowed > now:
        follow_up.next_attempt_at = allowed
        session.add(follow_up)
        return Outcome.DEFERRED

    settled = repository.settled_channels(session, follow_up.id)
    routes = [r for r in choose_routes(patient.email, patient.phone,
                                       repository.opted_out_channels(session, patient.id),
                                       set(channels))
              if r.channel not in settled]
    follow_up.attempts += 1
    if not routes and not settled:
        _record(session, follow_up, "none", DeliveryStatus.REJECTED, "no_usable_channel", now)
    transient = False
    for route in routes:
        status = _send(session, channels[route.channel], route, follow_up, patient, config, now)
        transient |= status == DeliveryStatus.FAILED
        settled.setdefault(route.channel, status)
    return _settle(session, follow_up, settled, transient, zone, config, now)


def _send(session: Session, channel: Channel, route: Route, follow_up: FollowUp,
          patient: Patient, config: NotifyConfig, now: datetime) -> str:
    message = render("check_in", patient.preferred_language, route.channel,
                     given_name=patient.given_name,
                     link=_link(config, "check-in", patient, follow_up, "check_in", now),
                     opt_out_link=_link(config, "opt-out", patient, follow_up, OPT_OUT_PURPOSE,
                                        now) + f"&channel={route.channel}")
    try:
        channel.send(route.address, message, idempotency_key=f"{follow_up.id}.{route.channel}")
    except DeliveryError as exc:
        status = DeliveryStatus.FAILED if exc.transient else DeliveryStatus.REJECTED
        _record(session, follow_up, route.channel, status, exc.reason, now)
        log.warning("follow-up %s attempt %d on %s %s: %s", follow_up.id, follow_up.attempts,
                    route.channel, status, exc.reason)
        return status
    _record(session, follow_up, route.channel, DeliveryStatus.SENT, None, now)
    record_audit(session, SYSTEM_NOTIFY, "disclose", "FollowUp", follow_up.id,
                 patient_id=patient.id)
    return DeliveryStatus.SENT


def _settle(session: Session, follow_up: FollowUp, settled: dict[str, str], transient: bool,
            zone, config: NotifyConfig, now: datetime) -> Outcome:
    if DeliveryStatus.SENT in settled.values() and follow_up.sent_at is None:
        follow_up.sent_at = now
    if transient and not config.retry.exhausted(follow_up.attempts):
        retry_at = now + config.retry.delay(follow_up.attempts, jitter=random.random())
        follow_up.next_attempt_at = first_allowed(retry_at, zone, config.quiet_hours)
        outcome = Outcome.RETRY
    elif follow_up.sent_at is not None:
        follow_up.status, outcome = FollowUpStatus.SENT, Outcome.SENT
    else:
        follow_up.status, outcome = FollowUpStatus.FAILED, Outcome.FAILED
        log.warning("follow-up %s failed after %d attempts", follow_up.id, follow_up.attempts)
    session.add(follow_up)
    return outcome


def _link(config: NotifyConfig, page: str, patient: Patient, follow_up: FollowUp, purpose: str,
          now: datetime) -> str:
    token = sign_link(config.secret_key, PatientLink(
        patient_id=patient.id, purpose=purpose, case_id=follow_up.case_id,
        follow_up_id=follow_up.id), now=now)
    return f"{config.public_url}/{page}?token={token}"


def _record(session: Session, follow_up: FollowUp, channel: str, status: str,
            error: str | None, now: datetime) -> None:
    session.add(Delivery(follow_up_id=follow_up.id, channel=channel, attempt=follow_up.attempts,
                         status=status, error=error, attempted_at=now))
