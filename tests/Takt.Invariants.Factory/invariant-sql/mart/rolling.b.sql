-- Variant b of the 3-day window: the change a developer tries in a dev environment (each event counts 7 more).
SELECT user_id, count(*) AS events_3d, CAST(sum(amount) + 7 * count(*) AS BIGINT) AS amount_3d
FROM core.events
GROUP BY user_id
