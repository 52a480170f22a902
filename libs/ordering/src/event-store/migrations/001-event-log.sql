-- The shared event log of a café fleet. Applied once, in file-name order, under an advisory
-- lock; cafe_migrations records what was applied (see postgres-migrations.ts).

CREATE TABLE cafe_events (
  position bigint  PRIMARY KEY,
  stream   text    NOT NULL,
  version  integer NOT NULL,
  type     text    NOT NULL,
  at       bigint  NOT NULL,
  data     jsonb   NOT NULL,
  -- The database, not a process's view, decides which of two racing appends lands.
  UNIQUE (stream, version)
);

-- One row: the newest position. Every append locks it until its transaction commits, so
-- appends commit in position order and a reader never sees position n+1 before n
-- (docs/adr/0012).
CREATE TABLE cafe_log_head (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  position bigint  NOT NULL
);
INSERT INTO cafe_log_head (position) VALUES (0);

-- Idempotency-Key -> the order it placed, written in the placing append's transaction.
CREATE TABLE cafe_idempotency_keys (
  key         text PRIMARY KEY,
  order_id    text NOT NULL,
  fingerprint text NOT NULL
);

-- Appends a group of appends in one transaction, one round trip: each lands whole at the
-- next positions, or is refused ('version' when its stream moved on, 'key' when its
-- Idempotency-Key placed another order) without touching the others. The caller sends
-- [{stream, expected, events: [event, ...], key?: {key, fingerprint}}, ...]; one row per
-- append comes back, in order: the first position it got, or the refusal, with the version
-- the stream was at.
CREATE FUNCTION cafe_append(appends jsonb)
RETURNS TABLE (first_position bigint, refused text, actual_version integer)
LANGUAGE plpgsql AS $$
DECLARE
  head bigint;
  item jsonb;
  actual integer;
  added integer;
BEGIN
  SELECT h.position INTO head FROM cafe_log_head h FOR UPDATE;
  FOR item IN SELECT value FROM jsonb_array_elements(appends) LOOP
    SELECT coalesce(max(e.version), 0) INTO actual FROM cafe_events e WHERE e.stream = item->>'stream';
    actual_version := actual;
    IF actual <> (item->>'expected')::integer THEN
      first_position := NULL; refused := 'version'; RETURN NEXT; CONTINUE;
    END IF;
    IF item ? 'key' THEN
      PERFORM 1 FROM cafe_idempotency_keys k WHERE k.key = item->'key'->>'key';
      IF FOUND THEN
        first_position := NULL; refused := 'key'; RETURN NEXT; CONTINUE;
      END IF;
      INSERT INTO cafe_idempotency_keys (key, order_id, fingerprint)
        VALUES (item->'key'->>'key', item->>'stream', item->'key'->>'fingerprint');
    END IF;
    INSERT INTO cafe_events (position, stream, version, type, at, data)
      SELECT head + e.n, item->>'stream', actual + e.n, e.value->>'type', (e.value->>'at')::bigint, e.value
      FROM jsonb_array_elements(item->'events') WITH ORDINALITY AS e(value, n);
    GET DIAGNOSTICS added = ROW_COUNT;
    first_position := head + 1; refused := NULL; RETURN NEXT;
    head := head + added;
  END LOOP;
  UPDATE cafe_log_head SET position = head;
  -- Delivered at commit; only a wake-up: followers read by position (docs/adr/0012).
  PERFORM pg_notify('cafe_events', head::text);
END
$$;
