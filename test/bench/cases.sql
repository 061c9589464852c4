-- Hand-made cases for the paths the generated data may hit rarely: events
-- of one statement inserted out of order so that a crossing found on the
-- way moves earlier, vanishes, moves later or changes its score (the row
-- peer must redo its walk), events before a lead's stage began (judged at
-- the stage's start), a recycled lead re-qualifying, and late events in a
-- second statement. The same statements go to pg_mql, peer_set and
-- peer_row; pg_mql's outcome is checked against values computed by hand
-- (threshold 100, half-life 21 days, data.sql's weights: demo_request 60,
-- webinar_attended 18, pricing_page_view 12, page_view 1, unsubscribe -25),
-- then agree.sql compares the peers with pg_mql. Run after bulk.sh's loads
-- (needs data.sql's configuration); leads 2000000001.. are free.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TEMP TABLE case_events (seq int, stmt int, lead_id bigint, event_type text, occurred_at timestamptz);
INSERT INTO case_events VALUES
  -- A, created by these events (no email: the require rule keeps it from
  -- qualifying): it dates from its earliest event, Mar 9.
  (1, 1, 2000000001, 'demo_request', '2026-03-10 00:00+00'),
  (2, 1, 2000000001, 'demo_request', '2026-03-11 00:00+00'),
  (3, 1, 2000000001, 'demo_request', '2026-03-09 00:00+00'),
  -- The leads below exist since Feb 1, with an email (see the INSERT).
  -- A2: demo Mar 10, demo Mar 11 (crosses at Mar 11 on the way), then demo
  -- Mar 9: in time order it crosses at Mar 10 (60 * 2^(-1/21) + 60 = 118.05).
  (27, 1, 2000000006, 'demo_request', '2026-03-10 00:00+00'),
  (28, 1, 2000000006, 'demo_request', '2026-03-11 00:00+00'),
  (29, 1, 2000000006, 'demo_request', '2026-03-09 00:00+00'),
  -- B: demo Mar 10, demo Mar 11 (crosses on the way), unsubscribe
  -- Mar 10 12:00 (the crossing vanishes: 93.46 at Mar 11), webinar Mar 12
  -- (108.43: crosses at Mar 12).
  (4, 1, 2000000002, 'demo_request', '2026-03-10 00:00+00'),
  (5, 1, 2000000002, 'demo_request', '2026-03-11 00:00+00'),
  (6, 1, 2000000002, 'unsubscribe', '2026-03-10 12:00+00'),
  (7, 1, 2000000002, 'webinar_attended', '2026-03-12 00:00+00'),
  -- C: as B but the webinar comes before the unsubscribe: the
  -- crossing found at Mar 11 moves later, to Mar 12.
  (8, 1, 2000000003, 'demo_request', '2026-03-10 00:00+00'),
  (9, 1, 2000000003, 'demo_request', '2026-03-11 00:00+00'),
  (10, 1, 2000000003, 'webinar_attended', '2026-03-12 00:00+00'),
  (11, 1, 2000000003, 'unsubscribe', '2026-03-10 12:00+00'),
  -- D, created Mar 20 (below): events of Mar 15 and 16 are judged at Mar 20
  -- (crosses there at 103.45); a pricing view of Mar 14 arrives last: still
  -- Mar 20, score 113.29.
  (12, 1, 2000000004, 'demo_request', '2026-03-15 00:00+00'),
  (13, 1, 2000000004, 'demo_request', '2026-03-16 00:00+00'),
  (14, 1, 2000000004, 'pricing_page_view', '2026-03-14 00:00+00'),
  -- E, recycled on Mar 1 (below): demo Mar 5, demo Mar 6 lift it from
  -- 74.9 to 134.9 at Mar 6: re-qualified; the webinar of Mar 4 arriving
  -- last changes the score, not the date.
  (15, 1, 2000000005, 'demo_request', '2026-03-05 00:00+00'),
  (16, 1, 2000000005, 'demo_request', '2026-03-06 00:00+00'),
  (17, 1, 2000000005, 'webinar_attended', '2026-03-04 00:00+00'),
  -- G: one page view on Mar 1.
  (18, 1, 2000000007, 'page_view', '2026-03-01 00:00+00'),
  -- H: one page view on Mar 10.
  (19, 1, 2000000008, 'page_view', '2026-03-10 00:00+00'),
  -- Second statement. A2 gets an event older than its crossing: it stays as
  -- it was (a stage reached is not taken back or re-dated).
  (20, 2, 2000000006, 'demo_request', '2026-03-01 00:00+00'),
  -- G: demos of Mar 20, Mar 2 and Mar 3, all after its page view: crosses
  -- at Mar 3 (118.99); the row peer walks the history for the last two.
  (21, 2, 2000000007, 'demo_request', '2026-03-20 00:00+00'),
  (22, 2, 2000000007, 'demo_request', '2026-03-02 00:00+00'),
  (23, 2, 2000000007, 'demo_request', '2026-03-03 00:00+00'),
  -- H: demos of Mar 4 and 5, older than its stored page view (pg_mql's late
  -- path): crosses at Mar 5 (118.05), before the stored event.
  (24, 2, 2000000008, 'demo_request', '2026-03-04 00:00+00'),
  (25, 2, 2000000008, 'demo_request', '2026-03-05 00:00+00'),
  -- T, created Feb 1 with fit 40 (below): one demo request makes exactly
  -- 100, which reaches the threshold (score >= threshold).
  (26, 2, 2000000009, 'demo_request', '2026-03-08 00:00+00');

DO $$
DECLARE
  s text;
  k int;
BEGIN
  FOREACH s IN ARRAY ARRAY['mql', 'peer_set', 'peer_row'] LOOP
    EXECUTE format($q$
      INSERT INTO %I.leads (lead_id, email, attributes, stage, created_at, stage_changed_at, first_mql_at)
      VALUES (2000000004, 'd@example.com', '{}', 'lead', '2026-03-20 00:00+00', NULL, NULL),
             (2000000005, 'e@example.com', '{}', 'recycled', '2026-02-01 00:00+00',
              '2026-03-01 00:00+00', '2026-02-20 00:00+00'),
             (2000000009, 't@example.com', '{"employees": 1200, "role": "vp"}', 'lead',
              '2026-02-01 00:00+00', NULL, NULL),
             (2000000002, 'b@example.com', '{}', 'lead', '2026-02-01 00:00+00', NULL, NULL),
             (2000000003, 'c@example.com', '{}', 'lead', '2026-02-01 00:00+00', NULL, NULL),
             (2000000006, 'a2@example.com', '{}', 'lead', '2026-02-01 00:00+00', NULL, NULL),
             (2000000007, 'g@example.com', '{}', 'lead', '2026-02-01 00:00+00', NULL, NULL),
             (2000000008, 'h@example.com', '{}', 'lead', '2026-02-01 00:00+00', NULL, NULL)$q$, s);
  END LOOP;
  FOR k IN 1..2 LOOP
    FOREACH s IN ARRAY ARRAY['mql', 'peer_set', 'peer_row'] LOOP
      EXECUTE format('INSERT INTO %I.events (lead_id, event_type, occurred_at)
                      SELECT c.lead_id, c.event_type, c.occurred_at FROM case_events AS c
                       WHERE c.stmt = $1 ORDER BY c.seq', s) USING k;
    END LOOP;
  END LOOP;
END
$$;

-- pg_mql against the hand computation.
CREATE TEMP TABLE case_expected (lead_id bigint, stage text, changed_at timestamptz, created_at timestamptz,
                                 first_mql_at timestamptz, score double precision);
INSERT INTO case_expected VALUES
  (2000000001, 'lead', '2026-03-09 00:00+00', '2026-03-09 00:00+00', NULL, 0),
  (2000000006, 'mql', '2026-03-10 00:00+00', '2026-02-01 00:00+00', '2026-03-10 00:00+00',
   60 * 2 ^ (-1 / 21.0) + 60),
  (2000000002, 'mql', '2026-03-12 00:00+00', '2026-02-01 00:00+00', '2026-03-12 00:00+00',
   60 * 2 ^ (-2 / 21.0) - 25 * 2 ^ (-1.5 / 21.0) + 60 * 2 ^ (-1 / 21.0) + 18),
  (2000000003, 'mql', '2026-03-12 00:00+00', '2026-02-01 00:00+00', '2026-03-12 00:00+00',
   60 * 2 ^ (-2 / 21.0) - 25 * 2 ^ (-1.5 / 21.0) + 60 * 2 ^ (-1 / 21.0) + 18),
  (2000000004, 'mql', '2026-03-20 00:00+00', '2026-03-20 00:00+00', '2026-03-20 00:00+00',
   12 * 2 ^ (-6 / 21.0) + 60 * 2 ^ (-5 / 21.0) + 60 * 2 ^ (-4 / 21.0)),
  (2000000005, 'mql', '2026-03-06 00:00+00', '2026-02-01 00:00+00', '2026-02-20 00:00+00',
   18 * 2 ^ (-2 / 21.0) + 60 * 2 ^ (-1 / 21.0) + 60),
  (2000000007, 'mql', '2026-03-03 00:00+00', '2026-02-01 00:00+00', '2026-03-03 00:00+00',
   1 * 2 ^ (-2 / 21.0) + 60 * 2 ^ (-1 / 21.0) + 60),
  (2000000008, 'mql', '2026-03-05 00:00+00', '2026-02-01 00:00+00', '2026-03-05 00:00+00',
   60 * 2 ^ (-1 / 21.0) + 60),
  (2000000009, 'mql', '2026-03-08 00:00+00', '2026-02-01 00:00+00', '2026-03-08 00:00+00', 100);

SELECT e.lead_id, e.stage AS expected_stage, l.stage, e.changed_at AS expected_changed_at, l.stage_changed_at,
       e.created_at AS expected_created_at, l.created_at, e.first_mql_at AS expected_first_mql_at, l.first_mql_at,
       round(e.score::numeric, 6) AS expected_score,
       round(h.score::numeric, 6) AS score
  FROM case_expected AS e
  LEFT JOIN mql.leads AS l ON l.lead_id = e.lead_id
  LEFT JOIN LATERAL (SELECT x.score FROM mql.stage_history AS x
                      WHERE x.lead_id = e.lead_id ORDER BY x.history_id DESC LIMIT 1) AS h ON true
 ORDER BY e.lead_id;

DO $$
DECLARE
  n bigint;
BEGIN
  SELECT count(*) INTO n
    FROM case_expected AS e
    LEFT JOIN mql.leads AS l ON l.lead_id = e.lead_id
    LEFT JOIN LATERAL (SELECT x.score FROM mql.stage_history AS x
                        WHERE x.lead_id = e.lead_id ORDER BY x.history_id DESC LIMIT 1) AS h ON true
   WHERE l.stage::text IS DISTINCT FROM e.stage
      OR l.stage_changed_at IS DISTINCT FROM e.changed_at
      OR l.created_at IS DISTINCT FROM e.created_at
      OR l.first_mql_at IS DISTINCT FROM e.first_mql_at
      OR NOT abs(h.score - e.score) <= 1e-9 * greatest(e.score, 1);
  IF n > 0 THEN
    RAISE EXCEPTION 'cases.sql: pg_mql differs from the hand computation for % lead(s)', n;
  END IF;
END
$$;
