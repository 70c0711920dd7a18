//! Library browsing (browse cache: 5 min, 500 entries, LRU) and per-user discovery rows
//! (discovery cache: 30 min per user). Concurrent identical calls share one request either way.

use std::sync::Arc;

use crate::client::{CachePolicy, Call, EmbyClient};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::models::{Item, ItemCounts, ItemsResult, VirtualFolder, VirtualFoldersResult};

/// Fields asked for in listings: what the browse tree and discovery rows show, and nothing the
/// server must compute per item for us (Emby's cost grows with each requested field).
pub const DEFAULT_FIELDS: [&str; 6] = [
    "PrimaryImageAspectRatio",
    "BasicSyncInfo",
    "DateCreated",
    "Overview",
    "Genres",
    "ProductionYear",
];

/// Filters of `GET /Users/{UserId}/Items` (every field optional; empty lists are omitted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemsQuery {
    pub parent_id: Option<String>,
    pub include_item_types: Vec<String>,
    pub recursive: bool,
    pub fields: Vec<String>,
    pub sort_by: Vec<String>,
    pub sort_order: Option<String>,
    pub start_index: Option<u32>,
    pub limit: Option<u32>,
    /// Joined with `|`, as Emby expects for names that may contain commas.
    pub genres: Vec<String>,
    /// Joined with `|`.
    pub studios: Vec<String>,
    /// Joined with `,`.
    pub years: Vec<i32>,
    /// `IsFavorite`, `IsPlayed`, `IsUnplayed`, `IsResumable`, ...
    pub filters: Vec<String>,
    pub search_term: Option<String>,
    pub ids: Vec<String>,
    /// Items whose sort name starts with this (the letters of an A-Z index).
    pub name_starts_with: Option<String>,
    /// Items whose sort name sorts before this (`A`: the `#` entry of an A-Z index).
    pub name_less_than: Option<String>,
    /// Items of these artists (an artist's albums), joined with `|`.
    pub artist_ids: Vec<String>,
}

impl ItemsQuery {
    fn apply(&self, call: Call) -> Call {
        let years: Vec<String> = self.years.iter().map(i32::to_string).collect();
        let fields: Vec<&str> = if self.fields.is_empty() {
            DEFAULT_FIELDS.to_vec()
        } else {
            self.fields.iter().map(String::as_str).collect()
        };
        let call = call
            .query_opt("ParentId", self.parent_id.as_deref())
            .query_list("IncludeItemTypes", &self.include_item_types, ",")
            .query_list("Fields", &fields, ",")
            .query_list("SortBy", &self.sort_by, ",")
            .query_opt("SortOrder", self.sort_order.as_deref())
            .query_opt("StartIndex", self.start_index)
            .query_opt("Limit", self.limit)
            .query_list("Genres", &self.genres, "|")
            .query_list("Studios", &self.studios, "|")
            .query_list("Years", &years, ",")
            .query_list("Filters", &self.filters, ",")
            .query_opt("SearchTerm", self.search_term.as_deref())
            .query_list("Ids", &self.ids, ",")
            .query_opt("NameStartsWith", self.name_starts_with.as_deref())
            .query_opt("NameLessThan", self.name_less_than.as_deref())
            .query_list("ArtistIds", &self.artist_ids, "|");
        if self.recursive {
            call.query("Recursive", "true")
        } else {
            call
        }
    }

    /// Personal filters make a listing depend on the user's played/favorite state, which
    /// UserDataChanged invalidates by user; every listing is tagged with its user anyway.
    fn depends_on(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.parent_id.iter().cloned().collect();
        ids.extend(self.ids.iter().cloned());
        ids.extend(self.artist_ids.iter().cloned());
        ids
    }
}

fn browse(user: &str, items: Vec<String>, listing: bool) -> CachePolicy {
    CachePolicy::Browse {
        user: Some(user.to_owned()),
        items,
        listing,
    }
}

fn discovery(user: &str) -> CachePolicy {
    CachePolicy::Discovery {
        user: user.to_owned(),
    }
}

impl EmbyClient {
    /// `GET /Users/{UserId}/Views`: the user's libraries.
    pub async fn get_views(&self, user_id: &str) -> Result<Arc<ItemsResult>> {
        self.get_json(
            Call::new(Endpoint::UserViews).path("UserId", user_id),
            browse(user_id, Vec::new(), true),
        )
        .await
    }

    /// `GET /Users/{UserId}/Items` with filters.
    pub async fn get_items(&self, user_id: &str, query: &ItemsQuery) -> Result<Arc<ItemsResult>> {
        crate::arguments::sort_order(query.sort_order.as_deref())?;
        crate::arguments::id_list("artist_ids", &query.artist_ids)?;
        self.get_json(
            query.apply(Call::new(Endpoint::UserItems).path("UserId", user_id)),
            browse(user_id, query.depends_on(), true),
        )
        .await
    }

    /// `GET /Users/{UserId}/Items/{Id}`: one item's details.
    pub async fn get_item(&self, user_id: &str, item_id: &str) -> Result<Arc<Item>> {
        self.get_json(
            Call::new(Endpoint::UserItem)
                .path("UserId", user_id)
                .path("Id", item_id),
            browse(user_id, vec![item_id.to_owned()], false),
        )
        .await
    }

    /// `GET /Shows/{Id}/Seasons`.
    pub async fn get_seasons(&self, user_id: &str, series_id: &str) -> Result<Arc<ItemsResult>> {
        self.get_json(
            Call::new(Endpoint::Seasons)
                .path("Id", series_id)
                .query("UserId", user_id)
                .query_list("Fields", &DEFAULT_FIELDS, ","),
            browse(user_id, vec![series_id.to_owned()], true),
        )
        .await
    }

    /// `GET /Shows/{Id}/Episodes`, optionally of one season.
    pub async fn get_episodes(
        &self,
        user_id: &str,
        series_id: &str,
        season_id: Option<&str>,
    ) -> Result<Arc<ItemsResult>> {
        let mut items = vec![series_id.to_owned()];
        items.extend(season_id.map(str::to_owned));
        self.get_json(
            Call::new(Endpoint::Episodes)
                .path("Id", series_id)
                .query("UserId", user_id)
                .query_opt("SeasonId", season_id)
                .query_list("Fields", &DEFAULT_FIELDS, ","),
            browse(user_id, items, true),
        )
        .await
    }

    /// `GET /Items/{Id}/Similar`.
    pub async fn get_similar(
        &self,
        user_id: &str,
        item_id: &str,
        limit: u32,
    ) -> Result<Arc<ItemsResult>> {
        self.get_json(
            Call::new(Endpoint::SimilarItems)
                .path("Id", item_id)
                .query("UserId", user_id)
                .query("Limit", limit),
            browse(user_id, vec![item_id.to_owned()], true),
        )
        .await
    }

    /// `GET /Items/{Id}/InstantMix`.
    pub async fn get_instant_mix(
        &self,
        user_id: &str,
        item_id: &str,
        limit: u32,
    ) -> Result<Arc<ItemsResult>> {
        self.get_json(
            Call::new(Endpoint::InstantMix)
                .path("Id", item_id)
                .query("UserId", user_id)
                .query("Limit", limit),
            browse(user_id, vec![item_id.to_owned()], true),
        )
        .await
    }

    /// `GET /Library/VirtualFolders`, falling back to `/Library/VirtualFolders/Query` on servers
    /// that only offer the paged form. Not cached (still coalesced): the library coordinator is
    /// its reader and holds it until LibraryChanged or its interval; a cached copy would only
    /// make that refresh stale.
    pub async fn get_virtual_folders(&self) -> Result<Arc<Vec<VirtualFolder>>> {
        match self
            .get_json::<Vec<VirtualFolder>>(Call::new(Endpoint::VirtualFolders), CachePolicy::None)
            .await
        {
            Err(Error::NotFound { .. }) => {
                let r = self
                    .get_json::<VirtualFoldersResult>(
                        Call::new(Endpoint::VirtualFoldersQuery),
                        CachePolicy::None,
                    )
                    .await?;
                Ok(Arc::new(r.items.clone()))
            }
            other => other,
        }
    }

    /// `GET /Items/Counts` (of one user's view, or server-wide; with `is_favorite`, of the
    /// user's favorites only). Library statistics and favorites counts belong to the discovery
    /// cache when per user.
    pub async fn get_item_counts(
        &self,
        user_id: Option<&str>,
        is_favorite: Option<bool>,
    ) -> Result<Arc<ItemCounts>> {
        let policy = match user_id {
            Some(u) => discovery(u),
            None => CachePolicy::Browse {
                user: None,
                items: Vec::new(),
                listing: true,
            },
        };
        self.get_json(
            Call::new(Endpoint::ItemCounts)
                .query_opt("UserId", user_id)
                .query_opt("IsFavorite", is_favorite),
            policy,
        )
        .await
    }

    /// `GET /Users/{UserId}/Items/Latest`: a bare array, newest first.
    pub async fn get_latest(
        &self,
        user_id: &str,
        limit: u32,
        parent_id: Option<&str>,
    ) -> Result<Arc<Vec<Item>>> {
        self.get_json(
            Call::new(Endpoint::LatestItems)
                .path("UserId", user_id)
                .query("Limit", limit)
                .query_opt("ParentId", parent_id)
                .query_list("Fields", &DEFAULT_FIELDS, ","),
            discovery(user_id),
        )
        .await
    }

    /// `GET /Users/{UserId}/Items/Resume`: continue watching.
    pub async fn get_resume(&self, user_id: &str, limit: u32) -> Result<Arc<ItemsResult>> {
        self.get_json(
            Call::new(Endpoint::ResumeItems)
                .path("UserId", user_id)
                .query("Limit", limit)
                .query_list("Fields", &DEFAULT_FIELDS, ","),
            discovery(user_id),
        )
        .await
    }

    /// `GET /Shows/NextUp?UserId=..`.
    pub async fn get_next_up(&self, user_id: &str, limit: u32) -> Result<Arc<ItemsResult>> {
        self.get_json(
            Call::new(Endpoint::NextUp)
                .query("UserId", user_id)
                .query("Limit", limit)
                .query_list("Fields", &DEFAULT_FIELDS, ","),
            discovery(user_id),
        )
        .await
    }

    /// `GET /Users/{UserId}/Suggestions`, cut to `limit` items here (the route takes no
    /// `Limit` parameter).
    pub async fn get_suggestions(&self, user_id: &str, limit: u32) -> Result<Arc<ItemsResult>> {
        let all: Arc<ItemsResult> = self
            .get_json(
                Call::new(Endpoint::Suggestions)
                    .path("UserId", user_id)
                    .query_list("Fields", &DEFAULT_FIELDS, ","),
                discovery(user_id),
            )
            .await?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if all.items.len() <= limit {
            return Ok(all);
        }
        Ok(Arc::new(ItemsResult {
            items: all.items[..limit].to_vec(),
            total_record_count: all.total_record_count,
        }))
    }
}
