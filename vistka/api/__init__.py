"""The JSON API (django-ninja): public read-only views obeying licence modes, token-authenticated management."""
