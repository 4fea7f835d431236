"""Code shared by two or more services: config, db, errors, events, and the app factory."""
