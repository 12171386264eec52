-- Same box: the day's events, each with its user's segment from the (unpartitioned) users file.
SELECT e.event_id, e.user_id, u.segment, e.amount
FROM raw.events AS e
LEFT JOIN raw.users AS u USING (user_id)
