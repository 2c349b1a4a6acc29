"""Names vulture (run by `clinic test`, configured in pyproject.toml) cannot see being used.

Routes, tasks, commands, facts and signal handlers are recognised by their decorators
(pyproject.toml); what is left here is read by a framework, by serialisation or by the tests.
A name added here says where it is used; dead code is deleted, not listed.
"""

# ruff: noqa: B018, F821

# Called by a framework: uvicorn's app factories, aiosmtpd's handler, Celery's task base and
# beat, Alembic's autogenerate filter, the logging and HTTP server base classes, itsdangerous.
create_app  # uvicorn --factory (services/intake, bench/baseline_app.py)
listing  # bench/baseline_app.py route, registered inside create_app
_.handle_DATA  # aiosmtpd
TrackedTask  # shared/messaging.py names it as the Celery task base by path
_.on_failure  # Celery Task
_.beat_schedule  # Celery beat
include_name  # Alembic env.py
_.get_description  # OpenTelemetry sampler
_.log_message  # http.server handler
_.get_timestamp  # itsdangerous signer
_.naming_convention  # SQLAlchemy MetaData

# Fields read by serialisation (pydantic, SQLModel columns, dataclasses turned into JSON or
# rows), never by attribute: the API's and the FHIR/CDS schemas, the stored decision, settings.
(BASKETBALL, CRICKET, DANCE, FOOTBALL, GYMNASTICS, HIKING, MILITARY_TRAINING, TENNIS,
 DIRECT_BLOW, PUSHING_OFF, STAIRS, DOWNHILL, UPHILL, HIGH_HEELS, UNEVEN_GROUND, STANDING_LONG,
 HILLS, NEW_SHOES, NEW_SURFACE, RETURN_AFTER_BREAK, SPEED_WORK, MILD, BETTER, FEMALE,
 ULTRASOUND, CT, BONE_SCAN, LIGAMENT_TEAR, CARTILAGE_OR_BONE_BRUISE, INSIDE, PAINKILLERS,
 OTHER_ABNORMAL)  # shared/clinical_record.py answer options, sent by forms
(days_ago, days_since_previous_decision, function_stairs, function_stand,
 function_usual_activity, function_walk_indoors, function_walk_outdoors)  # clinical_record
(accepted_suggestions, acknowledged_by, hook_instance, override_reason_code,
 override_reason_display, override_reason_system, published_at, received_at,
 user_comment, last_error, finished_at)  # shared/models columns
(otel_exporter_otlp_endpoint, prometheus_multiproc_dir)  # shared/settings.py, from the env
(actions, appContext, assigned, autolaunchable, code_required, counts_by_urgency,
 decision_history, encounterId, engine_suggestion, exam_findings, expires_in, findings_recorded,
 first_failed_at, icon, isRecommended, next_check_in_days, one_time_code, override_reason,
 owner_name, possible_duplicates, reasons, services, systemActions, target_minutes, token_type,
 topic, usageRequirements, waited_minutes, breaches)  # services/intake response schemas
(after_days, by, replaces_decision_id)  # shared/contracts.py stored decision
(last_attempt_at, outbox_messages, auth_sessions, idempotency_keys_deleted,
 improvements)  # dataclass results logged with asdict/astuple

# Read by the Jinja templates of the staff pages.
course_text  # services/intake/pages/recovery_chart.py, templates/_recovery.html
moved_from  # services/intake/pages/board.py, templates/_board.html

# Used by the tests only, and kept for them.
LINKED_FROM_MESSAGES  # shared/public_paths.py: every page a message links to exists
route_name  # shared/public_paths.py
