"""The editors' dashboard and the partner's view of its own copies: reach, compliance,
evidence, notices and reports, read from the pickups records."""
