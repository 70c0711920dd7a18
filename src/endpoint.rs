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
    // URLs the core builds for the Home Assistant proxy (never requested by the core itself)
    VideoStream => Get "/Videos/{Id}/stream",
    AudioUniversal => Get "/Audio/{Id}/universal",
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
