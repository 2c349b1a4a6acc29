"""The check-in's outcome questions (issue 20): the 0-10 pain rating and the function items
(shared/clinical_record/ FUNCTION_ITEMS), as the page offers and reads them."""

from __future__ import annotations

from shared.clinical_record import FUNCTION_ITEMS

SCORE_CHOICES = {"pain_scale": [str(n) for n in range(11)],
                 "function_items": list(FUNCTION_ITEMS),
                 "difficulty_levels": [str(n) for n in range(5)]}


def score_answers(answers: dict[str, list[str]]) -> dict[str, str | None]:
    """The form's score answers for CheckInAnswers, which validates them (an out-of-range or
    non-numeric value is refused with its field's name); unanswered ones stay None."""
    return {name: ((answers.get(name) or [""])[0].strip() or None)
            for name in ("pain_score", *FUNCTION_ITEMS)}
