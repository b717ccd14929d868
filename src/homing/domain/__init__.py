"""Pure types and rules of Homing: names, addresses, records and outcomes. No I/O."""
