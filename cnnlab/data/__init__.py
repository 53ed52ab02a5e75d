"""Embedded data sets: small, offline, seeded."""
