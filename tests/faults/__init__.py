"""A settings module for live servers that adds one view failing on purpose, so a real
unhandled exception can be sent through the whole stack (Daphne, middleware, DRF, the
error handlers). Never part of the product's URLs."""
