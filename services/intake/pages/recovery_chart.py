"""The case page's recovery chart: the pain rating and function score over days of care, drawn
against the course the sources expect (shared/recovery.py), as a server-rendered SVG."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.recovery import Assessment, Course, Score, baseline_of
from shared.recovery_history import RecoveryRecord, answers, first_decision, record_from

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 56, 16, 40
COURSE_TEXT = {Course.SHORT: "pain under 3 weeks old (or under 3 months): improvement expected "
                             "within 2-3 weeks of care",
               Course.LONG: "pain over 3 months: reassessed after 3 weeks of care; about half "
                            "better resolves in 3 more weeks, about 10% better may take up to "
                            "20 weeks"}


@dataclass(frozen=True)
class RecoveryView:
    assessment: Assessment
    course_text: str
    scores: tuple[Score, ...]
    chart: Markup


async def recovery_view(session: AsyncSession, case_id: uuid.UUID) -> RecoveryView | None:
    """None when the case has no scores yet (nothing to draw)."""
    first = (await session.execute(first_decision(case_id))).first()
    record = record_from(first, list((await session.execute(answers(case_id))).all()))
    if not record.scores:
        return None
    assessment = record.assessment()
    return RecoveryView(assessment, COURSE_TEXT[assessment.course], record.scores,
                        chart(record, assessment))


def chart(record: RecoveryRecord, assessment: Assessment) -> Markup:
    scores = record.scores
    last_day = max([s.day for s in scores] + [day for day, _ in assessment.expected])
    span = max(last_day + 7, 28)

    def x(day: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * day / span

    def y_pain(pain: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (10 - pain) / 10

    def y_function(function: float) -> float:
        return y_pain(function / 10)

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" class="recovery-chart" '
             'aria-labelledby="recovery-chart-title" data-recovery-chart>'),
             ('<title id="recovery-chart-title">Pain (0-10) and function (0-100%) over days of '
             'care, against the expected course</title>')]
    for pain in range(0, 11, 2):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y_pain(pain):.1f}" '
                     f'y2="{y_pain(pain):.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 8}" y="{y_pain(pain) + 4:.1f}" text-anchor="end" '
                     f'font-size="11">{pain}</text>'
                     f'<text x="{WIDTH - RIGHT + 8}" y="{y_pain(pain) + 4:.1f}" font-size="11" '
                     f'fill="#1f6f43">{pain * 10}%</text>')
    for week in range(0, span // 7 + 1, max(1, span // 7 // 10)):
        parts.append(f'<text x="{x(week * 7):.1f}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle" font-size="11">{week}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 6}" text-anchor="middle" '
                 'font-size="11">weeks of care</text>')
    parts += _expected(assessment, baseline_of(scores), x, y_pain, y_function, span)
    parts += _series([(s.day, s.pain) for s in scores if s.pain is not None], x, y_pain,
                     "#b3261e", "pain", "")
    parts += _series([(s.day, s.function) for s in scores if s.function is not None], x,
                     y_function, "#1f6f43", "function", ' stroke-dasharray="6 3"')
    parts.append(_legend())
    parts.append("</svg>")
    return Markup("".join(parts))


def _expected(assessment, baseline, x, y_pain, y_function, span) -> list[str]:
    """The course as a limit: pain at most, function at least, what the course expects."""
    if baseline is None:
        return []
    points = [*assessment.expected, (span, assessment.expected[-1][1])]
    drawn = []
    if baseline.pain:
        line = " ".join(f"{x(day):.1f},{y_pain(baseline.pain * (100 - pct) / 100):.1f}"
                        for day, pct in points)
        drawn.append(f'<polyline points="{line}" fill="none" stroke="#555" stroke-width="2" '
                     'stroke-dasharray="2 4" data-series="expected-pain"/>')
    if baseline.function is not None:
        line = " ".join(
            f"{x(day):.1f},"
            f"{y_function(baseline.function + (100 - baseline.function) * pct / 100):.1f}"
            for day, pct in points)
        drawn.append(f'<polyline points="{line}" fill="none" stroke="#7fb89a" '
                     'stroke-width="2" stroke-dasharray="2 4" data-series="expected-function"/>')
    return drawn


def _series(points, x, y, colour: str, name: str, dash: str) -> list[str]:
    if not points:
        return []
    line = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in points)
    drawn = [(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2.5"'
             f'{dash} data-series="{name}"/>')]
    for day, value in points:
        drawn.append(f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="4" fill="{colour}">'
                     f'<title>{escape(name)} {value} on day {day}</title></circle>')
    return drawn


def _legend() -> str:
    entries = (("#b3261e", "", "pain (0-10, left)"), ("#1f6f43", ' stroke-dasharray="6 3"',
                                                      "function (%, right)"),
               ("#555", ' stroke-dasharray="2 4"', "expected course"))
    parts = []
    for index, (colour, dash, label) in enumerate(entries):
        left = LEFT + 8 + index * 170
        parts.append(f'<line x1="{left}" x2="{left + 24}" y1="{TOP + 6}" y2="{TOP + 6}" '
                     f'stroke="{colour}" stroke-width="2.5"{dash}/>'
                     f'<text x="{left + 30}" y="{TOP + 10}" font-size="11">{label}</text>')
    return "".join(parts)
