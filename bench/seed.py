"""Stored cases for the growth figures, written by SQL (INSERT ... SELECT generate_series), not
through the API: a million cases in minutes rather than hours.

Each case has what the product would have stored for it: a patient (one per two cases), the
pre-visit answers, an engine decision (real inputs and outcome documents, so rows have their
real size), a queue entry, two follow-ups with a delivery for each sent one, two published
outbox messages and two audit events. Two percent of the cases (and the first 600, so each
queue has a full page) are still open on a queue (the rest are completed), and their second follow-up is scheduled in the coming month.

    seed_cases(database_url, start=0, stop=100_000)    # cases numbered [start, stop)
    seed_due_reminders(database_url, count=500)        # cases whose follow-up is due now
"""

from __future__ import annotations

import json
import random
import time

import psycopg

from bench.cases import random_case
from bench.servers import libpq_url
from services.triage.engine import evaluate
from services.triage.engine.stored_case import snapshot

BATCH = 50_000
SAMPLES = 16
OPEN_EVERY = 50  # one case in 50 is open on a queue ...
ALWAYS_OPEN = 600  # ... and so are the first 600, so every queue has 100 open at any size
DUE_OFFSET = 1_000_000_000  # case numbers of due-reminder cases, apart from stored ones

# %(start)s, %(stop)s: case numbers; %(answers)s, %(inputs)s, %(outcomes)s: JSON arrays of
# real documents; %(due)s: true makes every case open with its second follow-up due now.
STATEMENTS = f"""
CREATE TEMP TABLE seed AS
SELECT i, md5('case' || i)::uuid AS case_id, md5('patient' || (i / 2))::uuid AS patient_id,
       md5('decision' || i)::uuid AS decision_id,
       (%(due)s OR i %% {OPEN_EVERY} = 0 OR i < {ALWAYS_OPEN}) AS open,
       (ARRAY['home_care', 'physio', 'imaging', 'surgical'])[1 + floor(random() * 4)::int]
         AS queue,
       CASE WHEN random() < 0.6 THEN 'xray' ELSE 'mri' END AS modality,
       (ARRAY['routine', 'routine', 'routine', 'routine', 'routine', 'soon', 'soon', 'soon',
              'urgent', 'emergency'])[1 + floor(random() * 10)::int] AS urgency,
       i %% {SAMPLES} AS sample,
       now() - make_interval(mins => (random() * 525600)::int) AS at
FROM generate_series(%(start)s, %(stop)s - 1) AS i;
INSERT INTO patients (id, given_name, family_name, birth_date, email, preferred_language,
                      timezone, created_at)
SELECT patient_id, 'Seed', 'Patient ' || (i / 2), date '1950-01-01' + (i / 2 %% 25000),
       'seed' || (i / 2) || '@example.invalid', 'en', 'Europe/London', at
FROM seed WHERE i %% 2 = 0 OR i = %(start)s ON CONFLICT DO NOTHING;
INSERT INTO cases (id, patient_id, status, created_at, updated_at)
SELECT case_id, patient_id, CASE WHEN open THEN 'routed' ELSE 'closed' END, at, at FROM seed;
INSERT INTO intake_responses (id, case_id, questionnaire, questionnaire_version, status, source,
                              answers, authored_at)
SELECT md5('answers' || i)::uuid, case_id, 'ankle-previsit', '1.0.0', 'completed', 'patient',
       %(answers)s::jsonb -> sample, at FROM seed;
INSERT INTO triage_decisions (id, case_id, request_id, source, trigger, queue, imaging_modality,
                              urgency, needs_clinician_review, ruleset_version, ruleset_hash,
                              inputs, outcome, decided_at)
SELECT decision_id, case_id, md5('request' || i)::uuid, 'engine', 'intake_submitted', queue,
       CASE WHEN queue = 'imaging' THEN modality END, urgency, false, 'seed', md5('ruleset'),
       %(inputs)s::jsonb -> sample, %(outcomes)s::jsonb -> sample, at FROM seed;
INSERT INTO queue_entries (id, case_id, decision_id, queue, imaging_modality, urgency,
                           urgency_rank, status, business_status, entered_at, due_at, updated_at)
SELECT md5('entry' || i)::uuid, case_id, decision_id, queue,
       CASE WHEN queue = 'imaging' THEN modality END, urgency,
       array_position(ARRAY['routine', 'soon', 'urgent', 'emergency'], urgency) - 1,
       CASE WHEN NOT open THEN 'completed' WHEN i %% 3 = 0 THEN 'accepted' ELSE 'requested' END,
       CASE WHEN open THEN 'waiting' ELSE 'seen' END, at, at + interval '7 days', at FROM seed;
INSERT INTO follow_ups (id, case_id, decision_id, step, kind, purpose, status, due_at,
                        next_attempt_at, attempts, sent_at, created_at)
SELECT md5('follow-up' || i || '.' || step)::uuid, case_id, decision_id, step, 'check_in',
       'How is the ankle?', CASE WHEN step = 1 OR NOT open THEN 'sent' ELSE 'scheduled' END,
       due, due, CASE WHEN step = 1 OR NOT open THEN 1 ELSE 0 END,
       CASE WHEN step = 1 OR NOT open THEN due END, at
FROM seed, generate_series(1, 2) AS step,
     LATERAL (SELECT CASE WHEN step = 2 AND %(due)s THEN now() - interval '1 minute'
                          WHEN step = 2 AND open THEN now() + make_interval(
                               mins => 1 + (random() * 43200)::int)
                          ELSE at + step * interval '7 days' END AS due) AS d;
INSERT INTO deliveries (id, follow_up_id, channel, attempt, status, attempted_at)
SELECT md5('delivery' || i || '.' || step)::uuid, md5('follow-up' || i || '.' || step)::uuid,
       'email', 1, 'sent', at + step * interval '7 days'
FROM seed, generate_series(1, 2) AS step WHERE step = 1 OR NOT open;
INSERT INTO outbox_messages (message_id, task_name, queue, payload, created_at, published_at,
                             attempts)
SELECT md5('message' || i || kind)::uuid, kind, split_part(kind, '.', 1),
       jsonb_build_object('message_id', md5('message' || i || kind)::uuid, 'case_id', case_id),
       at, at, 1
FROM seed, unnest(ARRAY['triage.cases.evaluate', 'notify.cases.routed']) AS kind;
INSERT INTO audit_events (occurred_at, actor_id, actor_role, action, resource_type,
                          resource_id, patient_id, outcome)
SELECT at, actor, 'system', 'create', resource, case_id::text, patient_id, 'success'
FROM seed, (VALUES ('service:intake', 'Case'), ('service:triage', 'TriageDecision'))
           AS a(actor, resource);
DROP TABLE seed;
"""


def documents(count: int = SAMPLES, seed: int = 7) -> dict[str, str]:
    """Real answers, engine inputs and engine outcomes, so seeded rows have their real size."""
    rng = random.Random(seed)
    cases = [random_case(rng) for _ in range(count)]
    return {
        "answers": json.dumps([c.history.model_dump(mode="json", exclude_none=True)
                               for c in cases]),
        "inputs": json.dumps([snapshot(c) for c in cases]),
        "outcomes": json.dumps([evaluate(c).to_dict() for c in cases]),
    }


def seed_cases(database_url: str, start: int, stop: int, due: bool = False) -> float:
    """Writes cases numbered [start, stop) in batches; returns the seconds it took."""
    began = time.perf_counter()
    docs = documents()
    with psycopg.connect(libpq_url(database_url)) as conn:
        for batch_start in range(start, stop, BATCH):
            params = {**docs, "start": batch_start, "stop": min(stop, batch_start + BATCH),
                      "due": due}
            with conn.transaction():
                for statement in STATEMENTS.split(";\n"):
                    if statement.strip():
                        conn.execute(statement, params)
    analyze(database_url)
    return time.perf_counter() - began


def seed_due_reminders(database_url: str, count: int, offset: int = DUE_OFFSET) -> None:
    """`count` open cases whose second follow-up is due now (and whose patient has an email)."""
    seed_cases(database_url, offset, offset + count, due=True)


def analyze(database_url: str) -> None:
    """What autovacuum would have done by the time a real database held these rows."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
