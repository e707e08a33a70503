"""Helpers shared by the tests: array conversion, image factories, the bad-input table."""
