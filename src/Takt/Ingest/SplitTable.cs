using Takt.Definitions;
using Takt.Engine;

namespace Takt.Ingest;

/// <summary>
/// The rows of one split landing file, read once into a table of a DuckDB database (see <see cref="LandingReads"/>): the
/// extract's columns (<see cref="LandingRead"/>) but the file's name. A CSV file's rows are numbered by their place in
/// the table (<c>rowid</c> + 1: DuckDB keeps a file's order in a table written by one statement), not in the query, where
/// <c>row_number() OVER ()</c> over the whole file would run the read and every conversion on one thread; the other
/// formats number their rows as they are read (a Parquet file's own row numbers; JSON lines as their reads say).
/// </summary>
internal sealed record SplitTable(string Name, bool NumberedByPlace)
{
    public static SplitTable For(Dataset dataset, string name) => new(name, dataset.Source!.Format == LandingFormat.Csv);

    /// <summary>The statement that writes the table from a read's query.</summary>
    public string Create(string readSql) =>
        $"CREATE OR REPLACE TABLE {Name} AS SELECT * EXCLUDE ({LandingRead.File}{(NumberedByPlace ? ", " + LandingRead.Row : "")}) FROM ({readSql})";

    /// <summary>The select list of the table's rows as the extract's files hold them: <c>__file</c>, <c>__row</c>, then the rest (ends in <c>*</c>).</summary>
    public string Extract(string file) =>
        $"{SqlText.Literal(file)} AS {LandingRead.File}, " + (NumberedByPlace ? $"rowid + 1 AS {LandingRead.Row}, *" : "*");

    /// <summary>The rows' order in their file.</summary>
    public string FileOrder => NumberedByPlace ? "rowid" : LandingRead.Row;

    public string Drop => $"DROP TABLE IF EXISTS {Name}";
}
