"""Tooling for the Treatment Resistance course: synthetic data, releases, grading, checks."""
