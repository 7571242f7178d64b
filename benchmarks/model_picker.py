"""The model picker with 1,000 models: time to filter and redraw the list per keystroke.

python benchmarks/model_picker.py [--models 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from _harness import median


def fake_models(n: int) -> list[object]:
    from requesty_tui.core.domain import ModelInfo

    rng = random.Random(2)
    providers = ["openai", "anthropic", "google", "mistral", "meta", "bedrock", "deepseek", "xai"]
    names = ["gpt", "claude-sonnet", "claude-haiku", "gemini-flash", "llama", "large", "coder"]
    return [
        ModelInfo(
            id=f"{rng.choice(providers)}/{rng.choice(names)}-{i}",
            context_window=rng.choice([8000, 128000, 200000]),
            input_price=rng.random() * 1e-5,
            output_price=rng.random() * 3e-5,
            supports_reasoning=rng.random() < 0.3,
        )
        for i in range(n)
    ]


async def run(models: list[object]) -> tuple[list[float], list[float]]:
    from textual.app import App

    from requesty_tui.ui.screens.model_picker import ModelPicker

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ModelPicker(models, "openai/gpt-1"))  # type: ignore[arg-type]

    app = Host()
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        query = ""
        for char in "claude son" + "\b" * 10 + "gem fla":
            query = query[:-1] if char == "\b" else query + char
            started = time.perf_counter()
            picker._apply_filter(query)
            picker.refresh()
            await asyncio.sleep(0)  # the frame is composed on the next loop turns
            times.append(time.perf_counter() - started)
        await pilot.pause()
        # The whole path a user feels: the key event, the Input, the filter, the repaint
        # (Pilot's press returns when the app is idle again, i.e. the frame is drawn).
        picker.query_one("Input").value = ""
        await pilot.pause()
        pressed = []
        for key in [*"claude son", *["backspace"] * 10, *"gem fla"]:
            started = time.perf_counter()
            await pilot.press("space" if key == " " else key)
            pressed.append(time.perf_counter() - started)
    return times, pressed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=1000)
    args = parser.parse_args()
    times, pressed = asyncio.run(run(fake_models(args.models)))
    times.sort()
    pressed.sort()
    print(
        f"{args.models:,} models, {len(times)} keystrokes: filter + set_options median "
        f"{median(times) * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms"
    )
    print(
        f"key press -> idle (frame drawn), through Pilot: median "
        f"{median(pressed) * 1000:.1f} ms, max {pressed[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
