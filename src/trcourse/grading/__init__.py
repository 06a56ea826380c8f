"""Instructor grading pipeline on top of nbgrader: parallel autograde, outcomes, feedback, reports.

Kept import-light: the grading kernel (``limits``) imports this package at every kernel start.
"""
