"""Deterministic LLM-like Markdown for tests and benchmarks: headings, prose, lists, code."""

from __future__ import annotations

import random

WORDS = """the model returns a stream of tokens which the client renders as markdown while the
user keeps typing and scrolling through earlier parts of a long conversation about lifetimes
borrowing async iterators caches latency throughput and careful error handling""".split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"`{words[i]}()`"
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    return " ".join(words).capitalize() + "."


def _code(rng: random.Random, lines: int) -> str:
    body = []
    for n in range(lines):
        indent = "    " * rng.randint(0, 2)
        body.append(f'{indent}value_{n} = compute("{rng.choice(WORDS)}", {n})  # step {n}')
    return "```python\ndef example():\n" + "\n".join(body) + "\n    return None\n```"


def _table(rng: random.Random) -> str:
    rows = ["| name | value | note |", "|---|---:|---|"]
    for n in range(rng.randint(2, 5)):
        rows.append(f"| {rng.choice(WORDS)} | {n * 17} | {rng.choice(WORDS)} |")
    return "\n".join(rows)


def markdown_document(size: int, seed: int = 7) -> str:
    """About ``size`` characters of Markdown shaped like a long model reply."""
    rng = random.Random(seed)
    blocks: list[str] = []
    total = 0
    n = 0
    while total < size:
        kind = rng.choices(
            ["h", "p", "ul", "ol", "code", "table", "quote"], weights=[1, 6, 2, 1, 2, 1, 1]
        )[0]
        n += 1
        if kind == "h":
            block = "#" * rng.randint(1, 3) + f" Section {n}: {rng.choice(WORDS)}"
        elif kind == "p":
            block = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        elif kind == "ul":
            block = "\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(2, 6)))
        elif kind == "ol":
            block = "\n".join(f"{i}. {_sentence(rng)}" for i in range(1, rng.randint(3, 6)))
        elif kind == "code":
            block = _code(rng, rng.randint(3, 20))
        elif kind == "table":
            block = _table(rng)
        else:
            block = "> " + _sentence(rng)
        blocks.append(block)
        total += len(block) + 2
    return "\n\n".join(blocks)[:size].rstrip() + "\n"


def code_document(size: int) -> str:
    """One fenced code block of about ``size`` characters."""
    rng = random.Random(3)
    return _code(rng, max(1, size // 50)) + "\n"


def deltas(text: str, n: int, seed: int = 1) -> list[str]:
    """Split ``text`` into about ``n`` deltas of uneven size, as a router would send them."""
    rng = random.Random(seed)
    avg = max(1, len(text) // max(1, n))
    out, i = [], 0
    while i < len(text):
        step = max(1, int(avg * rng.uniform(0.3, 1.7)))
        out.append(text[i : i + step])
        i += step
    return out
