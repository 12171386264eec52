namespace Shop.Generator;

/// <summary>Damages a generated day of orders. Each defect draws from its own random stream, so defects do not disturb each other.</summary>
internal static class DefectInjector
{
    public const int TruncatedLineNumber = 5;
    public const int GarbageLineNumber = 17;
    public static readonly IReadOnlyList<string> MissingUserIds = ["u-999999", "u-999998"];

    // Malformed rows go last: the truncated line copies the row that ends up right after it.
    private static readonly Defect[] ApplicationOrder =
        [Defect.DuplicateIds, Defect.MissingUser, Defect.NegativeAmounts, Defect.SchemaDrift, Defect.MalformedRows];

    private static readonly Defect[] RowTargetingDefects = [Defect.DuplicateIds, Defect.MissingUser, Defect.NegativeAmounts];

    public static void Apply(OrdersDay orders, IReadOnlyList<User> snapshot, IReadOnlyCollection<Defect> defects)
    {
        foreach (var defect in ApplicationOrder.Where(defects.Contains))
        {
            var rng = Seeds.ForDefect(orders.Day, defect);
            switch (defect)
            {
                case Defect.DuplicateIds:
                    foreach (var original in Targets(orders, defect, 3, rng))
                        InsertConflictingOrder(orders, original, snapshot, rng);
                    break;
                case Defect.MissingUser:
                    var unknownUsers = Targets(orders, defect, MissingUserIds.Count, rng);
                    for (var i = 0; i < unknownUsers.Count; i++)
                        Replace(orders, unknownUsers[i], unknownUsers[i] with { UserId = MissingUserIds[i] });
                    break;
                case Defect.NegativeAmounts:
                    foreach (var order in Targets(orders, defect, 3, rng))
                        Replace(orders, order, order with { AmountCents = -order.AmountCents });
                    break;
                case Defect.SchemaDrift:
                    orders.AmountInCents = true;
                    break;
                case Defect.MalformedRows:
                    var next = orders.Serialize(orders.Rows[TruncatedLineNumber - 1]);
                    var cut = next.IndexOf("\"user_id\":", StringComparison.Ordinal) + "\"user_id\":".Length;
                    orders.RawLines.Add((TruncatedLineNumber, next[..cut]));
                    orders.RawLines.Add((GarbageLineNumber, "not json at all"));
                    break;
            }
        }
    }

    /// <summary>
    /// Picks orders that were delivered once. Each row-targeting defect draws from its own residue class of
    /// order positions, so two defects on the same day never damage the same order.
    /// </summary>
    private static List<Order> Targets(OrdersDay orders, Defect defect, int count, Random rng)
    {
        var slot = Array.IndexOf(RowTargetingDefects, defect);
        var candidates = orders.Originals
            .Where((order, i) => i % RowTargetingDefects.Length == slot && !orders.RedeliveredIds.Contains(order.OrderId))
            .ToArray();
        rng.Shuffle(candidates);
        return candidates.Take(count).ToList();
    }

    private static void InsertConflictingOrder(OrdersDay orders, Order original, IReadOnlyList<User> snapshot, Random rng)
    {
        var userId = original.UserId;
        while (userId == original.UserId) userId = snapshot[rng.Next(snapshot.Count)].Id;
        var amount = original.AmountCents;
        while (amount == original.AmountCents) amount = OrdersDay.RandomAmountCents(rng);

        var after = orders.Rows.IndexOf(original) + 1;
        orders.Rows.Insert(rng.Next(after, orders.Rows.Count + 1), original with { UserId = userId, AmountCents = amount });
    }

    private static void Replace(OrdersDay orders, Order original, Order damaged) =>
        orders.Rows[orders.Rows.IndexOf(original)] = damaged;
}
