"""One MCP server's life in one place: the phase it is in, what went wrong, and the events its
waiters wait on.

Every change of phase is a method of :class:`ServerState`; the server's task, its calls and the
host only report what happened (the tools are listed, the process died, stop) and ask where it
is::

    NEW ─► STARTING ─► READY ─► CRASHED (its task ended) ─► STARTING (the next call)
    STARTING ─► FAILED (its task ended before it was up)
    STARTING | READY ─► LOST (its process died) ─► CRASHED | FAILED
    STARTING | READY | LOST ─► STOPPING (closing, or a start too long) ─► CLOSED
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import Enum


class Phase(Enum):
    NEW = "new"
    """Configured, never started."""
    STARTING = "starting"
    """Its process or connection is being set up and its tools listed."""
    READY = "ready"
    """Up: calls go through its session."""
    LOST = "lost"
    """Its process died or its session broke; its task is still ending what is left."""
    STOPPING = "stopping"
    """Asked to stop (the host closes, or a start took too long); its task is ending."""
    CRASHED = "crashed"
    """Ended after it was up: the next call starts it again."""
    FAILED = "failed"
    """Did not start."""
    CLOSED = "closed"
    """Stopped by us."""


_RUNNING = (Phase.STARTING, Phase.READY, Phase.LOST)
"""A run whose task has not ended and that nobody asked to stop."""


class ServerState:
    """Where one server is, and why it is not up when it is not."""

    def __init__(self) -> None:
        self.phase = Phase.NEW
        self.failure = ""
        """What went wrong, in one line a user can read (empty while nothing did)."""
        self.starts = 0
        self.ready = asyncio.Event()
        """Set once the start is over, either way."""
        self.settled = asyncio.Event()
        """Set once what a crash message needs is known: the exit code, or the run's end."""
        self.wake = asyncio.Event()
        """What the task of a server that is up waits on: a stop, or its end noticed."""

    # -- asked -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Up and usable: not merely still shutting down after its process died."""
        return self.phase is Phase.READY

    @property
    def lost(self) -> bool:
        return self.phase is Phase.LOST

    @property
    def stopping(self) -> bool:
        """We are the ones ending it (so its end is no crash)."""
        return self.phase in (Phase.STOPPING, Phase.CLOSED)

    @property
    def gone(self) -> bool:
        """The session of a server that was up went away, or is going (a call that fails
        then failed because of it)."""
        return self.phase in (Phase.LOST, Phase.STOPPING, Phase.CRASHED, Phase.CLOSED)

    @property
    def needs_start(self) -> bool:
        """A call should (re)start it first, or wait for the start under way."""
        return self.phase in (Phase.CRASHED, Phase.STARTING, Phase.LOST)

    # -- told --------------------------------------------------------------------------------

    def launch(self) -> None:
        """A new run: the events are its own, so that waiters of the last run are not woken."""
        self.phase, self.failure = Phase.STARTING, ""
        self.ready, self.settled, self.wake = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self.starts += 1

    def listed(self) -> bool:
        """Its tools are listed: up, unless it was stopped or lost meanwhile. Whether its task
        should now wait for :attr:`wake` (not when it is being stopped)."""
        if self.phase is Phase.STOPPING:
            return False
        if self.phase is Phase.STARTING:
            self.phase = Phase.READY
        self.ready.set()
        return True

    def lose(self) -> None:
        """Its process died or its pipes closed: the session is gone whatever the process
        does."""
        if self.phase in (Phase.STARTING, Phase.READY):
            self.phase = Phase.LOST
        self.wake.set()

    def exit_known(self) -> None:
        self.settled.set()

    def stop(self) -> None:
        if self.phase in _RUNNING:
            self.phase = Phase.STOPPING
        self.wake.set()

    def give_up(self, failure: str) -> None:
        """The start took too long: said as such, and stopped."""
        self.failure = failure
        self.stop()

    def end(self, *, started: bool, cancelled: bool, say: Callable[[Phase], str]) -> None:
        """The run's task is over: ``CLOSED`` when we stopped it (or its task was cancelled),
        ``FAILED`` when it never started, else ``CRASHED``; ``say`` words the phase."""
        if self.phase is Phase.STOPPING or cancelled:
            self.phase = Phase.CLOSED
        elif not started:
            self.phase = Phase.FAILED
        else:
            self.phase = Phase.CRASHED
        self.failure = say(self.phase)
        self.ready.set()
        self.settled.set()
