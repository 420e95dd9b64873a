"""vistka — self-hosted news aggregation and republishing."""

__version__ = "0.1.0"
