"""10,000 realistic sessions (1-200 messages each) in a temp dir: how fast is the browser?

Prints the median of several runs of: the cold index build (first open after install or after
all files changed), the time to first paint of the browser with a warm index (the usual case:
a scan of the folder's stats plus one query), and a full-text search.

    python benchmarks/sessions_browser.py [--sessions 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from pathlib import Path

from _harness import median

WORDS = (
    "rust lifetimes borrow checker async tokio python textual widget render stream markdown "
    "latency cache index query sqlite vector embedding prompt model router policy cost token "
    "kubernetes deploy helm chart terraform module pasta carbonara recipe travel budget"
).split()


def _para(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def write_sessions(folder: Path, count: int, seed: int = 5) -> int:
    """TOML files as the app writes them; returns the total bytes."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for n in range(count):
        day = f"2026{(n // 2800) % 12 + 1:02d}{n % 28 + 1:02d}"
        sid = f"{day}-{n // 100 % 24:02d}{n % 60:02d}00-{n:04x}"
        lines = [
            "format = 1",
            f'id = "{sid}"',
            f'title = "{_para(rng, 5)}"',
            'model = "openai/gpt-4o-mini"',
            "created = 2026-01-01T00:00:00Z",
            f"updated = 2026-01-01T00:{n % 60:02d}:00Z",
            "",
        ]
        for i in range(rng.randint(1, 200)):
            role = "user" if i % 2 == 0 else "assistant"
            body = _para(rng, rng.randint(5, 30) if role == "user" else rng.randint(30, 120))
            lines += [
                "[[messages]]",
                f'role = "{role}"',
                f'content = """\n{body}\n"""',
                "created = 2026-01-01T00:00:00Z",
                "",
            ]
        text = "\n".join(lines)
        (folder / f"{sid}.toml").write_text(text)
        total += len(text)
    return total


async def first_paint(store_folder: Path, index: Path) -> float:
    from textual.app import App

    from requesty_tui.storage.sessions import SessionStore
    from requesty_tui.ui.screens.session_browser import SessionBrowser

    class TimedBrowser(SessionBrowser):
        painted_at = 0.0

        def on_mount(self) -> None:
            super().on_mount()
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            self.painted_at = time.perf_counter()

    class Host(App[None]):
        started = 0.0

        def on_mount(self) -> None:
            self.started = time.perf_counter()
            self.push_screen(TimedBrowser(SessionStore(store_folder, index)))

    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        browser = app.screen
        while not isinstance(browser, TimedBrowser) or not browser.painted_at:
            await asyncio.sleep(0.001)
            browser = app.screen
        assert len(browser.rows) > 0
        painted = browser.painted_at - app.started
        await pilot.pause()
        return painted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from requesty_tui.storage.sessions import SessionStore

    with tempfile.TemporaryDirectory() as tmp:
        folder, index = Path(tmp) / "sessions", Path(tmp) / "index.sqlite3"
        started = time.perf_counter()
        size = write_sessions(folder, args.sessions)
        print(
            f"wrote {args.sessions:,} sessions, {size / 1e6:.0f} MB, in "
            f"{time.perf_counter() - started:.1f} s"
        )
        cold = []
        for _ in range(1 if args.sessions > 2000 else args.runs):
            index.unlink(missing_ok=True)
            store = SessionStore(folder, index)
            started = time.perf_counter()
            store.refresh_index()
            cold.append(time.perf_counter() - started)
            store.close()
        print(f"cold index build (once): {median(cold):.1f} s")
        paints = [asyncio.run(first_paint(folder, index)) for _ in range(args.runs)]
        print(
            f"browser first paint, warm index: median {median(paints) * 1000:.0f} ms "
            f"(runs: {', '.join(f'{p * 1000:.0f}' for p in paints)})"
        )
        store = SessionStore(folder, index)
        from requesty_tui.ui.screens.session_browser import DISPLAY_LIMIT

        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            store.refresh_index()
            times.append(time.perf_counter() - started)
        print(f"index check of the folder (stat every file): median {median(times) * 1000:.0f} ms")
        for query in ("carbonara", "rust borrow", "kube"):
            times, hits = [], 0
            for _ in range(args.runs):
                started = time.perf_counter()
                hits = len(store.search(query, refresh=False, limit=DISPLAY_LIMIT))
                times.append(time.perf_counter() - started)
            print(
                f"full-text search {query!r} (as the browser asks, first {DISPLAY_LIMIT}): "
                f"median {median(times) * 1000:.0f} ms, {hits:,} rows"
            )
        store.close()
        os.sync()


if __name__ == "__main__":
    main()
