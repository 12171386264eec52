SELECT
    user_id,
    lower(email) AS email,
    country,
    signed_up_at
FROM raw.users
