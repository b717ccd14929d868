"""``homing client``: the daemon at home that keeps names pointing at this machine.

Address sources (``detect/``) feed the scheduler, which pushes changes to
providers (``providers/``) and remembers what it pushed in a state file.
"""
