"""Emby's JSON shapes (PascalCase, as in the real captures and the OpenAPI description).

Absent values are left out rather than written as null: Emby omits empty optional fields, and
several non-nullable strings of the specification would otherwise be violated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .clock import emby_date, hex_id, ticks
from .fields import DEFAULT_FIELDS, NAME_TYPES
from .library import Library
from .models import Item, Task, Timer, User, UserData


def user_data_dto(
    data: UserData, item: Item | None = None, unplayed: int | None = None
) -> dict[str, Any]:
    """UserItemDataDto as inside an item."""
    out: dict[str, Any] = {}
    if unplayed is not None:
        out["UnplayedItemCount"] = unplayed
    if data.position_ticks and item is not None and item.runtime_ticks:
        out["PlayedPercentage"] = round(100.0 * data.position_ticks / item.runtime_ticks, 4)
    out["PlaybackPositionTicks"] = data.position_ticks
    out["PlayCount"] = data.play_count
    out["IsFavorite"] = data.is_favorite
    if data.last_played is not None:
        out["LastPlayedDate"] = emby_date(data.last_played)
    out["Played"] = data.played
    return out


def user_data_changed_entry(data: UserData, item_id: str) -> dict[str, Any]:
    """One entry of a UserDataChanged frame's UserDataList (fixture emby_ws_userdatachanged)."""
    out: dict[str, Any] = {
        "PlaybackPositionTicks": data.position_ticks,
        "PlayCount": data.play_count,
        "IsFavorite": data.is_favorite,
    }
    if data.last_played is not None:
        out["LastPlayedDate"] = emby_date(data.last_played)
    out["Played"] = data.played
    out["ItemId"] = item_id
    return out


class Dto:
    """Turns library objects into Emby JSON."""

    def __init__(self, library: Library) -> None:
        """Bind to a library."""
        self.library = library
        self.server_id = library.server_id

    # -- items --------------------------------------------------------------------------------

    def item(
        self,
        item: Item,
        user_id: str | None,
        fields: frozenset[str] | set[str] = DEFAULT_FIELDS,
        *,
        child_count: int | None = None,
    ) -> dict[str, Any]:
        """BaseItemDto with the requested optional fields."""
        lib = self.library
        want = fields.__contains__
        out: dict[str, Any] = {"Name": item.name, "ServerId": self.server_id, "Id": item.id}
        if want("Etag"):
            out["Etag"] = hex_id(item.id, item.revision)[:16]
        if want("DateCreated"):
            out["DateCreated"] = emby_date(item.created)
        if want("PresentationUniqueKey"):
            out["PresentationUniqueKey"] = hex_id("puk", item.id)
        if want("CanDelete"):
            out["CanDelete"] = False
        if want("CanDownload"):
            out["CanDownload"] = item.media_type is not None
        if want("Container") and item.container:
            out["Container"] = item.container
        if want("SortName"):
            out["SortName"] = item.sort_key
        if item.premiere is not None:
            out["PremiereDate"] = emby_date(item.premiere)
        if want("ExternalUrls"):
            out["ExternalUrls"] = self._external_urls(item)
        if item.media_type is not None and want("MediaSources"):
            out["MediaSources"] = [self.media_source(item)]
        if want("CriticRating") and item.critic_rating is not None:
            out["CriticRating"] = item.critic_rating
        if want("ProductionLocations") and item.type in ("Movie", "Series"):
            out["ProductionLocations"] = ["United States of America"]
        if want("Path") and item.path:
            out["Path"] = item.path
        if item.official_rating:
            out["OfficialRating"] = item.official_rating
        if item.channel_number is not None and item.type == "Recording":
            out["ChannelName"] = self._channel_name(item)
        if want("Overview") and item.overview:
            out["Overview"] = item.overview
        if want("Taglines"):
            out["Taglines"] = []
        has_genres = item.type not in NAME_TYPES
        if has_genres and (want("Genres") or want("GenreItems")):
            out["Genres"] = list(item.genres)
        if item.community_rating is not None:
            out["CommunityRating"] = item.community_rating
        if item.runtime_ticks is not None:
            out["RunTimeTicks"] = item.runtime_ticks
        if want("Size") and item.size is not None:
            out["Size"] = item.size
        if want("FileName") and item.path:
            out["FileName"] = item.path.rsplit("/", 1)[-1]
        if want("Bitrate") and item.bitrate is not None:
            out["Bitrate"] = item.bitrate
        if item.year is not None:
            out["ProductionYear"] = item.year
        if item.channel_number is not None and item.type == "TvChannel":
            out["Number"] = item.channel_number
            out["ChannelNumber"] = item.channel_number
        if item.index is not None:
            out["IndexNumber"] = item.index
        if item.parent_index is not None:
            out["ParentIndexNumber"] = item.parent_index
        if want("RemoteTrailers") and item.type == "Movie":
            out["RemoteTrailers"] = []
        if want("ProviderIds"):
            out["ProviderIds"] = dict(item.provider_ids)
        out["IsFolder"] = item.is_folder
        if want("ParentId") and item.parent_id is not None:
            out["ParentId"] = item.parent_id
        out["Type"] = item.type
        if want("People"):
            out["People"] = self._people(item)
        if want("Studios"):
            out["Studios"] = [
                {"Name": s, "Id": int(lib.studio_ids[s])}
                for s in item.studios
                if s in lib.studio_ids
            ]
        if has_genres and (want("GenreItems") or want("Genres")):
            table = (
                lib.music_genre_ids
                if item.type in ("Audio", "MusicAlbum", "MusicArtist")
                else lib.genre_ids
            )
            out["GenreItems"] = [
                {"Name": g, "Id": int(table[g])} for g in item.genres if g in table
            ]
        if want("Tags") or want("TagItems"):
            out["TagItems"] = []
        self._parent_images(item, out)
        if user_id is not None:
            unplayed = None
            if item.type in ("Series", "Season", "MusicAlbum", "BoxSet", "Playlist"):
                unplayed = lib.unplayed_count(user_id, item)
            data = lib.user_data_of(user_id, item.id)
            if unplayed is not None and item.type != "Playlist":
                data = UserData(
                    played=unplayed == 0,
                    play_count=data.play_count,
                    is_favorite=data.is_favorite,
                    position_ticks=data.position_ticks,
                    last_played=data.last_played,
                )
            out["UserData"] = user_data_dto(data, item, unplayed)
        if child_count is not None:
            out["ChildCount"] = child_count
        elif item.is_folder and (want("ChildCount") or item.type in ("Season", "Series")):
            out["ChildCount"] = len(lib.children_of(item))
        if item.is_folder and want("RecursiveItemCount"):
            out["RecursiveItemCount"] = len(lib.playable(item))
        self._series_fields(item, out)
        self._music_fields(item, out)
        if item.collection_type is not None and item.type in (
            "CollectionFolder",
            "UserView",
            "PlaylistsFolder",
        ):
            out["CollectionType"] = item.collection_type
        if item.type == "Series":
            out["Status"] = item.status or "Ended"
            out["AirDays"] = []
        if want("PrimaryImageAspectRatio") and "Primary" in item.images:
            out["PrimaryImageAspectRatio"] = self._aspect(item)
        if item.media_type is not None and want("MediaStreams"):
            out["MediaStreams"] = self.media_streams(item)
        out["ImageTags"] = {k: v for k, v in item.images.items() if k != "Backdrop"}
        out["BackdropImageTags"] = [item.images["Backdrop"]] if "Backdrop" in item.images else []
        if want("Chapters") and item.type in ("Movie", "Episode"):
            out["Chapters"] = self._chapters(item)
        if item.type in ("Movie", "Episode", "Video", "Audio", "Recording"):
            out["LocationType"] = "FileSystem"
        if item.media_type is not None:
            out["MediaType"] = item.media_type
        if item.type in ("Program", "Recording", "TvChannel") and item.start and item.end:
            out["StartDate"] = emby_date(item.start)
            out["EndDate"] = emby_date(item.end)
        if item.type == "Recording" and item.status:
            out["Status"] = item.status
            out["IsSeries"] = False
        if item.type == "TvChannel":
            program = self.current_program(item)
            if program is not None:
                out["CurrentProgram"] = self.item(program, None, frozenset())
        if want("Width") and item.width:
            out["Width"] = item.width
        if want("Height") and item.height:
            out["Height"] = item.height
        return out

    def _aspect(self, item: Item) -> float:
        if item.type in ("Episode", "Video", "TvChannel", "Recording"):
            return 1.7777777777777777
        if item.type in ("MusicAlbum", "Audio", "MusicArtist", "Playlist"):
            return 1.0
        return 0.6666666666666666

    def _external_urls(self, item: Item) -> list[dict[str, str]]:
        urls = []
        if imdb := item.provider_ids.get("Imdb"):
            urls.append({"Name": "IMDb", "Url": f"https://www.imdb.com/title/{imdb}"})
        if tmdb := item.provider_ids.get("Tmdb"):
            urls.append({"Name": "MovieDb", "Url": f"https://www.themoviedb.org/movie/{tmdb}"})
        if tvdb := item.provider_ids.get("Tvdb"):
            urls.append({"Name": "TheTVDB", "Url": f"https://thetvdb.com/?tab=series&id={tvdb}"})
        return urls

    def _people(self, item: Item) -> list[dict[str, Any]]:
        people = []
        for person_id, role, person_type in item.people:
            person = self.library.items.get(person_id)
            if person is None:
                continue
            entry: dict[str, Any] = {"Name": person.name, "Id": person.id}
            if role:
                entry["Role"] = role
            entry["Type"] = person_type
            if "Primary" in person.images:
                entry["PrimaryImageTag"] = person.images["Primary"]
            people.append(entry)
        return people

    def _parent_images(self, item: Item, out: dict[str, Any]) -> None:
        """Parent*/Series* image references of episodes and seasons (as in the captures)."""
        series = (
            self.library.items.get(item.series_id or "")
            if item.type in ("Episode", "Season")
            else None
        )
        if series is None:
            return
        if "Logo" in series.images:
            out["ParentLogoItemId"] = series.id
        if "Backdrop" in series.images:
            out["ParentBackdropItemId"] = series.id
            out["ParentBackdropImageTags"] = [series.images["Backdrop"]]
        if "Logo" in series.images:
            out["ParentLogoImageTag"] = series.images["Logo"]
        if "Thumb" in series.images:
            out["ParentThumbItemId"] = series.id
            out["ParentThumbImageTag"] = series.images["Thumb"]

    def _series_fields(self, item: Item, out: dict[str, Any]) -> None:
        lib = self.library
        if item.type not in ("Episode", "Season"):
            return
        series = lib.items.get(item.series_id or "")
        if series is None:
            return
        out["SeriesName"] = series.name
        out["SeriesId"] = series.id
        if item.type == "Episode" and item.season_id:
            out["SeasonId"] = item.season_id
            season = lib.items.get(item.season_id)
            if season is not None:
                out["SeasonName"] = season.name
        if "Primary" in series.images:
            out["SeriesPrimaryImageTag"] = series.images["Primary"]

    def _music_fields(self, item: Item, out: dict[str, Any]) -> None:
        lib = self.library
        if item.type not in ("Audio", "MusicAlbum"):
            return
        artists = [lib.items[a] for a in item.artist_ids if a in lib.items]
        pairs = [{"Name": a.name, "Id": a.id} for a in artists]
        out["Artists"] = [a.name for a in artists]
        out["ArtistItems"] = pairs
        if artists:
            out["AlbumArtist"] = artists[0].name
        out["AlbumArtists"] = pairs[:1]
        if item.type == "Audio" and item.album_id in lib.items:
            album = lib.items[item.album_id or ""]
            out["Album"] = album.name
            out["AlbumId"] = album.id
            if "Primary" in album.images:
                out["AlbumPrimaryImageTag"] = album.images["Primary"]

    def _channel_name(self, item: Item) -> str:
        channel = self.library.items.get(item.season_id or "")
        return channel.name if channel is not None else "Channel"

    def current_program(self, channel: Item) -> Item | None:
        """The programme airing now on a channel (the guide repeats its four hours)."""
        programs = self.library.programs.get(channel.id)
        if not programs:
            return None
        hour = int(self.library.clock.seconds // 3600) % len(programs)
        return self.library.items.get(programs[hour])

    def _chapters(self, item: Item) -> list[dict[str, Any]]:
        runtime = item.runtime_ticks or 0
        marks = ((0.0, "Chapter 01", "Chapter"), (0.05, "Intro", "Chapter"),
                 (0.5, "Chapter 03", "Chapter"), (0.95, "Credits", "Chapter"))  # fmt: skip
        return [
            {
                "StartPositionTicks": int(runtime * share) // 10_000 * 10_000,
                "Name": name,
                "MarkerType": marker,
                "ChapterIndex": n,
            }
            for n, (share, name, marker) in enumerate(marks)
        ]

    def media_streams(self, item: Item) -> list[dict[str, Any]]:
        """Video, audio and subtitle streams (shapes of the Roku capture)."""
        if item.type == "Audio":
            return [
                {
                    "Codec": "flac",
                    "TimeBase": "1/44100",
                    "DisplayTitle": "FLAC stereo",
                    "IsInterlaced": False,
                    "ChannelLayout": "stereo",
                    "BitRate": item.bitrate,
                    "BitDepth": 16,
                    "Channels": 2,
                    "SampleRate": 44100,
                    "IsDefault": False,
                    "IsForced": False,
                    "IsHearingImpaired": False,
                    "Type": "Audio",
                    "Index": 0,
                    "IsExternal": False,
                    "IsTextSubtitleStream": False,
                    "SupportsExternalStream": False,
                    "Protocol": "File",
                    "ExtendedVideoType": "None",
                    "ExtendedVideoSubType": "None",
                    "ExtendedVideoSubTypeDescription": "None",
                    "AttachmentSize": 0,
                }
            ]
        common = {
            "IsInterlaced": False,
            "IsForced": False,
            "IsHearingImpaired": False,
            "IsExternal": False,
            "Protocol": "File",
            "ExtendedVideoType": "None",
            "ExtendedVideoSubType": "None",
            "ExtendedVideoSubTypeDescription": "None",
            "AttachmentSize": 0,
        }
        video = {
            "Codec": "h264",
            "Language": "eng",
            "ColorTransfer": "bt709",
            "ColorPrimaries": "bt709",
            "ColorSpace": "bt709",
            "TimeBase": "1/1000",
            "VideoRange": "SDR",
            "DisplayTitle": f"{item.height or 1080}p H264",
            "DisplayLanguage": "English",
            "NalLengthSize": "4",
            "BitRate": (item.bitrate or 5_000_000) - 640_000,
            "BitDepth": 8,
            "RefFrames": 1,
            "IsDefault": True,
            "Height": item.height or 1080,
            "Width": item.width or 1920,
            "AverageFrameRate": 23.976025,
            "RealFrameRate": 23.976025,
            "Profile": "High",
            "Type": "Video",
            "AspectRatio": "16:9",
            "Index": 0,
            "IsTextSubtitleStream": False,
            "SupportsExternalStream": False,
            "PixelFormat": "yuv420p",
            "Level": 40,
            "IsAnamorphic": False,
        } | common
        audio = {
            "Codec": "ac3",
            "Language": "eng",
            "TimeBase": "1/1000",
            "DisplayTitle": "English AC3 5.1 (Default)",
            "DisplayLanguage": "English",
            "ChannelLayout": "5.1",
            "BitRate": 640000,
            "Channels": 6,
            "SampleRate": 48000,
            "IsDefault": True,
            "Type": "Audio",
            "Index": 1,
            "IsTextSubtitleStream": False,
            "SupportsExternalStream": False,
        } | common
        subtitle = {
            "Codec": "subrip",
            "Language": "eng",
            "TimeBase": "1/1000",
            "DisplayTitle": "English (SUBRIP)",
            "DisplayLanguage": "English",
            "IsDefault": False,
            "Type": "Subtitle",
            "Index": 2,
            "IsTextSubtitleStream": True,
            "SupportsExternalStream": True,
            "SubtitleLocationType": "InternalStream",
        } | common
        return [video, audio, subtitle]

    def media_source_id(self, item: Item) -> str:
        """The id of an item's (only) media source."""
        return hex_id("source", self.server_id, item.id)

    def media_source(
        self,
        item: Item,
        *,
        max_bitrate: int | None = None,
        play_session_id: str | None = None,
        direct_play_containers: set[str] | None = None,
    ) -> dict[str, Any]:
        """MediaSourceInfo; over `max_bitrate` it offers an HLS transcode instead of direct play;
        a container the device profile does not list is direct-streamed (remuxed), not played."""
        source_id = self.media_source_id(item)
        is_audio = item.type == "Audio"
        container = item.container or ("mp3" if is_audio else "mkv")
        direct = max_bitrate is None or (item.bitrate or 0) <= max_bitrate
        plays_as_is = direct_play_containers is None or container in direct_play_containers
        kind = "Audio" if is_audio else "videos"
        out: dict[str, Any] = {
            "Protocol": "File",
            "Id": source_id,
            "Path": item.path or f"/media/{item.id}.{container}",
            "Type": "Default",
            "Container": container,
            "Size": item.size or 0,
            "Name": item.name,
            "IsRemote": False,
            "RunTimeTicks": item.runtime_ticks or 0,
            "SupportsTranscoding": True,
            "SupportsDirectStream": direct,
            "SupportsDirectPlay": direct and plays_as_is,
            "IsInfiniteStream": False,
            "RequiresOpening": False,
            "RequiresClosing": False,
            "RequiresLooping": False,
            "SupportsProbing": True,
            "MediaStreams": self.media_streams(item),
            "Formats": [],
            "Bitrate": item.bitrate or 0,
            "RequiredHttpHeaders": {},
            "AddApiKeyToDirectStreamUrl": False,
            "ReadAtNativeFramerate": False,
            "ItemId": item.id,
            "ServerId": self.server_id,
        }
        session = f"&PlaySessionId={play_session_id}" if play_session_id else ""
        if direct:
            out["DirectStreamUrl"] = (
                f"/{kind}/{item.id}/stream.{container}?Static=true&MediaSourceId={source_id}{session}"
            )
        else:
            base = "/Audio" if is_audio else "/videos"
            out["TranscodingUrl"] = (
                f"{base}/{item.id}/master.m3u8?MediaSourceId={source_id}{session}"
                f"&VideoCodec=h264&AudioCodec=aac&VideoBitrate={max_bitrate}"
                "&TranscodingMaxAudioChannels=2&SegmentContainer=ts"
            )
            out["TranscodingSubProtocol"] = "hls"
            out["TranscodingContainer"] = "ts"
        if not is_audio:
            out["DefaultAudioStreamIndex"] = 1
            out["DefaultSubtitleStreamIndex"] = -1
        return out

    # -- users --------------------------------------------------------------------------------

    def user(self, user: User) -> dict[str, Any]:
        """UserDto."""
        out: dict[str, Any] = {
            "Name": user.name,
            "ServerId": self.server_id,
            "Prefix": user.name[:1].upper(),
            "DateCreated": emby_date(user.created),
            "Id": user.id,
        }
        if user.primary_image_tag:
            out["PrimaryImageTag"] = user.primary_image_tag
        out |= {
            "HasPassword": user.has_password,
            "HasConfiguredPassword": user.has_password,
            "HasConfiguredEasyPassword": False,
        }
        if user.last_login is not None:
            out["LastLoginDate"] = emby_date(user.last_login)
        if user.last_activity is not None:
            out["LastActivityDate"] = emby_date(user.last_activity)
        out["Configuration"] = {
            "AudioLanguagePreference": "eng",
            "PlayDefaultAudioTrack": True,
            "SubtitleLanguagePreference": "",
            "DisplayMissingEpisodes": False,
            "SubtitleMode": "Smart",
            "OrderedViews": [],
            "LatestItemsExcludes": [],
            "MyMediaExcludes": [],
            "HidePlayedInLatest": True,
            "HidePlayedInMoreLikeThis": False,
            "HidePlayedInSuggestions": False,
            "RememberAudioSelections": True,
            "RememberSubtitleSelections": True,
            "EnableNextEpisodeAutoPlay": True,
            "ResumeRewindSeconds": 0,
            "IntroSkipMode": "ShowButton",
            "EnableLocalPassword": False,
        }
        out["Policy"] = {
            "IsAdministrator": user.is_administrator,
            "IsHidden": user.is_hidden,
            "IsHiddenRemotely": user.is_hidden,
            "IsHiddenFromUnusedDevices": False,
            "IsDisabled": user.is_disabled,
            "LockedOutDate": 0,
            "AllowTagOrRating": False,
            "BlockedTags": [],
            "IsTagBlockingModeInclusive": False,
            "IncludeTags": [],
            "EnableUserPreferenceAccess": True,
            "AccessSchedules": [],
            "BlockUnratedItems": [],
            "EnableRemoteControlOfOtherUsers": user.enable_remote_control_of_other_users,
            "EnableSharedDeviceControl": True,
            "EnableRemoteAccess": True,
            "EnableLiveTvManagement": user.is_administrator,
            "EnableLiveTvAccess": True,
            "EnableMediaPlayback": True,
            "EnableAudioPlaybackTranscoding": True,
            "EnableVideoPlaybackTranscoding": True,
            "EnablePlaybackRemuxing": True,
            "EnableContentDeletion": user.is_administrator,
            "RestrictedFeatures": [],
            "EnableContentDeletionFromFolders": [],
            "EnableContentDownloading": True,
            "EnableSubtitleDownloading": user.is_administrator,
            "EnableSubtitleManagement": user.is_administrator,
            "EnableSyncTranscoding": True,
            "EnableMediaConversion": True,
            "EnabledChannels": [],
            "EnableAllChannels": True,
            "EnabledFolders": list(user.enabled_folders or []),
            "EnableAllFolders": user.enabled_folders is None,
            "InvalidLoginAttemptCount": 0,
            "EnablePublicSharing": True,
            "BlockedMediaFolders": [],
            "RemoteClientBitrateLimit": 0,
            "AuthenticationProviderId": (
                "Emby.Server.Implementations.Library.DefaultAuthenticationProvider"
            ),
            "ExcludedSubFolders": [],
            "SimultaneousStreamLimit": 0,
            "EnabledDevices": [],
            "EnableAllDevices": True,
            "AllowCameraUpload": True,
            "AllowSharingPersonalItems": True,
        }
        return out

    # -- other shapes -------------------------------------------------------------------------

    def virtual_folder(self, folder: Item) -> dict[str, Any]:
        """VirtualFolderInfo."""
        location = folder.path or f"/media/{folder.collection_type}"
        return {
            "Name": folder.name,
            "Locations": [location],
            "CollectionType": folder.collection_type or "",
            "LibraryOptions": {
                "EnableArchiveMediaFiles": False,
                "EnablePhotos": True,
                "EnableRealtimeMonitor": True,
                "EnableMarkerDetection": False,
                "EnableMarkerDetectionDuringLibraryScan": False,
                "IntroDetectionFingerprintLength": 10,
                "EnableChapterImageExtraction": False,
                "ExtractChapterImagesDuringLibraryScan": False,
                "DownloadImagesInAdvance": False,
                "CacheImages": False,
                "PathInfos": [{"Path": location}],
                "IgnoreHiddenFiles": True,
                "IgnoreFileExtensions": [],
                "SaveLocalMetadata": False,
                "SaveMetadataHidden": False,
                "SaveLocalThumbnailSets": False,
                "ImportPlaylists": True,
                "EnableAutomaticSeriesGrouping": True,
                "ShareEmbeddedMusicAlbumImages": True,
                "EnableEmbeddedTitles": False,
                "EnableAudioResume": False,
                "AutoGenerateChapters": True,
                "AutomaticRefreshIntervalDays": 0,
                "PlaceholderMetadataRefreshIntervalDays": 0,
                "PreferredMetadataLanguage": "en",
                "PreferredImageLanguage": "en",
                "ContentType": folder.collection_type or "",
                "MetadataCountryCode": "US",
                "MetadataSavers": [],
                "DisabledLocalMetadataReaders": [],
                "LocalMetadataReaderOrder": [],
                "DisabledLyricsFetchers": [],
                "SaveLyricsWithMedia": False,
                "LyricsDownloadMaxAgeDays": 180,
                "LyricsFetcherOrder": [],
                "LyricsDownloadLanguages": [],
                "DisabledSubtitleFetchers": [],
                "SubtitleFetcherOrder": [],
                "SkipSubtitlesIfEmbeddedSubtitlesPresent": False,
                "SkipSubtitlesIfAudioTrackMatches": False,
                "SubtitleDownloadLanguages": [],
                "SubtitleDownloadMaxAgeDays": 180,
                "RequirePerfectSubtitleMatch": True,
                "SaveSubtitlesWithMedia": True,
                "ForcedSubtitlesOnly": False,
                "HearingImpairedSubtitlesOnly": False,
                "TypeOptions": [],
                "CollapseSingleItemFolders": False,
                "EnableAdultMetadata": False,
                "ImportCollections": True,
                "MinCollectionItems": 2,
                "MusicFolderStructure": "",
                "MinResumePct": 3,
                "MaxResumePct": 90,
                "MinResumeDurationSeconds": 120,
                "ThumbnailImagesIntervalSeconds": 10,
                "SampleIgnoreSize": 314572800,
            },
            "ItemId": folder.id,
            "Id": folder.id,
            "Guid": hex_id("guid", self.server_id, folder.id),
            "PrimaryImageItemId": folder.id,
            "RefreshStatus": "Idle",
        }

    def task(self, task: Task) -> dict[str, Any]:
        """TaskInfo."""
        out: dict[str, Any] = {"Name": task.name, "State": task.state}
        if task.progress is not None:
            out["CurrentProgressPercentage"] = round(task.progress, 1)
        out["Id"] = task.id
        if task.last_result is not None:
            out["LastExecutionResult"] = self.task_result(task.last_result)
        out["Triggers"] = (
            [{"Type": "IntervalTrigger", "IntervalTicks": ticks(task.interval_hours * 3600)}]
            if task.interval_hours
            else []
        )
        out |= {
            "Description": task.description,
            "Category": task.category,
            "IsHidden": task.is_hidden,
            "Key": task.key,
        }
        return out

    @staticmethod
    def task_result(result: dict[str, Any]) -> dict[str, Any]:
        """TaskResult (dates formatted)."""
        return {k: emby_date(v) if isinstance(v, datetime) else v for k, v in result.items()}

    def timer(self, timer: Timer) -> dict[str, Any]:
        """TimerInfoDto or SeriesTimerInfoDto."""
        lib = self.library
        channel = lib.items.get(timer.channel_id)
        program = lib.items.get(timer.program_id)
        out: dict[str, Any] = {}
        if not timer.series:
            out["Status"] = timer.status
            out["RunTimeTicks"] = ticks((timer.end - timer.start).total_seconds())
            if program is not None:
                out["ProgramInfo"] = self.item(program, None, frozenset())
        else:
            out |= {
                "RecordAnyTime": False,
                "SkipEpisodesInLibrary": False,
                "MatchExistingItemsWithAnyLibrary": False,
                "RecordAnyChannel": False,
                "KeepUpTo": 0,
                "MaxRecordingSeconds": 0,
                "RecordNewOnly": True,
                "ChannelIds": [timer.channel_id],
                "Days": [],
                "ImageTags": {},
                "Keywords": [],
            }
        out |= {
            "TimerType": "Program",
            "Id": timer.id,
            "Type": "SeriesTimer" if timer.series else "Timer",
            "ServerId": self.server_id,
            "ChannelId": timer.channel_id,
        }
        if channel is not None:
            out["ChannelName"] = channel.name
            if channel.channel_number:
                out["ChannelNumber"] = channel.channel_number
            if "Primary" in channel.images:
                out["ChannelPrimaryImageTag"] = channel.images["Primary"]
        out |= {
            "ProgramId": timer.program_id,
            "Name": timer.name,
            "StartDate": emby_date(timer.start),
            "EndDate": emby_date(timer.end),
            "Priority": 0,
            "PrePaddingSeconds": 0,
            "PostPaddingSeconds": 0,
            "IsPrePaddingRequired": False,
            "IsPostPaddingRequired": False,
            "KeepUntil": "UntilDeleted",
        }
        return out
