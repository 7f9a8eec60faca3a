"""The reference SSO + HR service, split by responsibility (contract: docs/external-api.md).

``directory`` validates and indexes the served people; ``state`` holds what changes while
the server runs and the tokens it signs; ``handler`` is the HTTP plumbing;
``endpoints`` are the routes. ``scripts/external_api_server.py`` is the entry point.
Only the standard library and PyJWT are used, never Django.
"""
