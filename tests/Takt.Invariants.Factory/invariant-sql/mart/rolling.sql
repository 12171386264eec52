-- A window of 3 days per user.
SELECT user_id, count(*) AS events_3d, CAST(sum(amount) AS BIGINT) AS amount_3d
FROM core.events
GROUP BY user_id
