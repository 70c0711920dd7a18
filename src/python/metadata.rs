//! The names of the library: genres, music genres, studios, artists, persons and years (the
//! core's `metadata.rs`). The six methods take the same keywords and convert the same way, so
//! one macro writes them; `_core.pyi` types them with one protocol (`NamesListing`).

use pyo3::prelude::*;

use super::client::{PyEmbyClient, spawn};
use crate::metadata::NamesQuery;

/// One names listing: `$method(user_id, *, parent_id, include_item_types, <$extra lists>,
/// start_index, limit[, $search], sort_order)`, calling the core's method of the same name with
/// the query and the extra lists. `$search` names the search keyword where the endpoint has one.
macro_rules! names_listing {
    (@or_none $search:ident) => { $search };
    (@or_none) => { None };
    ($method:ident($($extra:ident),*) $(, $search:ident)?) => {
        #[pymethods]
        impl PyEmbyClient {
            #[pyo3(signature = (
                user_id, *, parent_id = None, include_item_types = None, $($extra = None,)*
                start_index = None, limit = None, $($search = None,)? sort_order = None
            ))]
            #[allow(clippy::too_many_arguments)]
            fn $method<'py>(
                &self,
                py: Python<'py>,
                user_id: String,
                parent_id: Option<String>,
                include_item_types: Option<Vec<String>>,
                $($extra: Option<Vec<String>>,)*
                start_index: Option<u32>,
                limit: Option<u32>,
                $($search: Option<String>,)?
                sort_order: Option<String>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let query = NamesQuery {
                    parent_id,
                    include_item_types: include_item_types.unwrap_or_default(),
                    start_index,
                    limit,
                    search_term: names_listing!(@or_none $($search)?),
                    sort_order,
                };
                $(let $extra = $extra.unwrap_or_default();)*
                let c = self.core.clone();
                spawn(py, async move {
                    c.$method(&user_id, &query $(, &$extra)*).await
                })
            }
        }
    };
}

names_listing!(get_genres(), search_term);
names_listing!(get_music_genres(), search_term);
names_listing!(get_studios(), search_term);
names_listing!(get_artists(), search_term);
names_listing!(get_persons(person_types), search_term);
names_listing!(get_years());
