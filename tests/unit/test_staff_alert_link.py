"""A staff alert links to the queue board page the intake service really serves (it linked to
/board, which does not exist)."""

from services.intake.app import create_app
from services.notify.staff_alerts import BOARD_PATH


def test_the_alert_links_to_a_page_the_intake_service_serves():
    paths = {getattr(route, "path", None) for route in create_app().routes}
    assert BOARD_PATH in paths
