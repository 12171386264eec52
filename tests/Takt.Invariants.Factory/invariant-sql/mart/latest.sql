-- Only the latest day there is.
SELECT count(*) AS events, CAST(sum(amount) AS BIGINT) AS amount
FROM core.events
