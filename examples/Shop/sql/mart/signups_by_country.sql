-- Accounts per country as of the day's snapshot. Nobody reads this one: it is the example's deliberate waste.
SELECT
    country,
    count(*) AS accounts,
    max(signed_up_at) AS last_signup_at
FROM core.users
GROUP BY country
ORDER BY country
