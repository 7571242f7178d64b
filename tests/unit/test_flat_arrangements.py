"""Small arrangements answer from a flat list (``textual_fixes.FlatMap``), not Textual's grid:
the same answers, so what is drawn cannot change, without the grid's cost for a tall reply."""

from __future__ import annotations

import random

from textual._spatial_map import SpatialMap
from textual.geometry import Offset, Region, Spacing
from textual.layout import DockArrangeResult, WidgetPlacement
from textual.widget import Widget

from requesty_tui.ui.textual_fixes import FlatMap, apply_fixes


def placements(rng: random.Random, count: int) -> list[WidgetPlacement]:
    """A column of widgets as a conversation stacks them: some very tall, some with margins,
    a few fixed or overlaid, some scrolled by an offset."""
    found, y = [], 0
    for n in range(count):
        height = rng.choice((1, 3, 12, 40, 25_000))
        margin = Spacing(rng.randint(0, 1), 0, rng.randint(0, 1), 0)
        found.append(
            WidgetPlacement(
                Region(rng.randint(0, 2), y, rng.randint(40, 160), height),
                Offset(0, rng.choice((0, 0, -5))),
                margin,
                Widget(),
                order=n,
                fixed=rng.random() < 0.05,
                overlay=rng.random() < 0.05,
            )
        )
        y += height + margin.height
    return found


def test_a_flat_map_answers_as_textuals_grid_does() -> None:
    rng = random.Random(25)
    for _ in range(40):
        placed = placements(rng, rng.randint(0, 60))
        grid: SpatialMap[WidgetPlacement] = SpatialMap()
        grid.insert((p.region.grow(p.margin), p.offset, p.fixed, p.overlay, p) for p in placed)
        flat = FlatMap(placed)
        assert flat.total_region == grid.total_region
        for _ in range(10):
            screen = Region(0, rng.randint(0, max(1, grid.total_region.bottom)), 120, 40)

            def visible(values: list[WidgetPlacement], region: Region = screen) -> set[int]:
                return {p.order for p in values if p.fixed or region.overlaps(p.region + p.offset)}

            assert visible(flat.get_values_in_region(screen)) == visible(
                grid.get_values_in_region(screen)
            )


def test_a_small_arrangement_is_flat_and_a_big_one_keeps_the_grid() -> None:
    apply_fixes()
    rng = random.Random(8)
    small = DockArrangeResult(placements(rng, 30), set(), Spacing())
    big = DockArrangeResult(placements(rng, 500), set(), Spacing())
    assert isinstance(small.spatial_map, FlatMap)
    assert isinstance(big.spatial_map, SpatialMap)
    screen = Region(0, 100, 120, 40)
    expected = {
        p.order for p in small.placements if p.fixed or screen.overlaps(p.region + p.offset)
    }
    assert {p.order for p in small.get_visible_placements(screen)} == expected
