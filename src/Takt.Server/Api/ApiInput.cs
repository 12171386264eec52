using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;

namespace Takt.Server.Api;

/// <summary>A request the API refuses: the HTTP status, a message, and the input field at fault.</summary>
public sealed class ApiInputException(int status, string field, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Field { get; } = field;

    public IResult ToResult() => Results.Json(new ApiError(Message, Field), statusCode: Status);
}

/// <summary>The JSON body of every error answer: <c>{"error": "...", "field": "dataset"}</c>.</summary>
public sealed record ApiError(string Error, string? Field);

/// <summary>Validation of everything the API takes from a request, with the same rules as the command line.</summary>
public static partial class ApiInput
{
    public const int MaxDays = 3700;

    /// <summary>The longest page of the box matrix: 20 years (an hourly dataset's 175,320 boxes, sent run-length encoded).</summary>
    public const int MaxMatrixDays = 7320;

    [GeneratedRegex("^[0-9A-Za-z][0-9A-Za-z_-]{0,80}$")]
    private static partial Regex RunIdPattern();

    public static ApiInputException Bad(string field, string message) => new(StatusCodes.Status400BadRequest, field, message);

    public static Dataset Dataset(Factory factory, string? name, string field = "dataset")
    {
        if (string.IsNullOrEmpty(name)) throw Bad(field, $"{field} is required ({Names.DatasetRule}).");
        if (name.Length > 130 || !Names.IsDatasetName(name)) throw Bad(field, $"{field}: '{Clip(name)}' is not a dataset name ({Names.DatasetRule}).");
        if (!factory.Contains(name)) throw new ApiInputException(StatusCodes.Status404NotFound, field, $"{field}: the factory has no dataset {name}.");
        return factory[name];
    }

    public static long Box(Dataset dataset, string? text, string field = "box")
    {
        if (string.IsNullOrEmpty(text)) throw Bad(field, $"{field} is required ({GrainMath.Example(dataset.Grain)}).");
        return text.Length <= 20 && GrainMath.TryParse(dataset.Grain, text, out var box)
            ? box
            : throw Bad(field, $"{field}: '{Clip(text)}' is not a box of {dataset.Name} (a {GrainMath.Describe(dataset.Grain)} dataset: {GrainMath.Example(dataset.Grain)}).");
    }

    public static DateOnly? Date(string? text, string field)
    {
        if (string.IsNullOrEmpty(text)) return null;
        return text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw Bad(field, $"{field}: '{Clip(text)}' is not a date (expected YYYY-MM-DD).");
    }

    public static string Reason(string? text) =>
        Ledger.Reasons.Check(text, out var problem) ?? throw Bad("reason", $"reason {problem}.");

    public static int Limit(string? text, int fallback, int max, string field = "limit")
    {
        if (string.IsNullOrEmpty(text)) return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
            ? n
            : throw Bad(field, $"{field}: '{Clip(text)}' is not a number from 1 to {max}.");
    }

    public static string RunId(string? text) =>
        text is not null && RunIdPattern().IsMatch(text) ? text : throw Bad("run", $"run: '{Clip(text ?? "")}' is not a run id.");

    public static Ledger.EventKind? EventKind(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : StatusWords.TryParse(text, out Ledger.EventKind kind) ? kind
        : throw Bad("kind", $"kind: '{Clip(text)}' is not an event kind ({string.Join(", ", StatusWords.EventKindWords)}).");

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
