"""Which picture shows an Emby item, the URL of it that the frontend gets (through the
authenticated image view of images.py), and the summary of an item that sensors carry."""

from typing import TYPE_CHECKING, Any, Final

from .images import image_url

if TYPE_CHECKING:
    from embymedia_core import Item

# Items listed in a sensor's attributes.
ATTRIBUTE_ITEMS: Final = 10
# Width asked of Emby for a picture (it scales down, keeping the ratio).
PICTURE_WIDTH: Final = 400

type Picture = tuple[str, str, str]
"""(item id, image type, tag) of an image Emby has."""


def item_picture(item: Item) -> Picture | None:
    """The picture of an item, or None. Episodes show their series poster and tracks their
    album cover when they have none of their own; only advertised images are asked for (others
    are a 404)."""
    tags = item["image_tags"]
    if item["type"] == "Episode" and item["series_id"] and item["series_primary_image_tag"]:
        return item["series_id"], "Primary", item["series_primary_image_tag"]
    if tag := tags.get("Primary"):
        return item["id"], "Primary", tag
    if item["album_id"] and item["album_primary_image_tag"]:
        return item["album_id"], "Primary", item["album_primary_image_tag"]
    if tag := tags.get("Thumb"):
        return item["id"], "Thumb", tag
    if item["parent_thumb_item_id"] and item["parent_thumb_image_tag"]:
        return item["parent_thumb_item_id"], "Thumb", item["parent_thumb_image_tag"]
    if item["backdrop_image_tags"]:
        return item["id"], "Backdrop", item["backdrop_image_tags"][0]
    return None


def picture_url(entry_id: str, picture: Picture) -> str:
    """The Home Assistant URL of a picture (served by the authenticated image view of
    images.py; no credential in it)."""
    item_id, image_type, tag = picture
    return image_url(entry_id, item_id, image_type, tag, PICTURE_WIDTH)


def item_summary(entry_id: str, item: Item) -> dict[str, Any]:
    """What a sensor lists of an item: title, series, year, type and its picture's URL."""
    picture = item_picture(item)
    return {
        "id": item["id"],
        "title": item["name"],
        "series": item["series_name"],
        "year": item["production_year"],
        "type": item["type"],
        "image": None if picture is None else picture_url(entry_id, picture),
    }


def item_summaries(entry_id: str, items: list[Item]) -> list[dict[str, Any]]:
    """The first ATTRIBUTE_ITEMS items as summaries."""
    return [item_summary(entry_id, item) for item in items[:ATTRIBUTE_ITEMS]]
