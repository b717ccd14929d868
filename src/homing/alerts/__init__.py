"""Owners' alerts: address changes, refused update attempts and stale hosts, by email and webhook.

How an alert is born without slowing an update, and without being lost:

* The writer does nothing for alerts. Every update, and every refusal, is
  already a row of the ``history`` table, written in the update's own
  transaction; rows get increasing ids in commit order (one writer, SQLite's
  write lock).
* ``follower.AlertFollower`` tails that table by id. The writer's commit
  listener only sets an event to wake it (a few nanoseconds); the follower
  then reads the new rows with the reader engine, decides who is told what
  (``rules``), and hands the alerts to ``outbox.Outbox``, whose bounded
  queues and retrying workers (``senders``) deliver them in the background.
* The follower keeps a cursor in the store: the highest history id whose
  alerts are all finished (delivered, or given up after every retry). After
  a crash or restart it reads on from there, so an acknowledged update that
  deserved an alert gets it; the price is that an alert may come twice
  (at-least-once), never zero times.
* With several nodes on one PostgreSQL database every node follows the
  history; a node sends only the alerts it claimed in the database first
  (``store/alert_claims.py``), so each alert goes out once, not once per
  node. The price: a node killed between its claim and the delivery loses
  that alert (the others see it claimed).

Publishing rows from the writer in memory would have been simpler, but an
alert queued only in memory is lost by a crash between commit and delivery,
and the writer would have to carry rows that RFC 2136 and acme-dns updates
write deep inside their transactions. Tailing the table costs one indexed
range read per burst of commits, off the write path.
"""
