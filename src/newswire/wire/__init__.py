"""The wire: stories, reporters, media and their licences, corrections, embargoes and terms."""
