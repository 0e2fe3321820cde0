"""Ingest stages: raw dump lines → cleaned, enriched, de-duplicated Episode records."""
