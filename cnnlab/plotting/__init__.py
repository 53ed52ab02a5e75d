"""Figures the course notebooks draw, one topic per module."""
