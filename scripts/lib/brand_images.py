"""Draw embymedia's brand images (our own artwork: a play symbol in a ring on a green tile).

Writes icon.png (256x256), icon@2x.png (512x512), logo.png (256 high) and logo@2x.png (512 high)
into OUT, at the sizes the Home Assistant brands repository asks for: square icons of exactly
256 and 512 pixels; landscape logos whose shortest side is 128-256 and 256-512 pixels (the largest
preferred); PNG with transparency, trimmed to the artwork. Home Assistant 2026.3 and later serve
them from the integration's brand/ folder. scripts/brand runs this; the output is committed and
tests/release/test_brand.py checks both the rules and that the files are this script's output.

    python brand_images.py OUT

Needs Pillow (a Home Assistant dependency, so any of the test venvs has it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

# Drawn large and scaled down: Pillow draws shapes without anti-aliasing.
MASTER = 2048
GREEN_DARK = (20, 99, 84)  # top left of the tile
GREEN_LIGHT = (52, 168, 83)  # bottom right
WHITE = (255, 255, 255, 255)
RING = (255, 255, 255, 215)
WORDMARK = (
    33,
    37,
    41,
    255,
)  # near-black: the brands repository prefers images for light backgrounds
ICON_SIZES = {"icon.png": 256, "icon@2x.png": 512}
LOGO_HEIGHTS = {"logo.png": 256, "logo@2x.png": 512}
WORD = "embymedia"


def _tile(size: int) -> Image.Image:
    """The rounded green tile with a diagonal gradient, edge to edge (trimmed)."""
    down = Image.linear_gradient("L").resize((size, size))  # 0 at the top, 255 at the bottom
    across = down.transpose(Image.Transpose.TRANSPOSE)  # 0 at the left
    diagonal = ImageChops.add(down, across, scale=2.0)
    gradient = Image.merge(
        "RGB",
        [
            diagonal.point(lambda v, a=a, b=b: round(a + (b - a) * v / 255))
            for a, b in zip(GREEN_DARK, GREEN_LIGHT, strict=True)
        ],
    ).convert("RGBA")
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=255)
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    tile.paste(gradient, (0, 0), mask)
    return tile


def icon(size: int = MASTER) -> Image.Image:
    """The icon at `size`: tile, ring and play triangle (optically centred, nudged right)."""
    image = _tile(size)
    draw = ImageDraw.Draw(image)
    centre = size / 2
    outer = size * 0.36
    draw.ellipse(
        (centre - outer, centre - outer, centre + outer, centre + outer),
        outline=RING,
        width=round(size * 0.055),
    )
    half = size * 0.17
    nudge = size * 0.03
    draw.polygon(
        [
            (centre - half * 0.8 + nudge, centre - half),
            (centre - half * 0.8 + nudge, centre + half),
            (centre + half + nudge, centre),
        ],
        fill=WHITE,
    )
    return image


def _trim(image: Image.Image) -> Image.Image:
    """Cut transparent margins (the brands rules want the artwork edge to edge)."""
    box = image.getchannel("A").getbbox()
    return image.crop(box) if box else image


def logo(height: int) -> Image.Image:
    """Icon and wordmark side by side, `height` pixels high (width a multiple of `height` / 256,
    so the @2x logo is exactly twice the normal one)."""
    master = MASTER // 2
    mark = icon(master)
    font = ImageFont.load_default(size=round(master * 0.62))
    gap = round(master * 0.16)
    left, top, right, bottom = font.getbbox(WORD)
    canvas = Image.new("RGBA", (master + gap + (right - left) + 8, master), (0, 0, 0, 0))
    canvas.paste(mark, (0, 0), mark)
    text_y = (master - (bottom - top)) // 2 - top
    ImageDraw.Draw(canvas).text((master + gap - left, text_y), WORD, font=font, fill=WORDMARK)
    canvas = _trim(canvas)
    unit = height / LOGO_HEIGHTS["logo.png"]
    width = round(round(canvas.width * LOGO_HEIGHTS["logo.png"] / canvas.height) * unit)
    return canvas.resize((width, height), Image.Resampling.LANCZOS)


def write_all(out: Path) -> list[Path]:
    """Render every brand image into `out`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    master = icon()
    for name, size in ICON_SIZES.items():
        path = out / name
        master.resize((size, size), Image.Resampling.LANCZOS).save(path, optimize=True)
        written.append(path)
    for name, height in LOGO_HEIGHTS.items():
        path = out / name
        logo(height).save(path, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: brand_images.py OUT")
    for written_path in write_all(Path(sys.argv[1])):
        with Image.open(written_path) as img:
            print(f"{written_path}: {img.width}x{img.height}")
