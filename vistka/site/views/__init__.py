"""The reader's site, one module per page type."""
