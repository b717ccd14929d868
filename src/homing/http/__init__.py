"""HTTP front doors: the update protocols, checkip and health, on Starlette."""
