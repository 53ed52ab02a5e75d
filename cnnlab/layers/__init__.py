"""Reusable Keras 3 layers of the course, one concept per module."""
