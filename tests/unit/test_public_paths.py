"""Every page a message links to is served by the intake route of that name, at that path
(staff alerts linked to /board, which no route served)."""

import pytest
from starlette.routing import Match

from services.intake.app import create_app
from shared.public_paths import LINKED_FROM_MESSAGES, STAFF_BOARD, PublicPath
from shared.settings import Settings

APP = create_app(Settings(env="test"))


@pytest.mark.parametrize("page", LINKED_FROM_MESSAGES, ids=lambda page: page.route_name)
def test_the_path_is_the_one_the_named_intake_route_serves_to_a_get(page: PublicPath):
    assert APP.url_path_for(page.route_name) == page.path
    scope = {"type": "http", "method": "GET", "path": page.path, "root_path": "",
             "headers": []}
    assert any(route.matches(scope)[0] is Match.FULL for route in APP.router.routes)


def test_a_link_is_the_public_base_and_the_path_with_its_query():
    assert STAFF_BOARD.url("https://clinic.example/") == "https://clinic.example/staff/board"
    assert PublicPath("x", "/opt-out").url("http://c", token="a b", channel="email") == \
        "http://c/opt-out?token=a+b&channel=email"
