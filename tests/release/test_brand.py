"""brand/ images against the Home Assistant brands repository's rules, and proof that the committed
files are what scripts/brand draws (so they can be redrawn, and are our own artwork)."""

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from .conftest import INTEGRATION, load_script_module

BRAND = INTEGRATION / "brand"
brand_images = load_script_module("brand_images")


def _open(name: str) -> Image.Image:
    with Image.open(BRAND / name) as image:
        assert image.format == "PNG", name
        image.load()
        return image


@pytest.mark.parametrize(("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)])
def test_icons_are_square_at_the_required_size(name: str, size: int) -> None:
    """Icons: 1:1, exactly 256x256 and 512x512 (hDPI)."""
    assert _open(name).size == (size, size)


@pytest.mark.parametrize(
    ("name", "low", "high"), [("logo.png", 128, 256), ("logo@2x.png", 256, 512)]
)
def test_logos_are_landscape_with_the_required_shortest_side(
    name: str, low: int, high: int
) -> None:
    """Logos: landscape preferred; shortest side 128-256 (hDPI 256-512), the largest preferred."""
    image = _open(name)
    assert image.width > image.height
    assert low <= min(image.size) <= high
    assert min(image.size) == high


def test_hdpi_logo_is_twice_the_normal_one() -> None:
    """The @2x files are the same artwork at double resolution."""
    normal, hdpi = _open("logo.png"), _open("logo@2x.png")
    assert hdpi.size == (normal.width * 2, normal.height * 2)


@pytest.mark.parametrize("name", ["icon.png", "icon@2x.png", "logo.png", "logo@2x.png"])
def test_transparent_and_trimmed(name: str) -> None:
    """Transparency preferred; trimmed: the artwork touches every edge (no empty margin)."""
    image = _open(name)
    assert image.mode == "RGBA"
    alpha = image.getchannel("A")
    assert alpha.getextrema()[0] == 0, "no transparent pixel"
    assert alpha.getbbox() == (0, 0, image.width, image.height)


def test_committed_images_are_the_scripts_output(tmp_path: Path) -> None:
    """Redrawn with scripts/lib/brand_images.py, every image matches the committed one (Pillow
    versions may differ by a shade of anti-aliasing: the mean difference stays tiny)."""
    written = brand_images.write_all(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        path.name for path in BRAND.glob("*.png")
    )
    for path in written:
        with Image.open(path) as fresh:
            committed = _open(path.name)
            assert fresh.size == committed.size, path.name
            difference = ImageChops.difference(fresh.convert("RGBA"), committed)
            assert max(ImageStat.Stat(difference).mean) < 1.0, path.name
