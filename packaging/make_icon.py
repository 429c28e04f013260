"""Draw Layerwise's icon: three layers of units, wired layer to layer, on a rounded tile.

Writes layerwise.svg and layerwise.png (256 px) beside this script; run it again after a
change. Needs Pillow only.
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 256
BACKGROUND = "#1f2a44"
WIRE = "#6c8ebf"
LAYERS = [(64, 4, "#f2b134"), (128, 3, "#4fb99f"), (192, 4, "#ed553b")]  # y, units, colour


def units(y, count):
    step = 44
    left = SIZE / 2 - step * (count - 1) / 2
    return [(left + i * step, y) for i in range(count)]


def svg() -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}">',
        f'<rect x="8" y="8" width="240" height="240" rx="44" fill="{BACKGROUND}"/>',
    ]
    for (y0, n0, _), (y1, n1, _) in zip(LAYERS, LAYERS[1:], strict=False):
        for a in units(y0, n0):
            for b in units(y1, n1):
                parts.append(
                    f'<line x1="{a[0]:.1f}" y1="{a[1]}" x2="{b[0]:.1f}" y2="{b[1]}" '
                    f'stroke="{WIRE}" stroke-width="3"/>'
                )
    for y, n, colour in LAYERS:
        for x, _ in units(y, n):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y}" r="15" fill="{colour}" '
                'stroke="#ffffff" stroke-width="3"/>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png() -> Image.Image:
    scale = 4  # draw large, then shrink: smooth edges
    image = Image.new("RGBA", (SIZE * scale, SIZE * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        [8 * scale, 8 * scale, 248 * scale, 248 * scale], 44 * scale, fill=BACKGROUND
    )
    for (y0, n0, _), (y1, n1, _) in zip(LAYERS, LAYERS[1:], strict=False):
        for a in units(y0, n0):
            for b in units(y1, n1):
                draw.line(
                    [a[0] * scale, a[1] * scale, b[0] * scale, b[1] * scale],
                    fill=WIRE,
                    width=3 * scale,
                )
    for y, n, colour in LAYERS:
        for x, _ in units(y, n):
            r = 15 * scale
            draw.ellipse(
                [x * scale - r, y * scale - r, x * scale + r, y * scale + r],
                fill=colour,
                outline="#ffffff",
                width=3 * scale,
            )
    return image.resize((SIZE, SIZE), Image.LANCZOS)


if __name__ == "__main__":
    (HERE / "layerwise.svg").write_text(svg(), encoding="utf-8")
    png().save(HERE / "layerwise.png")
    print("wrote layerwise.svg and layerwise.png")
