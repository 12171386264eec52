using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Ingest;

/// <summary>A line that could not be read at all.</summary>
public sealed record MalformedLine(string File, long Line, string Problem);

/// <summary>
/// Loads landing files, whatever their format, into one all-text table <c>__raw</c> with the file and line of every
/// row, so that drift, malformed values and the typed conversion are handled once for every format.
/// </summary>
internal static class RawLoader
{
    public const string Table = "__raw";
    public const string FileColumn = "__file";
    public const string LineColumn = "__line";

    /// <summary>Returns the columns the files carry (beyond file and line) and the lines that are not even syntactically valid.</summary>
    public static (IReadOnlyList<string> Columns, IReadOnlyList<MalformedLine> Malformed) Load(DuckDbSession db, LandingFormat format, IReadOnlyList<Ingest.LandingFile> files)
    {
        db.Execute($"DROP TABLE IF EXISTS {Table}");
        return format switch
        {
            LandingFormat.JsonLines => LoadJsonLines(db, files),
            LandingFormat.Csv => LoadWithDuckDb(db, files, path => $"read_csv({SqlText.Literal(path)}, header = true, all_varchar = true, auto_detect = true)", headerLines: 1),
            LandingFormat.Parquet => LoadWithDuckDb(db, files, path => $"read_parquet({SqlText.Literal(path)})", headerLines: 0),
            _ => throw new NotSupportedException(format.ToString()),
        };
    }

    private static (IReadOnlyList<string>, IReadOnlyList<MalformedLine>) LoadWithDuckDb(DuckDbSession db, IReadOnlyList<Ingest.LandingFile> files, Func<string, string> reader, int headerLines)
    {
        var malformed = new List<MalformedLine>();
        var created = false;
        foreach (var file in files)
        {
            var rows = $"""
                SELECT {SqlText.Literal(file.RelativePath)} AS {FileColumn}, row_number() OVER () + {headerLines} AS {LineColumn}, COLUMNS(*)::VARCHAR
                FROM {reader(file.FullPath)}
                """;
            try
            {
                if (!created)
                {
                    // One statement for the common case of one file per box.
                    db.Execute($"CREATE TEMP TABLE {Table} AS {rows}");
                    created = true;
                    continue;
                }
                foreach (var (name, _) in db.Describe($"SELECT * FROM {reader(file.FullPath)}"))
                    db.Execute($"ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS {SqlText.Identifier(name)} VARCHAR");
                db.Execute($"INSERT INTO {Table} BY NAME {rows}");
            }
            catch (EngineException e)
            {
                malformed.Add(new MalformedLine(file.RelativePath, 0, FirstLine(e.Message)));
            }
        }
        if (!created) db.Execute($"CREATE TEMP TABLE {Table} ({FileColumn} VARCHAR, {LineColumn} BIGINT)");
        var columns = db.Describe(Table).Select(c => c.Name).Where(n => n is not (FileColumn or LineColumn)).ToList();
        return (columns, malformed);
    }

    private static (IReadOnlyList<string>, IReadOnlyList<MalformedLine>) LoadJsonLines(DuckDbSession db, IReadOnlyList<Ingest.LandingFile> files)
    {
        var columns = new List<string>();
        var malformed = new List<MalformedLine>();
        var rows = new List<(string File, long Line, Dictionary<string, string?> Values)>();
        foreach (var file in files)
        {
            long lineNumber = 0;
            foreach (var line in File.ReadLines(file.FullPath))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        malformed.Add(new MalformedLine(file.RelativePath, lineNumber, "not a JSON object"));
                        continue;
                    }
                    var values = new Dictionary<string, string?>(StringComparer.Ordinal);
                    foreach (var property in doc.RootElement.EnumerateObject())
                    {
                        if (!columns.Contains(property.Name)) columns.Add(property.Name);
                        values[property.Name] = property.Value.ValueKind switch
                        {
                            JsonValueKind.Null => null,
                            JsonValueKind.String => property.Value.GetString(),
                            _ => property.Value.GetRawText(),
                        };
                    }
                    rows.Add((file.RelativePath, lineNumber, values));
                }
                catch (JsonException e)
                {
                    malformed.Add(new MalformedLine(file.RelativePath, lineNumber, $"invalid JSON ({e.Message.Split('.')[0]})"));
                }
            }
        }

        var safeColumns = columns.Where(Names.IsColumnName).ToList();
        db.Execute($"CREATE TEMP TABLE {Table} ({FileColumn} VARCHAR, {LineColumn} BIGINT{string.Concat(safeColumns.Select(c => $", {SqlText.Identifier(c)} VARCHAR"))})");
        using (var appender = db.Connection.CreateAppender(Table))
        {
            foreach (var (file, line, values) in rows)
            {
                var row = appender.CreateRow().AppendValue(file).AppendValue((long?)line);
                foreach (var column in safeColumns)
                {
                    if (values.TryGetValue(column, out var value) && value is not null) row.AppendValue(value);
                    else row.AppendNullValue();
                }
                row.EndRow();
            }
        }
        return (columns, malformed);
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    public static string Describe(MalformedLine m) =>
        m.Line > 0 ? $"{m.File} line {m.Line.ToString(CultureInfo.InvariantCulture)}: {m.Problem}" : $"{m.File}: {m.Problem}";
}
