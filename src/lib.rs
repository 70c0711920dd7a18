//! embymedia_core: placeholder while the crate is laid out.
