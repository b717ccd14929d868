"""The authoritative DNS server: zone view, answer engine, UDP/TCP transports."""
