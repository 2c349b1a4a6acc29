"""A local SMTP sink that accepts and discards mail: `python -m bench.smtp_sink PORT`.

Prints "ready" once it listens; runs until terminated (at most an hour)."""

from __future__ import annotations

import sys
import time

from aiosmtpd.controller import Controller

LONGEST_RUN_SECONDS = 3600


class Discard:
    async def handle_DATA(self, _server, _session, _envelope) -> str:  # aiosmtpd hook
        return "250 Message accepted for delivery"


def main() -> None:
    controller = Controller(Discard(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    try:
        time.sleep(LONGEST_RUN_SECONDS)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
