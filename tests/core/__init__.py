"""Tests of the Rust core through its Python binding (`embymedia_core`), against the simulator."""
