//! Any bytes as the body of any REST model (the first byte picks the model): parsing never
//! panics and what parses converts to the JSON Python gets
//! (see `embymedia_core::models::oracle::check_rest_body`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    embymedia_core::models::oracle::check_rest_body(data);
});
