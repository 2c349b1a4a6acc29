"""A staff alert links to the queue board page the intake service really serves (it linked to
/board, which does not exist)."""

from starlette.routing import Match

from services.intake.app import create_app
from services.notify.staff_alerts import BOARD_PATH


def _served(app, path: str) -> bool:
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
    return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)


def test_the_alert_links_to_a_page_the_intake_service_serves():
    app = create_app()
    assert _served(app, BOARD_PATH)
    assert not _served(app, "/board")  # the link alerts carried before
