"""kashmir-monitor: a media-monitoring ingestion service (see README.md)."""

__version__ = "0.1.0"
