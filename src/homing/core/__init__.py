"""Use cases: authenticate, apply updates, manage zones/users/hosts/tokens, publish events."""
