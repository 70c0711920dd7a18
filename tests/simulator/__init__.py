"""Tests of the Emby simulator itself."""
