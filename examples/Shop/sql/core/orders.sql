-- One row per order: exact redeliveries collapse, amounts become decimals,
-- and both timestamp formats the checkout service sends become UTC instants.
SELECT DISTINCT
    order_id,
    user_id,
    CAST(amount AS DECIMAL(12, 2)) AS amount,
    currency,
    CAST(TRY_CAST(ordered_at AS TIMESTAMPTZ) AS TIMESTAMP) AS ordered_at
FROM raw.orders
