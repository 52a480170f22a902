-- The live orders from a flag the domain computes (issue 21), as 005 did for the queue: 006's
-- trigger and rebuild named the events that settle an order ('OrderFinished', 'OrderCancelled'),
-- repeating `settles` of libs/ordering/src/domain/order.ts. Each item of an append now carries
-- `settles`, one boolean per event, from that function (toAppendRow, postgres-rows.ts);
-- cafe_append writes it into the event's row, and the table of live orders follows the row: an
-- order is live from the first event of its stream (version 1, its placement: `evolve` takes no
-- other first event) until an event that settles it.
--
-- A row without the flag (NULL) was written before this migration, or after it by an instance of
-- the release before, still running during a rolling upgrade: its items carry no `settles`, and
-- this body stores NULL. For such rows, and only for them, the event names decide, as in 006.
-- The trigger's fallback can go once no release without the flag runs. The rebuild's cannot
-- while older rows have no flag, and they are not given one here: ALTER TABLE holds the events'
-- table locked against every read and append until this file's transaction commits, and
-- rewriting the whole log under that lock would stop the fleet for as long as it takes.
ALTER TABLE cafe_events ADD COLUMN settles boolean;

CREATE OR REPLACE FUNCTION cafe_rebuild_live_orders() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('cafe_log_head'));
  DELETE FROM cafe_live_orders;
  INSERT INTO cafe_live_orders (stream)
    SELECT placed.stream FROM cafe_events placed
    WHERE placed.version = 1
      AND NOT EXISTS (SELECT 1 FROM cafe_events settled WHERE settled.stream = placed.stream
                      AND coalesce(settled.settles,
                                   settled.type IN ('OrderFinished', 'OrderCancelled')));
END $$;

-- Replaced in place: the trigger of 006 calls this function by name.
CREATE OR REPLACE FUNCTION cafe_keep_live_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(NEW.settles, NEW.type IN ('OrderFinished', 'OrderCancelled')) THEN
    DELETE FROM cafe_live_orders WHERE stream = NEW.stream;
  ELSIF NEW.version = 1 THEN
    INSERT INTO cafe_live_orders (stream) VALUES (NEW.stream);
  END IF;
  RETURN NULL;
END $$;

-- cafe_append as in 008, writing each event's `settles` into its row; a claim's item keeps the
-- flags the application sent with it (`queued`, `settles`) once rebuilt as an append.
--
-- The whole function again, not a patch: see the head of 003 for why it is not kept once.
CREATE OR REPLACE FUNCTION cafe_append(appends jsonb)
RETURNS TABLE (first_position bigint, refused text, actual_version integer, stream text)
LANGUAGE plpgsql AS $$
DECLARE
  head bigint;
  item jsonb;
  actual integer;
  added integer;
  first_head bigint;
  payload text;
BEGIN
  -- Baristas polling an empty queue: only claims, and nothing to claim. Answered without the
  -- log's lock, so the transaction waits for no other instance's commit.
  IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(appends) a WHERE NOT a.value ? 'claim')
     AND NOT EXISTS (SELECT 1 FROM cafe_queue) THEN
    RETURN QUERY SELECT NULL::bigint, 'empty'::text, NULL::integer, NULL::text
      FROM jsonb_array_elements(appends);
    RETURN;
  END IF;
  -- The log's lock: held to commit, so appends commit in position order. An advisory lock
  -- writes nothing, unlike a row lock, so a group that lands nothing (claims that found the
  -- queue emptied by another instance while they waited, refused appends) commits without
  -- waiting for a WAL flush, and holds the lock only as long as its reads take.
  PERFORM pg_advisory_xact_lock(hashtext('cafe_log_head'));
  SELECT h.position INTO head FROM cafe_log_head h;
  first_head := head;
  FOR item IN SELECT value FROM jsonb_array_elements(appends) LOOP
    IF item ? 'claim' THEN
      -- The log's lock already makes this the only writer; SKIP LOCKED keeps the claim
      -- exclusive without waiting should queue rows ever be locked outside it.
      SELECT q.stream INTO stream FROM cafe_queue q
        ORDER BY q.placed_position LIMIT 1 FOR UPDATE SKIP LOCKED;
      IF NOT FOUND THEN
        first_position := NULL; refused := 'empty'; actual_version := NULL; stream := NULL;
        RETURN NEXT; CONTINUE;
      END IF;
      SELECT max(e.version) INTO actual FROM cafe_events e WHERE e.stream = cafe_append.stream;
      item := (item - 'claim') || jsonb_build_object('stream', stream, 'expected', actual,
        'events', jsonb_build_array(item->'claim' || jsonb_build_object('orderId', stream)));
    END IF;
    stream := item->>'stream';
    SELECT coalesce(max(e.version), 0) INTO actual FROM cafe_events e WHERE e.stream = cafe_append.stream;
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
        VALUES (item->'key'->>'key', stream, item->'key'->>'fingerprint');
    END IF;
    -- `settles`, the domain's word for each event; NULL from an item without it (see above).
    INSERT INTO cafe_events (position, stream, version, type, at, data, settles)
      SELECT head + e.n, cafe_append.stream, actual + e.n, e.value->>'type', (e.value->>'at')::bigint,
             e.value, (item->'settles'->>(e.n - 1)::integer)::boolean
      FROM jsonb_array_elements(item->'events') WITH ORDINALITY AS e(value, n);
    GET DIAGNOSTICS added = ROW_COUNT;
    -- Whether the order is queued now is the application's word (the domain's STATUS_AFTER),
    -- not this function's. An order already queued stays at its place.
    IF (item->>'queued')::boolean THEN
      INSERT INTO cafe_queue (stream, placed_position)
        SELECT cafe_append.stream, e.position FROM cafe_events e
        WHERE e.stream = cafe_append.stream AND e.version = 1
        ON CONFLICT ON CONSTRAINT cafe_queue_pkey DO NOTHING;
    ELSE
      DELETE FROM cafe_queue q WHERE q.stream = cafe_append.stream;
    END IF;
    first_position := head + 1; refused := NULL; RETURN NEXT;
    head := head + added;
  END LOOP;
  -- A group of refusals and empty claims (baristas polling) changed nothing to tell.
  IF head = first_head THEN
    RETURN;
  END IF;
  UPDATE cafe_log_head SET position = head;
  -- Past 64 events a group cannot fit the 8000-byte payload (an event of the café takes over
  -- 120 bytes with its UUID), so it is not even built: followers read such a group back.
  IF head - first_head <= 64 THEN
    SELECT jsonb_build_object('head', head, 'events', jsonb_agg(jsonb_build_object(
             'position', e.position, 'stream', e.stream, 'version', e.version, 'data', e.data)
             ORDER BY e.position))::text
      INTO payload
      -- Bounded on both sides, so that the plan PL/pgSQL caches for this statement, made for
      -- any value of its parameters, stays a short range of the primary key.
      FROM cafe_events e WHERE e.position > first_head AND e.position <= head;
  END IF;
  IF payload IS NULL OR octet_length(payload) > 7900 THEN
    payload := jsonb_build_object('head', head)::text;
  END IF;
  -- Delivered at commit; a wake-up and a shortcut, never the truth: followers that miss it or
  -- cannot use it read by position (docs/adr/0012).
  PERFORM pg_notify('cafe_events', payload);
END
$$;
