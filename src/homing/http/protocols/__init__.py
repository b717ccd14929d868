"""One module per protocol spoken over HTTP; each translates to one core call."""
