-- A month of days, per segment.
SELECT segment, count(*) AS events, CAST(sum(amount) AS BIGINT) AS amount, count(DISTINCT user_id) AS users
FROM core.events
GROUP BY segment
