-- The events a memory run loads: 1,000,000 over 100,000 leads, realistic
-- types, occurred_at spread over the last 90 days, in random lead order.
CREATE TABLE bench_staging AS
SELECT g AS seq, 1 + (hashint4(g) & 2147483647) % 100000 AS lead_id,
       (ARRAY['page_view', 'pricing_page_view', 'email_click', 'webinar_attended', 'page_view',
              'demo_request', 'page_view', 'email_click'])[1 + (hashint4(g * 7) & 2147483647) % 8] AS event_type,
       now() - interval '90 days' + ((hashint4(g * 13) & 2147483647) % (90 * 86400)) * interval '1 second' AS occurred_at
FROM generate_series(1, 1000000) AS g;
VACUUM ANALYZE;
