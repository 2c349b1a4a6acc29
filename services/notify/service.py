"""Notify use cases: turn a routed case's follow-up plan into reminders, and deliver those due.

Flushes only: the caller (a task, or the dispatcher loop) owns each transaction.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.notify import repository, staff_alerts
from services.notify.channels.base import Channel, DeliveryError
from services.notify.contact import Route, choose_routes
from services.notify.messages import render
from services.notify.repository import RoutedDecision
from services.notify.retry import RetryPolicy
from services.notify.schedule import QuietHours, first_allowed, patient_zone, plan_follow_ups
from shared.audit import SYSTEM_NOTIFY, record_audit
from shared.contracts import CaseClosed, CaseRouted
from shared.models import Delivery, DeliveryStatus, FollowUp, FollowUpStatus, Patient
from shared.observability.metrics import observe_reminder
from shared.opt_outs import OPT_OUT_PURPOSE
from shared.patient_links import PatientLink, sign_link
from shared.public_paths import CHECK_IN, OPT_OUT, PublicPath
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


@dataclass(frozen=True)
class Routed:
    follow_ups: int  # reminders scheduled (0 when the message was seen before)
    alert_now: bool  # an emergency: staff alerts go out now, not at the next dispatch


def case_routed(session: Session, message: CaseRouted, config: NotifyConfig,
                now: datetime) -> Routed:
    """The routed decision's follow-ups as reminders, and the staff alert of an emergency."""
    decision = repository.routed_decision(session, message.decision_id)
    if decision is None:
        log.warning("case routed with unknown decision %s; dropped", message.decision_id)
        return Routed(0, alert_now=False)
    created = schedule_for(session, decision, config)
    return Routed(created, alert_now=staff_alerts.alert_if_emergency(session, decision, now))


def schedule_for(session: Session, decision: RoutedDecision, config: NotifyConfig) -> int:
    """The decision's follow-up plan as reminders, replacing older decisions' unsent ones."""
    planned = plan_follow_ups(decision.decided_at, decision.follow_up_plan)
    zone = patient_zone(decision.patient_timezone, config.clinic_timezone)
    timed = [(p, first_allowed(p.due_at, zone, config.quiet_hours)) for p in planned]
    repository.cancel_open_follow_ups(session, decision.case_id, keep_decision=decision.id)
    return repository.add_follow_ups(session, decision.case_id, decision.id, timed)


def stop_follow_ups(session: Session, message: CaseClosed) -> None:
    repository.cancel_open_follow_ups(session, message.case_id)


@dataclass
class Batch:
    """What one claim came to: how many follow-ups it took, and what happened to each."""

    claimed: int
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    # What ended the batch early, if anything: the caller commits what came before, then raises.
    error: Exception | None = None


def deliver_due(session: Session, channels: dict[str, Channel], config: NotifyConfig,
                now: datetime, limit: int) -> Batch:
    """Claim up to `limit` due follow-ups and try every channel each still needs. The rows stay
    locked while sending, so no other dispatcher can send them too. A failed delivery is an
    outcome like any other; an unexpected error stops the batch where it happened: the
    follow-ups before it keep their records, the one in flight and those after it are left as
    they were, due again at once."""
    claimed = repository.claim_due(session, now, limit)
    batch = Batch(claimed=len(claimed))
    for due in claimed:
        try:
            outcome, deliveries = _deliver(due, channels, config, now)
        except Exception as exc:  # noqa: BLE001 - raised by the dispatcher after the commit
            batch.error = exc
            break
        _record(session, due, deliveries)
        batch.outcomes[outcome] += 1
        observe_reminder(outcome, [(d.channel, d.status) for d in deliveries])
    return batch


def _record(session: Session, due: repository.DueFollowUp, deliveries: list[Delivery]) -> None:
    session.add_all(deliveries)
    for delivery in deliveries:
        if delivery.status == DeliveryStatus.SENT:  # the message disclosed the patient's data
            record_audit(session, SYSTEM_NOTIFY, "disclose", "FollowUp", due.follow_up.id,
                         patient_id=due.patient.id)


def _deliver(due: repository.DueFollowUp, channels: dict[str, Channel], config: NotifyConfig,
             now: datetime) -> tuple[Outcome, list[Delivery]]:
    """The outcome and the attempts to record. Changes the follow-up only once every send is
    done, so an error halfway leaves it as it was."""
    follow_up, patient = due.follow_up, due.patient
    zone = patient_zone(patient.timezone, config.clinic_timezone)
    # Checked again at send time: a late dispatcher or a changed zone must not wake anyone.
    allowed = first_allowed(now, zone, config.quiet_hours)
    if allowed > now:
        follow_up.next_attempt_at = allowed
        return Outcome.DEFERRED, []

    settled = dict(due.settled)
    routes = [r for r in choose_routes(patient.email, patient.phone, due.opted_out, set(channels))
              if r.channel not in settled]
    attempt = follow_up.attempts + 1
    deliveries: list[Delivery] = []
    if not routes and not settled:
        deliveries.append(_delivery(follow_up, attempt, "none", DeliveryStatus.REJECTED,
                                    "no_usable_channel", now))
    transient = False
    for route in routes:
        delivery = _send(channels[route.channel], route, due, attempt, config, now)
        deliveries.append(delivery)
        transient |= delivery.status == DeliveryStatus.FAILED
        settled.setdefault(route.channel, delivery.status)
    follow_up.attempts = attempt
    return _settle(follow_up, settled, transient, zone, config, now), deliveries


def _send(channel: Channel, route: Route, due: repository.DueFollowUp, attempt: int,
          config: NotifyConfig, now: datetime) -> Delivery:
    follow_up, patient = due.follow_up, due.patient
    opt_out_link = _link(config, OPT_OUT, patient, follow_up, OPT_OUT_PURPOSE, now,
                         channel=route.channel)
    message = render("check_in", patient.preferred_language, route.channel,
                     given_name=patient.given_name,
                     link=_link(config, CHECK_IN, patient, follow_up, "check_in", now),
                     opt_out_link=opt_out_link)
    if route.channel == "email":  # RFC 8058: the mail client's own unsubscribe button
        message = replace(message, unsubscribe_url=opt_out_link)
    try:
        channel.send(route.address, message, idempotency_key=f"{follow_up.id}.{route.channel}")
    except DeliveryError as exc:
        status = DeliveryStatus.FAILED if exc.transient else DeliveryStatus.REJECTED
        log.warning("follow-up %s attempt %d on %s %s: %s", follow_up.id, attempt,
                    route.channel, status, exc.reason)
        return _delivery(follow_up, attempt, route.channel, status, exc.reason, now)
    return _delivery(follow_up, attempt, route.channel, DeliveryStatus.SENT, None, now)


def _settle(follow_up: FollowUp, settled: dict[str, str], transient: bool, zone: ZoneInfo,
            config: NotifyConfig, now: datetime) -> Outcome:
    if DeliveryStatus.SENT in settled.values() and follow_up.sent_at is None:
        follow_up.sent_at = now
    if transient and not config.retry.exhausted(follow_up.attempts):
        retry_at = now + config.retry.delay(follow_up.attempts, jitter=random.random())
        follow_up.next_attempt_at = first_allowed(retry_at, zone, config.quiet_hours)
        return Outcome.RETRY
    if follow_up.sent_at is not None:
        follow_up.status = FollowUpStatus.SENT
        return Outcome.SENT
    follow_up.status = FollowUpStatus.FAILED
    log.warning("follow-up %s failed after %d attempts", follow_up.id, follow_up.attempts)
    return Outcome.FAILED


def _link(config: NotifyConfig, page: PublicPath, patient: Patient, follow_up: FollowUp,
          purpose: str, now: datetime, **query: str) -> str:
    token = sign_link(config.secret_key, PatientLink(
        patient_id=patient.id, purpose=purpose, case_id=follow_up.case_id,
        follow_up_id=follow_up.id, generation=patient.link_generation), now=now)
    return page.url(config.public_url, token=token, **query)


def _delivery(follow_up: FollowUp, attempt: int, channel: str, status: str,
              error: str | None, now: datetime) -> Delivery:
    return Delivery(follow_up_id=follow_up.id, channel=channel, attempt=attempt, status=status,
                    error=error, attempted_at=now)
