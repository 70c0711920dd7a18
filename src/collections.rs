//! Playlists, collections and a user's played/favorite marks.
//!
//! Listings go through the browse cache. Every change is followed at once by the invalidation
//! it makes necessary (whatever the outcome: a timed-out request may still have been applied),
//! so the next read is fresh without waiting for Emby's LibraryChanged/UserDataChanged, which
//! arrive seconds later or, for an API-key socket, possibly never (EMBY.md 4.6).

use std::sync::Arc;

use crate::arguments;
use crate::browse::{DEFAULT_FIELDS, ItemsQuery};
use crate::client::{CachePolicy, Call, EmbyClient};
use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::models::{
    AddedToPlaylist, CollectionCreated, ItemsResult, PlaylistCreated, PlaylistItemsResult, UserData,
};

impl EmbyClient {
    /// Items of one type anywhere in the user's libraries, by name (playlists, collections).
    async fn all_of_type(
        &self,
        user_id: &str,
        item_type: &str,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Arc<ItemsResult>> {
        let query = ItemsQuery {
            include_item_types: vec![item_type.to_owned()],
            recursive: true,
            sort_by: vec!["SortName".to_owned()],
            start_index,
            limit,
            ..ItemsQuery::default()
        };
        self.get_items(user_id, &query).await
    }

    /// The user's playlists (`/Users/{UserId}/Items?IncludeItemTypes=Playlist&Recursive=true`).
    pub async fn get_playlists(
        &self,
        user_id: &str,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Arc<ItemsResult>> {
        self.all_of_type(user_id, "Playlist", start_index, limit)
            .await
    }

    /// The collections (box sets) the user sees. Their items are `get_items(parent_id=...)`.
    pub async fn get_collections(
        &self,
        user_id: &str,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Arc<ItemsResult>> {
        self.all_of_type(user_id, "BoxSet", start_index, limit)
            .await
    }

    /// `GET /Playlists/{Id}/Items`, in playlist order, each with its entry id.
    pub async fn get_playlist_items(
        &self,
        user_id: &str,
        playlist_id: &str,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Arc<PlaylistItemsResult>> {
        self.get_json(
            Call::new(Endpoint::PlaylistItems)
                .path("Id", playlist_id)
                .query("UserId", user_id)
                .query_opt("StartIndex", start_index)
                .query_opt("Limit", limit)
                .query_list("Fields", &DEFAULT_FIELDS, ","),
            CachePolicy::Browse {
                user: Some(user_id.to_owned()),
                items: vec![playlist_id.to_owned()],
                listing: true,
            },
        )
        .await
    }

    /// `POST /Playlists?Name=..&Ids=..[&MediaType=..]`. `None` when the server answered
    /// without the created playlist.
    pub async fn create_playlist(
        &self,
        name: &str,
        item_ids: &[String],
        media_type: Option<&str>,
    ) -> Result<Option<PlaylistCreated>> {
        let name = arguments::name(name)?;
        arguments::id_list("item_ids", item_ids)?;
        let result = self
            .post_json_opt(
                Call::new(Endpoint::CreatePlaylist)
                    .query("Name", name)
                    .query_list("Ids", item_ids, ",")
                    .query_opt("MediaType", media_type),
            )
            .await;
        // A new playlist may belong in any listing.
        self.inner.caches.invalidate_items(&[], true);
        result
    }

    /// `POST /Playlists/{Id}/Items?Ids=..`: how many entries were added, when the server says.
    pub async fn add_to_playlist(
        &self,
        playlist_id: &str,
        item_ids: &[String],
        user_id: Option<&str>,
    ) -> Result<Option<i64>> {
        arguments::ids("item_ids", item_ids)?;
        let result = self
            .post_json_opt::<AddedToPlaylist>(
                Call::new(Endpoint::AddToPlaylist)
                    .path("Id", playlist_id)
                    .query_list("Ids", item_ids, ",")
                    .query_opt("UserId", user_id),
            )
            .await;
        self.invalidate_item(playlist_id);
        result.map(|r| r.and_then(|r| r.item_added_count))
    }

    /// `POST /Playlists/{Id}/Items/Delete?EntryIds=..` (entry ids: `playlist_item_id`).
    pub async fn remove_from_playlist(
        &self,
        playlist_id: &str,
        entry_ids: &[String],
    ) -> Result<()> {
        arguments::ids("entry_ids", entry_ids)?;
        let result = self
            .post(
                Call::new(Endpoint::RemoveFromPlaylist)
                    .path("Id", playlist_id)
                    .query_list("EntryIds", entry_ids, ","),
            )
            .await;
        self.invalidate_item(playlist_id);
        result
    }

    /// `POST /Collections?Name=..&Ids=..[&ParentId=..]`. `None` when the server answered
    /// without the created collection.
    pub async fn create_collection(
        &self,
        name: &str,
        item_ids: &[String],
        parent_id: Option<&str>,
    ) -> Result<Option<CollectionCreated>> {
        let name = arguments::name(name)?;
        arguments::id_list("item_ids", item_ids)?;
        let result = self
            .post_json_opt(
                Call::new(Endpoint::CreateCollection)
                    .query("Name", name)
                    .query_list("Ids", item_ids, ",")
                    .query_opt("ParentId", parent_id),
            )
            .await;
        self.inner.caches.invalidate_items(&[], true);
        result
    }

    /// `POST /Collections/{Id}/Items?Ids=..`.
    pub async fn add_to_collection(&self, collection_id: &str, item_ids: &[String]) -> Result<()> {
        arguments::ids("item_ids", item_ids)?;
        let result = self
            .post(
                Call::new(Endpoint::AddToCollection)
                    .path("Id", collection_id)
                    .query_list("Ids", item_ids, ","),
            )
            .await;
        self.invalidate_item(collection_id);
        result
    }

    /// `POST /Collections/{Id}/Items/Delete?Ids=..`.
    pub async fn remove_from_collection(
        &self,
        collection_id: &str,
        item_ids: &[String],
    ) -> Result<()> {
        arguments::ids("item_ids", item_ids)?;
        let result = self
            .post(
                Call::new(Endpoint::RemoveFromCollection)
                    .path("Id", collection_id)
                    .query_list("Ids", item_ids, ","),
            )
            .await;
        self.invalidate_item(collection_id);
        result
    }

    /// One of the four user-data routes; the user's cached views and every response about the
    /// item are dropped right after, whatever the outcome.
    async fn set_user_data(
        &self,
        endpoint: Endpoint,
        user_id: &str,
        item_id: &str,
    ) -> Result<Option<UserData>> {
        let result = self
            .post_json_opt(
                Call::new(endpoint)
                    .path("UserId", user_id)
                    .path("Id", item_id),
            )
            .await;
        self.invalidate_user(user_id);
        self.invalidate_item(item_id);
        result
    }

    /// `POST /Users/{UserId}/PlayedItems/{Id}`: the item's new user data, when the server says.
    pub async fn mark_played(&self, user_id: &str, item_id: &str) -> Result<Option<UserData>> {
        self.set_user_data(Endpoint::MarkPlayed, user_id, item_id)
            .await
    }

    /// `POST /Users/{UserId}/PlayedItems/{Id}/Delete`.
    pub async fn mark_unplayed(&self, user_id: &str, item_id: &str) -> Result<Option<UserData>> {
        self.set_user_data(Endpoint::MarkUnplayed, user_id, item_id)
            .await
    }

    /// `POST /Users/{UserId}/FavoriteItems/{Id}`.
    pub async fn add_favorite(&self, user_id: &str, item_id: &str) -> Result<Option<UserData>> {
        self.set_user_data(Endpoint::AddFavorite, user_id, item_id)
            .await
    }

    /// `POST /Users/{UserId}/FavoriteItems/{Id}/Delete`.
    pub async fn remove_favorite(&self, user_id: &str, item_id: &str) -> Result<Option<UserData>> {
        self.set_user_data(Endpoint::RemoveFavorite, user_id, item_id)
            .await
    }
}
