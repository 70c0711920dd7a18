//! Every Emby endpoint the core calls, as a closed set.
//!
//! The variant indexes the fixed array of atomic counters in [`crate::metrics`] (so metrics are
//! keyed by template, `/Users/{UserId}/Items`, never by a raw path with ids in it) and carries the
//! HTTP method and path template that the OpenAPI test checks against Emby's specification.

/// HTTP methods the core uses. (Emby offers `POST .../Delete` twins for its DELETE routes; the
/// core uses those, as Emby's own clients do.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

macro_rules! endpoints {
    ($( $variant:ident => $method:ident $template:literal ),* $(,)?) => {
        /// One Emby endpoint (method + path template).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Endpoint { $( $variant ),* }

        impl Endpoint {
            /// Every endpoint, in index order.
            pub const ALL: &'static [Endpoint] = &[ $( Endpoint::$variant ),* ];
            /// Number of endpoints (size of the metrics array).
            pub const COUNT: usize = Self::ALL.len();

            /// The path template as written in Emby's OpenAPI (`/Users/{UserId}/Items`).
            pub const fn template(self) -> &'static str {
                match self { $( Endpoint::$variant => $template ),* }
            }

            pub const fn method(self) -> Method {
                match self { $( Endpoint::$variant => Method::$method ),* }
            }

            /// Position in [`Endpoint::ALL`].
            pub const fn index(self) -> usize {
                self as usize
            }
        }
    };
}

endpoints! {
    // System
    SystemInfoPublic => Get "/System/Info/Public",
    SystemInfo => Get "/System/Info",
    SystemPing => Get "/System/Ping",
    SystemRestart => Post "/System/Restart",
    SystemShutdown => Post "/System/Shutdown",
    ActivityLog => Get "/System/ActivityLog/Entries",
    // Users
    Users => Get "/Users",
    UsersQuery => Get "/Users/Query",
    AuthenticateByName => Post "/Users/AuthenticateByName",
    // Sessions and remote control
    Sessions => Get "/Sessions",
    SessionPlay => Post "/Sessions/{Id}/Playing",
    SessionPlaystate => Post "/Sessions/{Id}/Playing/{Command}",
    SessionCommand => Post "/Sessions/{Id}/Command",
    SessionMessage => Post "/Sessions/{Id}/Message",
    SessionCapabilitiesFull => Post "/Sessions/Capabilities/Full",
    // Library browsing
    UserViews => Get "/Users/{UserId}/Views",
    UserItems => Get "/Users/{UserId}/Items",
    UserItem => Get "/Users/{UserId}/Items/{Id}",
    LatestItems => Get "/Users/{UserId}/Items/Latest",
    ResumeItems => Get "/Users/{UserId}/Items/Resume",
    NextUp => Get "/Shows/NextUp",
    Suggestions => Get "/Users/{UserId}/Suggestions",
    SimilarItems => Get "/Items/{Id}/Similar",
    InstantMix => Get "/Items/{Id}/InstantMix",
    Seasons => Get "/Shows/{Id}/Seasons",
    Episodes => Get "/Shows/{Id}/Episodes",
    ItemCounts => Get "/Items/Counts",
    VirtualFolders => Get "/Library/VirtualFolders",
    VirtualFoldersQuery => Get "/Library/VirtualFolders/Query",
    Genres => Get "/Genres",
    MusicGenres => Get "/MusicGenres",
    Studios => Get "/Studios",
    Years => Get "/Years",
    Persons => Get "/Persons",
    Artists => Get "/Artists",
    PlaylistItems => Get "/Playlists/{Id}/Items",
    PlaybackInfo => Post "/Items/{Id}/PlaybackInfo",
    ItemImage => Get "/Items/{Id}/Images/{Type}",
    // User data
    MarkPlayed => Post "/Users/{UserId}/PlayedItems/{Id}",
    MarkUnplayed => Post "/Users/{UserId}/PlayedItems/{Id}/Delete",
    AddFavorite => Post "/Users/{UserId}/FavoriteItems/{Id}",
    RemoveFavorite => Post "/Users/{UserId}/FavoriteItems/{Id}/Delete",
    // Playlists and collections
    CreatePlaylist => Post "/Playlists",
    AddToPlaylist => Post "/Playlists/{Id}/Items",
    RemoveFromPlaylist => Post "/Playlists/{Id}/Items/Delete",
    CreateCollection => Post "/Collections",
    AddToCollection => Post "/Collections/{Id}/Items",
    RemoveFromCollection => Post "/Collections/{Id}/Items/Delete",
    // Library administration
    LibraryRefresh => Post "/Library/Refresh",
    ItemRefresh => Post "/Items/{Id}/Refresh",
    ScheduledTasks => Get "/ScheduledTasks",
    ScheduledTaskRun => Post "/ScheduledTasks/Running/{Id}",
    Devices => Get "/Devices",
    Plugins => Get "/Plugins",
    // Live TV
    LiveTvInfo => Get "/LiveTv/Info",
    LiveTvChannels => Get "/LiveTv/Channels",
    LiveTvRecordings => Get "/LiveTv/Recordings",
    LiveTvTimers => Get "/LiveTv/Timers",
    LiveTvTimerDefaults => Get "/LiveTv/Timers/Defaults",
    LiveTvCreateTimer => Post "/LiveTv/Timers",
    LiveTvCancelTimer => Post "/LiveTv/Timers/{Id}/Delete",
    LiveTvSeriesTimers => Get "/LiveTv/SeriesTimers",
    LiveTvCancelSeriesTimer => Post "/LiveTv/SeriesTimers/{Id}/Delete",
    LiveTvCreateSeriesTimer => Post "/LiveTv/SeriesTimers",
    // URLs the core builds for the Home Assistant proxy (never requested by the core itself)
    VideoStream => Get "/Videos/{Id}/stream",
    AudioUniversal => Get "/Audio/{Id}/universal",
    AudioStream => Get "/Audio/{Id}/stream",
}

/// Query parameters of the browse listings (`/Users/{UserId}/Items` and the names endpoints).
const LISTING: &[&str] = &[
    "ParentId",
    "IncludeItemTypes",
    "Recursive",
    "Fields",
    "SortBy",
    "SortOrder",
    "StartIndex",
    "Limit",
    "Genres",
    "Studios",
    "Years",
    "Filters",
    "SearchTerm",
    "Ids",
    "NameStartsWith",
    "NameLessThan",
    "ArtistIds",
];
/// Query parameters of the genre, studio, person, artist and year listings.
const NAMES: &[&str] = &[
    "UserId",
    "ParentId",
    "IncludeItemTypes",
    "Recursive",
    "SortBy",
    "SortOrder",
    "StartIndex",
    "Limit",
    "SearchTerm",
];
/// Query parameters of the stream URLs built for Home Assistant's proxy.
const STREAM: &[&str] = &[
    "Static",
    "Container",
    "MediaSourceId",
    "DeviceId",
    "StartTimeTicks",
    "AudioCodec",
    "VideoCodec",
    "AudioBitRate",
    "VideoBitRate",
    "AudioStreamIndex",
    "SubtitleStreamIndex",
];

impl Endpoint {
    /// Every query parameter the core may send to this endpoint. [`crate::client::Call::query`]
    /// refuses others (debug builds), and `tests/openapi.rs` proves each one is declared by
    /// Emby's OpenAPI description (with the exceptions listed there).
    pub const fn query_params(self) -> &'static [&'static str] {
        use Endpoint::*;
        match self {
            SystemInfoPublic | SystemInfo | SystemPing | SystemRestart | SystemShutdown => &[],
            ActivityLog => &["StartIndex", "Limit", "MinDate"],
            Users | UsersQuery | Sessions | AuthenticateByName => &[],
            SessionPlay => &["ItemIds", "PlayCommand", "StartPositionTicks"],
            SessionPlaystate | SessionCommand | SessionCapabilitiesFull => &[],
            SessionMessage => &["Text", "Header", "TimeoutMs"],
            UserViews | UserItem => &[],
            UserItems => LISTING,
            LatestItems => &["Limit", "ParentId", "Fields"],
            ResumeItems => &["Limit", "Fields"],
            NextUp => &["UserId", "Limit", "Fields"],
            Suggestions => &["Fields"],
            SimilarItems | InstantMix => &["UserId", "Limit"],
            Seasons => &["UserId", "Fields"],
            Episodes => &["UserId", "SeasonId", "Fields"],
            ItemCounts => &["UserId", "IsFavorite"],
            VirtualFolders | VirtualFoldersQuery => &[],
            Genres | MusicGenres | Studios | Years | Artists => NAMES,
            Persons => &[
                "UserId",
                "ParentId",
                "IncludeItemTypes",
                "Recursive",
                "SortBy",
                "SortOrder",
                "StartIndex",
                "Limit",
                "SearchTerm",
                "PersonTypes",
            ],
            PlaylistItems => &["UserId", "StartIndex", "Limit", "Fields"],
            PlaybackInfo => &[],
            ItemImage => &["Tag", "MaxWidth", "MaxHeight", "Quality"],
            MarkPlayed | MarkUnplayed | AddFavorite | RemoveFavorite => &[],
            CreatePlaylist => &["Name", "Ids", "MediaType"],
            AddToPlaylist => &["Ids", "UserId"],
            RemoveFromPlaylist => &["EntryIds"],
            CreateCollection => &["Name", "Ids", "ParentId"],
            AddToCollection | RemoveFromCollection => &["Ids"],
            LibraryRefresh => &[],
            ItemRefresh => &["Recursive"],
            ScheduledTasks => &["IsHidden"],
            ScheduledTaskRun | Devices | Plugins | LiveTvInfo => &[],
            LiveTvChannels => &["UserId", "StartIndex", "Limit", "IsFavorite", "Fields"],
            LiveTvRecordings => &["UserId", "StartIndex", "Limit", "IsInProgress", "Fields"],
            LiveTvTimers => &["ChannelId", "SeriesTimerId"],
            LiveTvTimerDefaults => &["ProgramId"],
            LiveTvCreateTimer | LiveTvCancelTimer | LiveTvCreateSeriesTimer => &[],
            LiveTvSeriesTimers => &[],
            LiveTvCancelSeriesTimer => &[],
            VideoStream | AudioStream => STREAM,
            AudioUniversal => &[
                "DeviceId",
                "StartTimeTicks",
                "UserId",
                "MediaSourceId",
                "PlaySessionId",
                "MaxStreamingBitrate",
                "Container",
                "TranscodingContainer",
                "AudioCodec",
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_position() {
        for (i, e) in Endpoint::ALL.iter().enumerate() {
            assert_eq!(e.index(), i);
        }
        let mut templates: Vec<_> = Endpoint::ALL
            .iter()
            .map(|e| (e.method(), e.template()))
            .collect();
        templates.sort_by_key(|(m, t)| (m.as_str(), *t));
        templates.dedup();
        assert_eq!(templates.len(), Endpoint::COUNT, "no duplicate endpoint");
    }
}
