SELECT
    CAST(ordered_at AS DATE) AS day,
    currency,
    count(*) AS orders,
    CAST(sum(amount) AS DECIMAL(14, 2)) AS revenue,
    count(DISTINCT user_id) AS buyers
FROM core.orders
GROUP BY ALL
ORDER BY currency
