//! Names of the library: genres, music genres, studios, persons, artists and years. Listings
//! of one user's view (browse cache: 5 min, 500 entries, LRU), always recursive under the
//! optional parent and sorted by name.

use std::sync::Arc;

use crate::arguments;
use crate::client::{CachePolicy, Call, EmbyClient};
use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::models::{ItemsResult, NameIdResult};

/// Filters shared by the names listings (every field optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamesQuery {
    /// A library or folder; names used by items below it.
    pub parent_id: Option<String>,
    /// Only names used by these item types (`Movie`, `Series`, `MusicAlbum`, ...).
    pub include_item_types: Vec<String>,
    pub start_index: Option<u32>,
    pub limit: Option<u32>,
    pub search_term: Option<String>,
    /// `Ascending` (default) or `Descending`.
    pub sort_order: Option<String>,
}

impl NamesQuery {
    /// Whether Emby can take these filters.
    fn check(&self) -> Result<()> {
        arguments::sort_order(self.sort_order.as_deref())?;
        arguments::id_list("include_item_types", &self.include_item_types)
    }

    fn call(&self, endpoint: Endpoint, user_id: &str) -> Call {
        Call::new(endpoint)
            .query("UserId", user_id)
            .query_opt("ParentId", self.parent_id.as_deref())
            .query_list("IncludeItemTypes", &self.include_item_types, ",")
            .query("Recursive", "true")
            .query("SortBy", "SortName")
            .query(
                "SortOrder",
                self.sort_order.as_deref().unwrap_or("Ascending"),
            )
            .query_opt("StartIndex", self.start_index)
            .query_opt("Limit", self.limit)
            .query_opt("SearchTerm", self.search_term.as_deref())
    }

    fn policy(&self, user_id: &str) -> CachePolicy {
        CachePolicy::Browse {
            user: Some(user_id.to_owned()),
            items: self.parent_id.iter().cloned().collect(),
            listing: true,
        }
    }
}

impl EmbyClient {
    async fn names(
        &self,
        endpoint: Endpoint,
        user_id: &str,
        query: &NamesQuery,
    ) -> Result<Arc<ItemsResult>> {
        query.check()?;
        self.get_json(query.call(endpoint, user_id), query.policy(user_id))
            .await
    }

    /// `GET /Genres` (movie and TV genres).
    pub async fn get_genres(&self, user_id: &str, query: &NamesQuery) -> Result<Arc<ItemsResult>> {
        self.names(Endpoint::Genres, user_id, query).await
    }

    /// `GET /MusicGenres`.
    pub async fn get_music_genres(
        &self,
        user_id: &str,
        query: &NamesQuery,
    ) -> Result<Arc<ItemsResult>> {
        self.names(Endpoint::MusicGenres, user_id, query).await
    }

    /// `GET /Studios`.
    pub async fn get_studios(&self, user_id: &str, query: &NamesQuery) -> Result<Arc<ItemsResult>> {
        self.names(Endpoint::Studios, user_id, query).await
    }

    /// `GET /Artists` (artists and album artists).
    pub async fn get_artists(&self, user_id: &str, query: &NamesQuery) -> Result<Arc<ItemsResult>> {
        self.names(Endpoint::Artists, user_id, query).await
    }

    /// `GET /Persons`, optionally of some roles (`Actor`, `Director`, `Writer`, ...).
    pub async fn get_persons(
        &self,
        user_id: &str,
        query: &NamesQuery,
        person_types: &[String],
    ) -> Result<Arc<ItemsResult>> {
        query.check()?;
        arguments::id_list("person_types", person_types)?;
        self.get_json(
            query
                .call(Endpoint::Persons, user_id)
                .query_list("PersonTypes", person_types, ","),
            query.policy(user_id),
        )
        .await
    }

    /// `GET /Years`: the production years in use (`{"Name": "1999", "Id": "1999"}` entries).
    pub async fn get_years(&self, user_id: &str, query: &NamesQuery) -> Result<Arc<NameIdResult>> {
        query.check()?;
        self.get_json(query.call(Endpoint::Years, user_id), query.policy(user_id))
            .await
    }
}
