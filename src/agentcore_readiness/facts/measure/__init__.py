"""Measurements of what a runtime installs and imports: package sizes from the lock file,
import times."""
