-- Box D reads core.orders of D-6..D (a 7-day window) and the users snapshot of D. Each row carries D itself, from the
-- box variables: max(ordered_at) would say when the user last ordered, not which day the window ends on.
SELECT
    CAST(getvariable('box_start') AS DATE) AS day,
    u.user_id,
    u.country,
    count(*) AS orders_7d,
    CAST(sum(o.amount) AS DECIMAL(14, 2)) AS amount_7d,
    max(o.amount) AS max_amount_7d,
    count(DISTINCT o.currency) AS currencies_7d,
    CAST(date_diff('day', u.signed_up_at, max(o.ordered_at)) AS INTEGER) AS account_age_days
FROM core.users AS u
JOIN core.orders AS o USING (user_id)
GROUP BY u.user_id, u.country, u.signed_up_at
ORDER BY u.user_id
