"""The demo's data (a sample wire, a crawl, fictional partners) and its history."""
