-- All days up to this one, per segment.
SELECT segment, count(*) AS events, CAST(sum(amount) AS BIGINT) AS amount
FROM core.events
GROUP BY segment
