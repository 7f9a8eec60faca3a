"""Demo data for `initialize_data --demo`: people with the roles a demo needs and a
history of overtime that could have happened. Every function creates only what is
missing, so `make dev` may run it at every start without changing what exists."""
