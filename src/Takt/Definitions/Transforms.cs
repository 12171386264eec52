using Takt.Boxes;

namespace Takt.Definitions;

/// <summary>How a dataset's boxes are computed from its inputs.</summary>
public abstract record Transform;

/// <summary>
/// A DuckDB query kept in a <c>.sql</c> file; each input is a view named after its dataset (e.g. <c>core.orders</c>), and
/// the box it computes is in DuckDB variables (<c>getvariable('box_key')</c>, see <see cref="BoxVariables"/>).
/// </summary>
public sealed record SqlTransform(string RelativePath, string Sql) : Transform;

/// <summary>
/// A C# function over the rows of the inputs. Its code hash covers the function's compiled code and what it calls in
/// the same assembly; bump <see cref="Version"/> when the output changes for another reason (code in another
/// assembly, a value captured at run time), so that the boxes it made become stale.
/// </summary>
public sealed record RowTransform(string Version, Func<RowTransformContext, IEnumerable<object?[]>> Function) : Transform;

/// <summary>What a <see cref="RowTransform"/> sees: the box and the rows of its inputs for that box.</summary>
public abstract class RowTransformContext
{
    /// <summary>The box as the CLI writes it: <c>2026-01-05</c>, <c>2026-01-05T03</c>, <c>2026-01</c> or <c>all</c>.</summary>
    public abstract string Box { get; }

    /// <summary>Where the box starts, in UTC (<see cref="DateTime.MinValue"/> for an unpartitioned box).</summary>
    public abstract DateTime BoxStartUtc { get; }

    /// <summary>Where the box ends, exclusive: the start of the next box (<see cref="DateTime.MaxValue"/> for an unpartitioned box).</summary>
    public abstract DateTime BoxEndUtc { get; }

    /// <summary>Rows of an input, as the box reads them through the input's partition mapping.</summary>
    public abstract IEnumerable<Row> Rows(string inputDataset);

    /// <summary>Adds a line to the task's log.</summary>
    public abstract void Log(string message);
}

/// <summary>One row of an input, with its values by column name.</summary>
public sealed class Row(IReadOnlyDictionary<string, int> ordinals, object?[] values)
{
    public object? this[string column] => values[Ordinal(column)];

    public T Get<T>(string column)
    {
        var value = values[Ordinal(column)];
        return value is null ? throw new InvalidOperationException($"Column '{column}' is null.") : (T)System.Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public T? GetOrDefault<T>(string column) where T : struct
    {
        var value = values[Ordinal(column)];
        return value is null ? null : (T)System.Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private int Ordinal(string column) =>
        ordinals.TryGetValue(column, out var i) ? i : throw new KeyNotFoundException($"The input has no column '{column}'.");
}

/// <summary>An input of a transform and how its boxes are read.</summary>
public sealed record Input(string Dataset, PartitionMapping Mapping);

