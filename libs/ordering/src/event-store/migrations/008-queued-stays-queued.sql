-- cafe_append as in 005, for an event that leaves a queued order queued (issue 19):
-- OrderReattached, appended when the customer of a queued order comes back with its
-- Idempotency-Key to another instance than the one that held it. Its item says `queued`, as the
-- domain does (STATUS_AFTER), and the order is in cafe_queue already: 005 inserted it again
-- and the primary key failed the whole group. Such an insert now leaves the row, and so the
-- order's place by placement, as it is.
--
-- The fallback of 005 for items without `queued` (an instance of the release before it, during
-- a rolling upgrade) is dropped, as 005 said the next change would: no release without the flag
-- may still be running when this one rolls out. An instance of the previous release reads an
-- OrderReattached and passes over it (domain/exhaustive.ts); until it is replaced, it still
-- takes the order for held by the instance named before.
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
      item := jsonb_build_object('stream', stream, 'expected', actual,
        'events', jsonb_build_array(item->'claim' || jsonb_build_object('orderId', stream)))
        || CASE WHEN item ? 'queued' THEN jsonb_build_object('queued', item->'queued')
                ELSE '{}'::jsonb END;
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
    INSERT INTO cafe_events (position, stream, version, type, at, data)
      SELECT head + e.n, cafe_append.stream, actual + e.n, e.value->>'type', (e.value->>'at')::bigint, e.value
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
