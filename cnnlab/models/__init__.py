"""Model builders of the course's case studies, one family per module."""
