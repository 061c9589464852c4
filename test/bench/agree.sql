-- Do the PL/pgSQL peers compute what pg_mql computes? For every lead of
-- mql.leads, peer_set.leads and peer_row.leads: the same stage, fit_score,
-- intent_score, score_at, created_at, stage_changed_at and first_mql_at;
-- and the same stage history, row by row in history_id order: from_stage,
-- to_stage, changed_at, reason, score, actor, is_override. Scores agree
-- when |a - b| <= 1e-9 * max(|a|, |b|, 1) (relative, absolute below 1);
-- everything else exactly. history_id and recorded_at are not compared
-- (sequence values and transaction times differ by construction).
--
-- Not compared, because the peers do not maintain them: pg_mql's funnel
-- facts and rollups (mql.lead_facts, mql.rollup, mql.rollup_delta).
--
-- Prints one line per peer and the first disagreements, then fails with
-- an error (and psql with exit status 3) if there is any.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION pg_temp.close(a double precision, b double precision) RETURNS boolean
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT a IS NOT DISTINCT FROM b
               OR abs(a - b) <= 1e-9 * greatest(abs(a), abs(b), 1) $$;

DROP TABLE IF EXISTS pg_temp.disagreement;
CREATE TEMP TABLE disagreement (peer text, kind text, lead_id bigint, detail text);

DO $$
DECLARE
  p text;
BEGIN
  FOREACH p IN ARRAY ARRAY['peer_set', 'peer_row'] LOOP
    EXECUTE format($q$
      INSERT INTO pg_temp.disagreement
      SELECT %1$L, 'lead', COALESCE(m.lead_id, x.lead_id),
             format('pg_mql (%%s, fit %%s, intent %%s at %%s, created %%s, changed %%s, first mql %%s) '
                    'peer (%%s, fit %%s, intent %%s at %%s, created %%s, changed %%s, first mql %%s)',
                    m.stage, m.fit_score, m.intent_score, m.score_at, m.created_at, m.stage_changed_at, m.first_mql_at,
                    x.stage, x.fit_score, x.intent_score, x.score_at, x.created_at, x.stage_changed_at, x.first_mql_at)
        FROM mql.leads AS m
        FULL JOIN %1$I.leads AS x ON x.lead_id = m.lead_id
       WHERE m.lead_id IS NULL OR x.lead_id IS NULL
          OR m.stage::text IS DISTINCT FROM x.stage
          OR NOT pg_temp.close(m.fit_score, x.fit_score)
          OR NOT pg_temp.close(m.intent_score, x.intent_score)
          OR m.score_at IS DISTINCT FROM x.score_at
          OR m.created_at IS DISTINCT FROM x.created_at
          OR m.stage_changed_at IS DISTINCT FROM x.stage_changed_at
          OR m.first_mql_at IS DISTINCT FROM x.first_mql_at$q$, p);
    EXECUTE format($q$
      INSERT INTO pg_temp.disagreement
      SELECT %1$L, 'history', COALESCE(m.lead_id, x.lead_id),
             format('row %%s: pg_mql (%%s -> %%s at %%s, %%s, score %%s, %%s) peer (%%s -> %%s at %%s, %%s, score %%s, %%s)',
                    COALESCE(m.n, x.n), m.from_stage, m.to_stage, m.changed_at, m.reason, m.score, m.actor,
                    x.from_stage, x.to_stage, x.changed_at, x.reason, x.score, x.actor)
        FROM (SELECT h.*, row_number() OVER (PARTITION BY h.lead_id ORDER BY h.history_id) AS n
                FROM mql.stage_history AS h) AS m
        FULL JOIN (SELECT h.*, row_number() OVER (PARTITION BY h.lead_id ORDER BY h.history_id) AS n
                     FROM %1$I.stage_history AS h) AS x
          ON x.lead_id = m.lead_id AND x.n = m.n
       WHERE m.lead_id IS NULL OR x.lead_id IS NULL
          OR m.from_stage::text IS DISTINCT FROM x.from_stage
          OR m.to_stage::text IS DISTINCT FROM x.to_stage
          OR m.changed_at IS DISTINCT FROM x.changed_at
          OR m.reason IS DISTINCT FROM x.reason
          OR NOT pg_temp.close(m.score, x.score)
          OR m.actor IS DISTINCT FROM x.actor
          OR m.is_override IS DISTINCT FROM x.is_override$q$, p);
    EXECUTE format($q$
      INSERT INTO pg_temp.disagreement
      SELECT %1$L, 'events', NULL, format('pg_mql has %%s events, the peer %%s', m.n, x.n)
        FROM (SELECT count(*) AS n FROM mql.events) AS m, (SELECT count(*) AS n FROM %1$I.events) AS x
       WHERE m.n <> x.n$q$, p);
  END LOOP;
END
$$;

\echo == what pg_mql computed (the peers must match it)
SELECT (SELECT count(*) FROM mql.events) AS events,
       (SELECT count(*) FROM mql.leads) AS leads,
       (SELECT count(*) FROM mql.stage_history) AS history_rows,
       (SELECT count(*) FROM mql.stage_history WHERE reason = 'qualified: score reached the threshold') AS qualified,
       (SELECT count(*) FROM mql.stage_history
         WHERE reason = 're-qualified: score reached the threshold after recycling') AS requalified,
       (SELECT count(*) FROM mql.stage_history AS h JOIN mql.leads AS l USING (lead_id)
         WHERE h.reason = 'qualified: score reached the threshold'
           AND h.changed_at = l.created_at
           AND EXISTS (SELECT 1 FROM mql.events AS e
                        WHERE e.lead_id = l.lead_id AND e.occurred_at < l.created_at)) AS judged_at_stage_start;

\echo == disagreements per peer
SELECT p.peer,
       count(d.*) FILTER (WHERE d.kind = 'lead') AS lead_rows,
       count(d.*) FILTER (WHERE d.kind = 'history') AS history_rows,
       count(d.*) FILTER (WHERE d.kind = 'events') AS event_counts
  FROM (VALUES ('peer_set'), ('peer_row')) AS p(peer)
  LEFT JOIN pg_temp.disagreement AS d ON d.peer = p.peer
 GROUP BY p.peer
 ORDER BY p.peer;

SELECT d.peer, d.kind, d.lead_id, d.detail
  FROM (SELECT d.*, row_number() OVER (PARTITION BY d.peer, d.kind ORDER BY d.lead_id) AS k
          FROM pg_temp.disagreement AS d) AS d
 WHERE d.k <= 5
 ORDER BY d.peer, d.kind, d.lead_id;

SET client_min_messages = notice;
DO $$
DECLARE
  n bigint;
BEGIN
  SELECT count(*) INTO n FROM pg_temp.disagreement;
  IF n > 0 THEN
    RAISE EXCEPTION 'agree.sql: % disagreement(s) between pg_mql and its peers', n;
  END IF;
  RAISE NOTICE 'agree.sql: peer_set and peer_row agree with pg_mql on every lead and history row';
END
$$;
