"""Sphinx extensions of the course book."""
