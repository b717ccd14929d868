"""DNSSEC online signing: zone keys, RRSIGs made when data changes, and NSEC3 denial."""
