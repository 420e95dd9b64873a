"""The reader's site, one module per page type (vistka/site/urls.py imports them)."""
