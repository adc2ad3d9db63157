"""Getting stories to partners: API keys, feeds, the ninjs API, the snippet, the beacon, notices."""
