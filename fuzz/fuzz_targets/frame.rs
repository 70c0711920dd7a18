//! Any bytes as a WebSocket text frame: parsing never panics and what it yields holds together
//! (see `embymedia_core::websocket::protocol::check_frame`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Text frames are UTF-8 by the protocol (tungstenite rejects others before us); lossy
    // decoding still lets the fuzzer's mutations of valid frames through.
    let text = String::from_utf8_lossy(data);
    embymedia_core::websocket::protocol::check_frame(&text);
});
