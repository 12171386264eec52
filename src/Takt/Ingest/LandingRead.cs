using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Ingest;

/// <summary>A line (or row) of a landing file that could not be read, or not as its declared schema says.</summary>
/// <param name="Line">Its line (or row, or record: see <paramref name="Unit"/>); null when the whole file is concerned.</param>
public sealed record MalformedLine(string File, long? Line, string Problem, string Unit = "line")
{
    public override string ToString() => Line is null ? $"{File}: {Problem}" : $"{File} {Unit} {Line.Value.ToString(CultureInfo.InvariantCulture)}: {Problem}";
}

/// <summary>
/// One landing file as a DuckDB query, in one pass and with DuckDB's own readers: <c>read_parquet</c> with its types,
/// <c>read_csv</c>, and for JSON lines <c>read_json</c> (<see cref="JsonReading.Typed"/>), or, for a file that reader
/// rejects, <c>read_csv</c> of whole lines parsed with DuckDB's JSON functions (<see cref="JsonReading.Lines"/>). Bad lines
/// are located from DuckDB's rejects table (exact lines of structural and encoding errors) and from the row number of
/// every row read. The query yields the file's rows with these columns, the extract of the file:
/// <list type="bullet">
/// <item><c>__file</c>, <c>__row</c>: where the row comes from (see <see cref="LineMap"/> for its line);</item>
/// <item>the declared columns, converted to their types (<see cref="ValueConversion"/>): NULL where no value converts;</item>
/// <item><c>__syntax</c>: why the line is no row at all (invalid JSON, not an object, a duplicate key; 'blank' for
/// blank lines), else NULL;</item>
/// <item><c>__bad</c>, <c>__values</c>: the columns whose value did not convert, and those values, else NULL;</item>
/// <item><c>__extra</c>, <c>__absent</c>: for JSON lines, undeclared keys and declared keys missing from the line;</item>
/// <item><c>__box</c>, when asked: the box the row's split column falls in, <see cref="NoBox"/> for none.</item>
/// </list>
/// Declared names cannot start with "__" (<see cref="FactoryBuilder"/> refuses them), so no landed name can collide
/// with these.
/// </summary>
internal sealed class LandingRead
{
    public const string File = "__file", Row = "__row", Syntax = "__syntax", Bad = "__bad", Values = "__values", Extra = "__extra", Absent = "__absent", Box = "__box";
    public const string Blank = "blank";
    public const long NoBox = -1;
    private const int ShownValueLength = 60;
    private static long _serial;

    private readonly Dataset _dataset;
    private readonly bool _withBox;
    private readonly string _rejects;
    private readonly bool _exactLines;

    private readonly bool _numbered;

    private LandingRead(Dataset dataset, LandingFile file, LandingFacts facts, bool withBox, JsonReading json, bool numbered)
    {
        (_dataset, LandingFile, Facts, _withBox, Json, _numbered) = (dataset, file, facts, withBox, json, numbered);
        _exactLines = json == JsonReading.ExactLines;
        _rejects = "__rejects_" + Interlocked.Increment(ref _serial).ToString(CultureInfo.InvariantCulture);
    }

    public LandingFile LandingFile { get; }
    public LandingFacts Facts { get; }

    /// <summary>The SELECT of the file's extract.</summary>
    public string Sql { get; private set; } = "";

    /// <summary>The columns the file has (CSV header, Parquet schema), or null for JSON lines, where each line says (<c>__extra</c>, <c>__absent</c>).</summary>
    public IReadOnlyList<string>? Present { get; private set; }

    /// <summary>How a JSON lines file is read (see <see cref="JsonReading"/>); the first a file is tried with is <see cref="JsonReading.Typed"/>.</summary>
    public JsonReading Json { get; }

    /// <param name="json">For JSON lines: with DuckDB's JSON reader, or line by line (lines numbered by splitting the text in
    /// SQL when DuckDB's CSV reader cannot, with mixed line endings: then always).</param>
    /// <param name="numbered">False when the caller numbers the rows itself, from the order of a table it writes them
    /// into in one statement (DuckDB keeps a file's order there): a CSV file's <c>__row</c> is then NULL, as numbering the
    /// rows in the query (a window over the whole file) runs the read and every conversion on one thread.</param>
    public static LandingRead Prepare(DuckDbSession db, Dataset dataset, LandingFile file, LandingFacts facts, bool withBox, JsonReading json = JsonReading.Typed,
        bool numbered = true)
    {
        var read = new LandingRead(dataset, file, facts, withBox, facts.Endings == LineEndings.Mixed ? JsonReading.ExactLines : json, numbered);
        read.Sql = dataset.Source!.Format switch
        {
            LandingFormat.JsonLines when read.Json == JsonReading.Typed => read.TypedJson(),
            LandingFormat.JsonLines => read.JsonLines(),
            LandingFormat.Csv => read.Csv(db),
            LandingFormat.Parquet => read.Parquet(db),
            _ => throw new NotSupportedException(dataset.Source.Format.ToString()),
        };
        return read;
    }

    private IReadOnlyList<Column> Columns => _dataset.Schema.Columns;
    private string Path => SqlText.Literal(LandingFile.FullPath);
    private string RejectOptions => $"store_rejects = true, rejects_table = '{_rejects}', rejects_scan = '{_rejects}_scan'";

    private string JsonLines()
    {
        var lines = _exactLines
            ? $"SELECT generate_subscripts(s, 1) AS {Row}, unnest(s) AS t FROM (SELECT string_split(content, chr(10)) AS s FROM read_text({Path}))"
            // Whole lines as one text column: a control character (U+0001) as delimiter, which valid JSON never holds outside a string.
            : $"SELECT row_number() OVER () AS {Row}, line AS t FROM read_csv({Path}, columns = {{'line': 'VARCHAR'}}, delim = '\u0001', quote = '', escape = '', " +
              $"header = false, auto_detect = false, strict_mode = true{(Facts.Endings == LineEndings.Lf ? ", new_line = '\\n'" : "")}, {RejectOptions})";
        var declared = "[" + string.Join(", ", Columns.Select(c => SqlText.Literal(c.Name))) + "]";
        var paths = "[" + string.Join(", ", Columns.Select(c => SqlText.Literal($"$.\"{c.Name}\""))) + "]";
        // Each function parses the line again, so the rare cases are tested only where the common ones leave a doubt:
        // blank only where no keys were read, not an object only where none were found, a duplicate only where the keys
        // outnumber the declared keys present plus the undeclared ones (list_distinct over every line costs more than
        // parsing it).
        var parsed = $"""
            SELECT {Row},
                CASE WHEN k IS NULL THEN CASE WHEN trim(t) = '' THEN '{Blank}' ELSE 'invalid JSON' END
                     WHEN len(k) = 0 AND NOT starts_with(ltrim(t), '{"{"}') THEN 'not a JSON object'
                     WHEN len(k) <> {Columns.Count} - len(coalesce({Absent}, [])) + len(coalesce({Extra}, []))
                          OR (len({Extra}) > 1 AND list_unique({Extra}) < len({Extra}))
                         THEN 'duplicate key "' || list_filter(k, (x, i) -> list_position(k, x) < i)[1] || '"'
                END AS {Syntax},
                CASE WHEN k IS NOT NULL THEN json_extract_string(t, {paths}) END AS v,
                {Extra}, {Absent}
            FROM (
                SELECT {Row}, t, k,
                    nullif(list_filter(k, x -> NOT list_contains({declared}, x)), []) AS {Extra},
                    nullif(list_filter({declared}, x -> NOT list_contains(k, x)), []) AS {Absent}
                FROM (SELECT {Row}, coalesce(t, '') AS t, TRY(json_keys(t)) AS k FROM ({lines})))
            """;
        return Typed(parsed, Columns.Select((c, i) => (c, (string?)$"v[{i + 1}]", ValueConversion.FromText(c.Type, $"v[{i + 1}]"))).ToList(), json: true);
    }

    /// <summary>
    /// DuckDB's JSON reader, each record as a map of its keys to their values as text (parsed once; the declared types are
    /// then applied by the same rules as for every format). A record that is no JSON object fails the whole read, which
    /// is then done line by line to locate it; the reader skips blank lines, so its record numbers are lines only when
    /// the records add up to the file's lines (<see cref="Finish"/>).
    /// </summary>
    private string TypedJson()
    {
        var declared = "[" + string.Join(", ", Columns.Select(c => SqlText.Literal(c.Name))) + "]";
        var values = string.Concat(Columns.Select((c, i) => $", m[{SqlText.Literal(c.Name)}] AS v{i}"));
        var reader = $"read_json({Path}, format = 'newline_delimited', records = false, columns = {{'m': 'MAP(VARCHAR, VARCHAR)'}})";
        // Keys and values leave the map before the row numbering, which holds its input: text is cheaper to hold than maps.
        // The common case first (e): as many keys as declared, all of them declared, so none undeclared, absent or twice;
        // and first of all, the keys exactly as declared (one comparison, where testing each key costs more than the read).
        var parsed = $"""
            SELECT {Row},
                CASE WHEN k IS NULL THEN 'not a JSON object'
                     WHEN NOT e AND (len(k) <> {Columns.Count} - len(coalesce({Absent}, [])) + len(coalesce({Extra}, []))
                          OR (len({Extra}) > 1 AND list_unique({Extra}) < len({Extra})))
                     THEN 'duplicate key "' || list_filter(k, (x, i) -> list_position(k, x) < i)[1] || '"'
                END AS {Syntax},
                {string.Join(", ", Columns.Select((_, i) => $"v{i}"))}, {Extra}, {Absent}
            FROM (
                SELECT *,
                    CASE WHEN NOT e THEN nullif(list_filter(k, x -> NOT list_contains({declared}, x)), []) END AS {Extra},
                    CASE WHEN NOT e THEN nullif(list_filter({declared}, x -> NOT list_contains(k, x)), []) END AS {Absent}
                FROM (SELECT row_number() OVER () AS {Row}, *, CASE WHEN k = {declared} THEN true ELSE coalesce(len(k) = {Columns.Count} AND list_has_all(k, {declared}), false) END AS e
                      FROM (SELECT map_keys(m) AS k{values} FROM {reader})))
            """;
        return Typed(parsed, Columns.Select((c, i) => (c, (string?)$"v{i}", ValueConversion.FromText(c.Type, $"v{i}"))).ToList(), json: true);
    }

    private string Csv(DuckDbSession db)
    {
        var reader = $"read_csv({Path}, header = true, all_varchar = true, auto_detect = true, {RejectOptions})";
        Present = db.Describe($"SELECT * FROM {reader}").Select(c => c.Name).ToList();
        var sources = Columns.Select(c => Present.Contains(c.Name) ? SqlText.Identifier(c.Name) : null).ToList();
        var raw = $"SELECT {(_numbered ? "row_number() OVER ()" : "NULL::BIGINT")} AS {Row}, NULL::VARCHAR AS {Syntax}{Sources(sources)} FROM {reader}";
        return Typed(raw, Columns.Select((c, i) => (c, Src(sources[i], i), ValueConversion.FromText(c.Type, $"s{i}"))).ToList(), json: false);
    }

    private string Parquet(DuckDbSession db)
    {
        var reader = $"read_parquet({Path}, file_row_number = true)";
        var types = db.Describe($"SELECT * FROM read_parquet({Path})").ToDictionary(c => c.Name, c => c.Type);
        Present = types.Keys.ToList();
        var sources = Columns.Select(c => types.ContainsKey(c.Name) ? SqlText.Identifier(c.Name) : null).ToList();
        var raw = $"SELECT file_row_number + 1 AS {Row}, NULL::VARCHAR AS {Syntax}{Sources(sources)} FROM {reader}";
        return Typed(raw, Columns.Select((c, i) => (c, Src(sources[i], i),
            sources[i] is null ? "" : ValueConversion.FromTyped(c.Type, $"s{i}", types[c.Name]))).ToList(), json: false);
    }

    private static string Sources(IReadOnlyList<string?> sources) =>
        string.Concat(sources.Select((s, i) => s is null ? "" : $", {s} AS s{i}"));

    private static string? Src(string? source, int i) => source is null ? null : $"s{i}";

    /// <summary>The extract's columns over <paramref name="raw"/>: converted values, then which did not convert and why.</summary>
    private string Typed(string raw, IReadOnlyList<(Column Column, string? Source, string Converted)> columns, bool json)
    {
        string Value(Column c, string? source, string converted) => source is null ? $"CAST(NULL AS {c.Type.SqlName})" : converted;
        var typed = string.Join(", ", columns.Select(x => $"{Value(x.Column, x.Source, x.Converted)} AS {SqlText.Identifier(x.Column.Name)}"));
        var sources = string.Concat(columns.Where(x => x.Source is not null).Select((x, i) => $", {x.Source} AS \"__src_{x.Column.Name}\""));
        var checkable = columns.Where(x => x.Source is not null && x.Column.Type != ColumnType.String).Select(x => x.Column.Name).ToList();
        string Failed(string name) => $"\"__src_{name}\" IS NOT NULL AND {SqlText.Identifier(name)} IS NULL";
        // The lists are built only for rows where a value failed: a test per column is cheaper than two lists per row.
        var anyFailed = string.Join(" OR ", checkable.Select(n => $"({Failed(n)})"));
        var bad = checkable.Count == 0 ? "NULL::VARCHAR[]"
            : $"CASE WHEN {anyFailed} THEN list_filter([{string.Join(", ", checkable.Select(n => $"CASE WHEN {Failed(n)} THEN {SqlText.Literal(n)} END"))}], x -> x IS NOT NULL) END";
        var values = checkable.Count == 0 ? "NULL::VARCHAR"
            : $"CASE WHEN {anyFailed} THEN concat_ws(', ', {string.Join(", ", checkable.Select(n => $"CASE WHEN {Failed(n)} THEN '{n}=''' || left(CAST(\"__src_{n}\" AS VARCHAR), {ShownValueLength}) || '''' END"))}) END";
        var jsonColumns = json ? $"{Extra}, {Absent}" : $"NULL::VARCHAR[] AS {Extra}, NULL::VARCHAR[] AS {Absent}";
        var names = string.Concat(Columns.Select(c => ", " + SqlText.Identifier(c.Name)));
        var box = _withBox ? $", {BoxOf()} AS {Box}" : "";
        return $"""
            SELECT {SqlText.Literal(LandingFile.RelativePath)} AS {File}, {Row}{names}, {Syntax}, {bad} AS {Bad}, {values} AS {Values}, {jsonColumns}{box}
            FROM (SELECT {Row}, {Syntax}, {(json ? $"{Extra}, {Absent}, " : "")}{typed}{sources} FROM ({raw}))
            """;
    }

    /// <summary>The box of a row, as <see cref="GrainMath.BoxOf"/> numbers it, from its split column; <see cref="NoBox"/> when it has none.</summary>
    private string BoxOf()
    {
        var t = $"CAST({SqlText.Identifier(_dataset.Source!.SplitBy!)} AS TIMESTAMP)";
        var box = _dataset.Grain switch
        {
            Grain.Daily => $"date_diff('day', DATE '0001-01-01', CAST({t} AS DATE))",
            Grain.Hourly => $"date_diff('hour', TIMESTAMP '0001-01-01', date_trunc('hour', {t}))",
            Grain.Monthly => $"year({t}) * 12 + month({t}) - 1",
            _ => throw new NotSupportedException($"{_dataset.Grain} sources are not split."),
        };
        return $"coalesce(CASE WHEN {Syntax} IS NULL AND year({t}) BETWEEN 1 AND 9999 THEN {box} END, {NoBox})";
    }

    /// <summary>
    /// After the query ran: the lines DuckDB rejected (exact lines), and how row numbers map to lines. Returns null
    /// when DuckDB's rows and rejects do not add up to the file's lines, so its row numbers are not lines: JSON lines
    /// are then read again the next way (<see cref="JsonReading"/>).
    /// </summary>
    public ReadLines? Finish(DuckDbSession db, long rows)
    {
        var rejected = new List<(long Line, string Problem)>();
        if (db.Scalar<long>("SELECT count(*) FROM duckdb_tables() WHERE table_name = $name", ("name", _rejects)) > 0)
        {
            foreach (var r in db.Rows($"SELECT line, error_type, error_message FROM {_rejects} ORDER BY line"))
                rejected.Add((Convert.ToInt64(r[0], CultureInfo.InvariantCulture), Describe((string)r[1]!, (string?)r[2])));
        }
        DropRejects(db);
        var format = _dataset.Source!.Format;
        var header = format == LandingFormat.Csv ? 1 : 0;
        var adds = format == LandingFormat.Parquet || _exactLines || rows + rejected.Count + header == Facts.Lines;
        if (!adds && format == LandingFormat.JsonLines) return null;
        var unit = format == LandingFormat.Parquet ? "row" : "line";
        var map = new LineMap(adds ? unit : "record", adds ? header : 0, adds ? rejected.Select(r => r.Line).ToArray() : []);
        return new ReadLines(LandingFile.RelativePath, rows, rejected.Select(r => new MalformedLine(LandingFile.RelativePath, r.Line, r.Problem)).ToList(), map);
    }

    /// <summary>
    /// Reads the file with <paramref name="execute"/> (a statement over <see cref="Sql"/> that returns its row count), for
    /// JSON lines each way in turn until one reads it as lines: DuckDB's JSON reader, then line by line. Before the next
    /// way, <paramref name="undo"/> removes what the last one wrote. <c>How</c> says, for the task log, which way read a
    /// JSON lines file and why (null for other formats). A file no way can read throws <see cref="EngineException"/>.
    /// </summary>
    public static (LandingRead Read, ReadLines Lines, string? How) Run(DuckDbSession db, Dataset dataset, LandingFile file, LandingFacts facts,
        bool withBox, Func<LandingRead, long> execute, Action undo, bool numbered = true)
    {
        var json = dataset.Source!.Format == LandingFormat.JsonLines;
        string? why = facts.Endings == LineEndings.Mixed ? "mixed line endings" : null;
        var ways = !json ? [JsonReading.Typed] : why is null ? [JsonReading.Typed, JsonReading.Lines, JsonReading.ExactLines] : new[] { JsonReading.ExactLines };
        foreach (var way in ways)
        {
            var read = Prepare(db, dataset, file, facts, withBox, way, numbered);
            long rows;
            try { rows = execute(read); }
            catch (EngineException e) when (json && way == JsonReading.Typed)
            {
                read.DropRejects(db);
                undo();
                why = "DuckDB's JSON reader rejected it: " + Shorten(FirstLine(e.Message));
                continue;
            }
            catch (EngineException)
            {
                read.DropRejects(db);
                throw;
            }
            if (read.Finish(db, rows) is { } lines)
                return (read, lines, !json ? null : way == JsonReading.Typed ? "read by DuckDB's JSON reader" : $"read line by line ({why})");
            undo();
            if (way == JsonReading.Typed)
                why = $"DuckDB's JSON reader found {rows.ToString(CultureInfo.InvariantCulture)} record(s) in {facts.Lines.ToString(CultureInfo.InvariantCulture)} line(s): blank lines, so its record numbers are not line numbers";
        }
        throw new InvalidOperationException("A read with exact lines always adds up."); // Finish never returns null for it
    }

    private static string Shorten(string message) => message.Length <= 200 ? message : message[..200] + "...";

    /// <summary>What to say of a file DuckDB cannot read at all: the first line of its error.</summary>
    public static string CannotRead(EngineException e) => "cannot be read: " + FirstLine(e.Message);

    /// <summary>Drops the rejects tables of this read (also after a read that failed).</summary>
    public void DropRejects(DuckDbSession db) => db.Execute($"DROP TABLE IF EXISTS {_rejects}; DROP TABLE IF EXISTS {_rejects}_scan");

    private string Describe(string errorType, string? message) => errorType switch
    {
        "INVALID ENCODING" => "not valid UTF-8",
        "TOO MANY COLUMNS" when _dataset.Source!.Format == LandingFormat.JsonLines => "invalid JSON (a control character outside a string)",
        "LINE SIZE OVER MAXIMUM" => "line too long (" + FirstLine(message) + ")",
        _ => FirstLine(message),
    };

    private static string FirstLine(string? message) => (message ?? "").Split('\n', 2)[0].Trim();
}

/// <summary>How a JSON lines file is read.</summary>
internal enum JsonReading
{
    /// <summary>By DuckDB's JSON reader, each line parsed once: for a file it reads whole and whose records are its lines.</summary>
    Typed,

    /// <summary>As text lines (DuckDB's CSV reader, every line one field) parsed with DuckDB's JSON functions, each bad line located.</summary>
    Lines,

    /// <summary>As <see cref="Lines"/>, the lines numbered by splitting the text in SQL, for line endings DuckDB's CSV reader does not count as lines.</summary>
    ExactLines,
}

/// <summary>What reading a file found beyond its rows: the lines DuckDB rejected, and where each row number is in the file.</summary>
internal sealed record ReadLines(string File, long Rows, IReadOnlyList<MalformedLine> Rejected, LineMap Lines);

/// <summary>
/// Turns the number of a row read (1-based, rejected lines not counted) into its place in the file: its line, given the
/// header and the lines rejected before it. When lines and rows do not add up (a CSV file with blank lines or quoted
/// line breaks) only the record number is known, and said.
/// </summary>
internal sealed class LineMap(string unit, long header, IReadOnlyList<long> rejectedLines)
{
    public string Unit => unit;
    public long Header => header;
    public IReadOnlyList<long> RejectedLines => rejectedLines;

    public MalformedLine At(string file, long row, string problem)
    {
        var line = row + header;
        foreach (var rejected in rejectedLines)
        {
            if (rejected <= line) line++;
            else break;
        }
        return new MalformedLine(file, line, problem, unit);
    }
}
