"""The partner program: applications, vetting decisions, partners and their people."""
