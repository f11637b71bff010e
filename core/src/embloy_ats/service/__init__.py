"""The Embloy-side HTTP service: token exchange, apply handle, apply page, demo."""
