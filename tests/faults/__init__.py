"""The fault suite (issue 14): the integration against a broken or hostile Emby."""
