-- Which café instances are alive (issue 19): each writes its row at start and every few seconds
-- after; a row not written for a while is an instance that died, and the survivors withdraw the
-- orders whose customers it held (OrderPlaced.heldBy; OrphanedOrders). Kept in PostgreSQL, with
-- the log, whether or not Redis is set.
CREATE TABLE cafe_instances (
  id      text        PRIMARY KEY,
  seen_at timestamptz NOT NULL
);
