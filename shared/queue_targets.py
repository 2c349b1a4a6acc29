"""How long a case may wait on a queue at each urgency before it counts as a breach.

Targets follow the reference's urgency scale (shared/reference/clinical-rules.md, "Urgency
scale"): emergency is seen now, urgent within 24 h, soon within about a week, routine on the
ordinary waiting list (21 days is this clinic network's routine target).
"""

from __future__ import annotations

from datetime import timedelta

WAIT_TARGETS: dict[str, timedelta] = {
    "emergency": timedelta(minutes=30),
    "urgent": timedelta(hours=24),
    "soon": timedelta(days=7),
    "routine": timedelta(days=21),
}

URGENCY_RANK: dict[str, int] = {"routine": 0, "soon": 1, "urgent": 2, "emergency": 3}
