"""Discovery: where newswire looks for copies, and how politely. Partners' feeds and
sitemaps (found on their sites, read on a schedule), the beacon's hand-off (a page that
showed the pixel), the posts newswire made on a partner's WordPress: each page so found is
handed to pickups to check (:data:`newswire.events.page_to_check`). Every request to a
partner's or a stranger's site goes through :func:`fetcher.page_fetcher`: the safe fetcher,
robots.txt obeyed, one request a second per host, counted across every worker
(:mod:`.turns`). Pickups records what the checks find; discovery never writes a copy."""
