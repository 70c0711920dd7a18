"""Which BaseItemDto fields each kind of request gets (Emby's `Fields=` parameter)."""

from __future__ import annotations

#: Fields a list endpoint adds only when asked (`Fields=`); a single item has all of them.
OPTIONAL_FIELDS = frozenset(
    {
        "Overview",
        "Genres",
        "GenreItems",
        "Studios",
        "People",
        "Path",
        "ProviderIds",
        "ExternalUrls",
        "SortName",
        "MediaSources",
        "MediaStreams",
        "Chapters",
        "PrimaryImageAspectRatio",
        "Taglines",
        "ParentId",
        "ChildCount",
        "RecursiveItemCount",
        "Etag",
        "CriticRating",
        "Container",
        "Size",
        "Bitrate",
        "Width",
        "Height",
        "FileName",
        "PresentationUniqueKey",
        "Tags",
        "TagItems",
        "RemoteTrailers",
        "ProductionLocations",
        "CanDelete",
        "CanDownload",
        "AirDays",
        "DateCreated",
        "BasicSyncInfo",
    }
)
ALL_FIELDS = OPTIONAL_FIELDS
#: What a session's NowPlayingItem carries (the Roku capture's keys).
NOW_PLAYING_FIELDS = frozenset(
    {
        "DateCreated",
        "PresentationUniqueKey",
        "Container",
        "ExternalUrls",
        "Path",
        "Overview",
        "Taglines",
        "Genres",
        "GenreItems",
        "Size",
        "FileName",
        "Bitrate",
        "ProviderIds",
        "ParentId",
        "Studios",
        "PrimaryImageAspectRatio",
        "MediaStreams",
        "Chapters",
        "Width",
        "Height",
    }
)
DEFAULT_FIELDS = frozenset({"DateCreated", "Genres"})
#: Items that are names or views: no genres of their own.
NAME_TYPES = frozenset(
    {
        "Genre",
        "MusicGenre",
        "Studio",
        "Person",
        "CollectionFolder",
        "UserView",
        "PlaylistsFolder",
        "TvChannel",
        "Program",
    }
)
