"""Stories that arrive from the newsroom's CMS by themselves: RSS/Atom feeds, WordPress
sites (REST API) and ninjs endpoints, polled by ``newswire worker``; edits become corrections."""
