"""10,000 realistic sessions (1-200 messages each) in a temp dir: how fast is the browser?

Prints the median of several runs of: the cold index build (first open after install or after
all files changed), the time to first paint of the browser with a warm index (the usual case:
a scan of the folder's stats plus one query), and a full-text search.

``--large N``: N of the sessions (spread among the rest) are the big conversation of
``long_session.py --huge`` (1,000 messages, twenty ~200 KB and two ~1 MB replies, ~8 MB of
TOML each), as after months of daily use; then also renaming and deleting one of them, and the
index check after each, with how many files it read again (only the changed one should be).

    python benchmarks/sessions_browser.py [--sessions 10000] [--large 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
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


def write_sessions(
    folder: Path, count: int, large: int = 0, seed: int = 5
) -> tuple[int, list[str]]:
    """TOML files as the app writes them, ``large`` of them the big conversation; returns the
    total bytes and the big ones' ids."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total, big_ids = 0, []
    every = count // large if large else 0
    big = _big_session(folder) if large else ""
    for n in range(count):
        day = f"2026{(n // 2800) % 12 + 1:02d}{n % 28 + 1:02d}"
        sid = f"{day}-{n // 100 % 24:02d}{n % 60:02d}00-{n:04x}"
        if every and n % every == 0 and len(big_ids) < large:
            text = big.replace('id = "20261126-000000-long"', f'id = "{sid}"', 1)
            (folder / f"{sid}.toml").write_text(text)
            total += len(text)
            big_ids.append(sid)
            continue
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
    return total, big_ids


def _big_session(folder: Path) -> str:
    """The text of ``long_session.py --huge``'s conversation, as the app saves it."""
    from long_session import build

    from requesty_tui.storage.sessions import SessionStore

    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "s", Path(tmp) / "i.sqlite3")
        session_id, _size = build(1000, huge=True, store=store)
        store.close()
        return (Path(tmp) / "s" / f"{session_id}.toml").read_text()


def changes(store_folder: Path, index: Path, big_ids: list[str]) -> None:
    """Rename one big conversation, then delete another, as the browser does: the time of
    each and of the index check after it, and how many files that check read again."""
    from requesty_tui.storage.sessions import SessionStore

    class Counting(SessionStore):
        reads = 0

        def _read_for_index(self, path: Path):  # type: ignore[no-untyped-def]
            Counting.reads += 1
            return super()._read_for_index(path)

    store = Counting(store_folder, index)
    store.refresh_index()
    renamed = store.path_for(big_ids[1])
    kept = {path: path.read_bytes() for path in (renamed, store.path_for(big_ids[2]))}
    for what, change in (
        ("rename", lambda: store.rename(big_ids[1], "Renamed in the browser")),
        ("delete", lambda: store.delete(big_ids[2])),
    ):
        Counting.reads = 0
        started = time.perf_counter()
        change()
        took = time.perf_counter() - started
        started = time.perf_counter()
        store.refresh_index()
        check = time.perf_counter() - started
        print(
            f"{what} a big conversation: {took * 1000:.0f} ms, then the index check "
            f"{check * 1000:.0f} ms, {Counting.reads} file(s) read again"
        )
    for path, data in kept.items():  # as they were, for the next run with --dir
        path.write_bytes(data)
    store.refresh_index()
    store.close()


async def first_paint(
    store_folder: Path, index: Path, queries: tuple[str, ...] = ()
) -> tuple[float, dict[str, float]]:
    """The browser's first paint, then each query typed: until its rows are painted."""
    from textual.app import App
    from textual.widgets import Input

    from requesty_tui.storage.sessions import SessionStore
    from requesty_tui.ui.screens.session_browser import SessionBrowser

    class TimedBrowser(SessionBrowser):
        # Textual finds a relative CSS_PATH beside the class's own file: this one's is here.
        CSS_PATH = str(Path(sys.modules[SessionBrowser.__module__].__file__ or "").parent
                       / "session_browser.tcss")  # fmt: skip
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
            if app._exception is not None:
                raise app._exception
            await asyncio.sleep(0.001)
            browser = app.screen
        assert len(browser.rows) > 0
        painted = browser.painted_at - app.started
        await pilot.pause()
        typed: dict[str, float] = {}
        for query in queries:
            drawn = asyncio.Event()
            started = time.perf_counter()
            browser.query_one(Input).value = query  # the search runs as the text changes
            browser.call_after_refresh(drawn.set)
            await drawn.wait()
            typed[query] = time.perf_counter() - started
        return painted, typed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large", type=int, default=0, help="how many are the big conversation")
    parser.add_argument(
        "--dir", help="keep the sessions and the index here (made once, then reused: 4 GB and"
        " 2.5 minutes of indexing with --large 500)"
    )  # fmt: skip
    args = parser.parse_args()
    from requesty_tui.storage.sessions import SessionStore

    with tempfile.TemporaryDirectory() as tmp:
        where = Path(args.dir or tmp)
        folder, index = where / "sessions", where / "index.sqlite3"
        reuse = (where / "big_ids").exists()
        started = time.perf_counter()
        if reuse:
            big_ids = (where / "big_ids").read_text().split()
            print(f"reusing {where}: {len(list(folder.iterdir())):,} sessions, {len(big_ids)} big")
        else:
            size, big_ids = write_sessions(folder, args.sessions, args.large)
            (where / "big_ids").write_text("\n".join(big_ids))
            print(
                f"wrote {args.sessions:,} sessions ({len(big_ids)} big), {size / 1e6:.0f} MB, "
                f"in {time.perf_counter() - started:.1f} s"
            )
        cold = []
        for _ in range(0 if reuse else 1 if args.sessions > 2000 else args.runs):
            index.unlink(missing_ok=True)
            store = SessionStore(folder, index)
            started = time.perf_counter()
            store.refresh_index()
            cold.append(time.perf_counter() - started)
            store.close()
        if cold:
            print(f"cold index build (once): {median(cold):.1f} s")
        queries = ("carbonara", "rust borrow", "kube", "b")
        results = [asyncio.run(first_paint(folder, index, queries)) for _ in range(args.runs)]
        paints = [painted for painted, _typed in results]
        print(
            f"browser first paint, warm index: median {median(paints) * 1000:.0f} ms "
            f"(runs: {', '.join(f'{p * 1000:.0f}' for p in paints)})"
        )
        for query in queries:
            took = [typed[query] for _painted, typed in results]
            print(
                f"typed {query!r} in the browser -> its rows painted: median "
                f"{median(took) * 1000:.0f} ms (runs: {', '.join(f'{t * 1000:.0f}' for t in took)})"
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
            first = store.search(query, refresh=False, limit=1)[0].id
            for label, session_id in (("the top row", first), ("a big one", big_ids[:1])):
                if isinstance(session_id, list):
                    if not session_id:
                        continue
                    session_id = session_id[0]
                times = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    store.snippet(session_id, query)
                    times.append(time.perf_counter() - started)
                print(f"  its snippet for {label} (in a thread): {median(times) * 1000:.0f} ms")
        store.close()
        if big_ids:
            changes(folder, index, big_ids)
        os.sync()


if __name__ == "__main__":
    main()
