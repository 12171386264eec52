using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Takt.Boxes;
using Takt.Ledger;
using Takt.Measuring;
using Takt.Server.Scheduling;

namespace Takt.Server.Api;

/// <summary>
/// The JSON API behind the dashboard. Every input is validated (dataset names, boxes and dates with the rules of the
/// command line, reasons non-empty and bounded); a refused request gets <c>400</c> (or <c>404</c> for an unknown
/// dataset, <c>409</c> for an override of a box that is not quarantined) and <c>{"error": "...", "field": "..."}</c>.
/// </summary>
public static class DashboardApi
{
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>As the <c>metrics</c> command: twelve weeks unless <c>since</c> says otherwise.</summary>
    private const int MetricsDefaultDays = 84;

    /// <summary>The matrix's page when only one end of it is given.</summary>
    private const int DefaultPageDays = 90;

    public static void Map(IEndpointRouteBuilder app, DashboardContext context)
    {
        var view = context.View;
        var factory = context.Factory;
        var ledger = context.Workspace.Ledger;
        var api = app.MapGroup("/api");

        api.MapGet("/info", () => new
        {
            factory = factory.Name,
            env = view.Env,
            ledger = ledger.Describe,
            now = context.Clock.GetUtcNow().ToUnixTimeMilliseconds(),
            datasets = factory.Datasets.Count,
            scheduler = context.Scheduler is not null,
            range = RangeJson(view, context.Clock),
        });

        api.MapGet("/datasets", () => view.Lineage());
        api.MapGet("/lineage", () => view.Lineage());

        api.MapGet("/matrix", (HttpRequest request) =>
        {
            var query = request.Query;
            var from = ApiInput.Date(query["from"], "from");
            var to = ApiInput.Date(query["to"], "to");
            var only = query["datasets"].ToString() is { Length: > 0 } list
                ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => ApiInput.Dataset(factory, n, "datasets")).ToArray()
                : null;
            var today = DateOnly.FromDateTime(context.Clock.GetUtcNow().UtcDateTime);
            if (from is null || to is null)
            {
                var range = view.DataRange(today);
                if (from is null && to is null) (from, to) = (range.From, range.To);
                else if (from is null) from = to!.Value.DayNumber >= DefaultPageDays - 1 ? to.Value.AddDays(1 - DefaultPageDays)
                    : throw ApiInput.Bad("to", $"to: a page of {DefaultPageDays} days cannot end on {to:yyyy-MM-dd}; give from too.");
                else to = from.Value.DayNumber <= DateOnly.MaxValue.DayNumber - (DefaultPageDays - 1) ? from.Value.AddDays(DefaultPageDays - 1)
                    : throw ApiInput.Bad("from", $"from: a page of {DefaultPageDays} days cannot start on {from:yyyy-MM-dd}; give to too.");
            }
            if (from > to) throw ApiInput.Bad("to", $"to ({to:yyyy-MM-dd}) is before from ({from:yyyy-MM-dd}).");
            var days = to!.Value.DayNumber - from!.Value.DayNumber + 1;
            if (days > ApiInput.MaxMatrixDays) throw ApiInput.Bad("to", $"the page spans {days} days; at most {ApiInput.MaxMatrixDays} at once.");
            return Results.Json(view.Matrix(from.Value, to.Value, only));
        });

        api.MapGet("/boxes/{dataset}/{box}", (string dataset, string box) =>
        {
            var d = ApiInput.Dataset(factory, dataset);
            return Results.Json(view.Box(d, ApiInput.Box(d, box)));
        });

        api.MapGet("/runs", (HttpRequest request) =>
        {
            var limit = ApiInput.Limit(request.Query["limit"], 50, 1000);
            return new { runs = ledger.Runs(limit).Select(RunJson) };
        });

        api.MapGet("/runs/{id}", (string id) =>
        {
            var runId = ApiInput.RunId(id);
            var run = ledger.FindRun(runId)
                      ?? throw new ApiInputException(StatusCodes.Status404NotFound, "run", $"run: no run {runId} in the ledger.");
            var tasks = ledger.Tasks(runId);
            return Results.Json(new
            {
                run = RunJson(run),
                tasks = tasks.Select(t => new
                {
                    id = t.Id, dataset = t.Dataset, box = t.BoxKey, reason = t.Reason, status = t.Status.ToText(), version = t.VersionId, attempts = t.Attempts,
                    startedAt = t.StartedAtMs, durationMs = t.DurationMs, rows = t.RowsOut, error = t.Error,
                }),
            });
        });

        api.MapGet("/tasks/{id}/log", (string id) =>
        {
            if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var taskId))
                throw ApiInput.Bad("task", $"task: '{(id.Length > 20 ? id[..20] : id)}' is not a task id.");
            return new { task = taskId, lines = ledger.TaskLog(taskId) };
        });

        api.MapGet("/quarantines", () => view.Quarantines());

        api.MapGet("/checks", (HttpRequest request) =>
        {
            var dataset = ApiInput.Dataset(factory, request.Query["dataset"]);
            var stats = ledger.CheckStats().Where(s => s.Dataset == dataset.Name)
                .Select(s => new { check = s.Check, runs = s.Runs, failures = s.Failures }).ToArray();
            object? box = null;
            if (request.Query["box"].ToString() is { Length: > 0 } boxText)
            {
                var b = ApiInput.Box(dataset, boxText);
                var state = ledger.Boxes(view.Env, dataset.Name, BoxRange.Single(b)).FirstOrDefault();
                box = new
                {
                    box = dataset.BoxKey(b),
                    version = state?.HeadVersion,
                    status = state?.HeadStatus.ToText(),
                    results = state is null ? [] : ledger.CheckResults(state.HeadVersion).Select(FactoryView.CheckJson).ToArray(),
                };
            }
            return Results.Json(new
            {
                dataset = dataset.Name,
                declared = dataset.Checks.Select(c => new { name = c.Name, kind = c.Kind, severity = c.Severity.ToString().ToLowerInvariant() }),
                stats,
                box,
            });
        });

        api.MapGet("/events", (HttpRequest request) =>
        {
            var query = request.Query;
            var dataset = query["dataset"].ToString() is { Length: > 0 } name ? ApiInput.Dataset(factory, name).Name : null;
            var kind = ApiInput.EventKind(query["kind"]);
            var limit = ApiInput.Limit(query["limit"], 100, 1000);
            var events = kind is null ? ledger.Events(dataset, limit) : ledger.EventsOfKinds([kind.Value], dataset, limit);
            return new { events = events.Select(FactoryView.EventJson) };
        });

        api.MapPost("/override", async (HttpRequest request) =>
        {
            var body = await ReadBody(request);
            var dataset = ApiInput.Dataset(factory, StringField(body, "dataset"));
            var box = ApiInput.Box(dataset, StringField(body, "box"));
            var reason = ApiInput.Reason(StringField(body, "reason"));
            var version = ledger.Override(view.Env, dataset.Name, box, reason);
            if (version is null)
                throw new ApiInputException(StatusCodes.Status409Conflict, "box", $"{dataset.Name}@{dataset.BoxKey(box)} is not quarantined; nothing to override.");
            return Results.Json(new { dataset = dataset.Name, box = version.BoxKey, version = version.Id, reason });
        });

        api.MapGet("/schedules", () =>
        {
            var scheduler = context.Scheduler;
            var recent = ledger.EventsOfKinds([EventKind.ScheduleRun, EventKind.ScheduleSkipped, EventKind.SlaMiss], null, 100)
                .Select(FactoryView.EventJson).ToArray();
            return new
            {
                enabled = scheduler is not null,
                schedules = scheduler?.Status().Select(s => new
                {
                    name = s.Name, kind = s.Kind, definition = s.Definition, targets = s.Targets, nextDue = s.NextDue?.ToUnixTimeMilliseconds(),
                    running = s.Running, runningSince = s.RunningSince?.ToUnixTimeMilliseconds(), lastStarted = s.LastStarted?.ToUnixTimeMilliseconds(),
                    lastStatus = s.LastStatus?.ToText(), lastRun = s.LastRunId, lastSummary = s.LastSummary, runs = s.Runs, skipped = s.Skipped,
                    pending = s.Pending,
                }).ToArray() ?? [],
                slas = (scheduler?.Slas ?? []).Select(s => new { dataset = s.Dataset, readyWithinHours = s.ReadyWithin.TotalHours }),
                notRecorded = scheduler is null ? null : NotRecordedJson(scheduler),
                events = recent,
            };
        });

        api.MapGet("/metrics", (HttpRequest request) =>
        {
            var since = ApiInput.Date(request.Query["since"], "since")
                        ?? DateOnly.FromDateTime(context.Clock.GetUtcNow().UtcDateTime.AddDays(-MetricsDefaultDays));
            return Results.Json(MetricsCalculator.Compute(context.Workspace, since));
        });

        api.MapGet("/waste", (HttpRequest request) =>
        {
            var days = ApiInput.Limit(request.Query["days"], 30, ApiInput.MaxDays, "days");
            var builds = ApiInput.Limit(request.Query["builds"], 3, 1000, "builds");
            return new { days, builds, items = WasteReport.Find(context.Workspace, days, builds) };
        });

        api.MapGet("/catalog", () => Results.Json(Catalog.Build(context.Workspace)));

        // Anything else under /api is an unknown endpoint, answered in JSON.
        api.MapFallback(() => Results.Json(new ApiError("no such endpoint", null), statusCode: StatusCodes.Status404NotFound));
    }

    private static object RangeJson(FactoryView view, TimeProvider clock)
    {
        var (from, to, first, last) = view.DataRange(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        return new { from = Day(from), to = Day(to), first = first is { } f ? Day(f) : null, last = last is { } l ? Day(l) : null };
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many events the scheduler could not record in the ledger, and the last one: a failing ledger is not hidden by the scheduler going on.</summary>
    private static object NotRecordedJson(Scheduler scheduler)
    {
        var (count, last) = scheduler.NotRecordedEvents;
        return new
        {
            count,
            last = last is null ? null : new { at = last.At.ToUnixTimeMilliseconds(), kind = last.Kind.ToText(), message = last.Message, error = last.Error },
        };
    }

    private static object RunJson(RunRecord r)
    {
        JsonElement? summary = null;
        if (!string.IsNullOrEmpty(r.SummaryJson))
        {
            try { summary = JsonDocument.Parse(r.SummaryJson).RootElement.Clone(); }
            catch (JsonException) { summary = null; }
        }
        return new
        {
            id = r.Id, env = r.Env, command = r.Command, status = r.StatusAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ToText(), startedAt = r.StartedAtMs,
            finishedAt = r.FinishedAtMs, durationMs = r.FinishedAtMs - r.StartedAtMs, lastSeenAt = r.LastSeenAtMs, summary,
        };
    }

    private static async Task<JsonElement> ReadBody(HttpRequest request)
    {
        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw new ApiInputException(StatusCodes.Status415UnsupportedMediaType, "body", "the body must be JSON (Content-Type: application/json).");
        if (request.ContentLength > MaxBodyBytes)
            throw new ApiInputException(StatusCodes.Status413PayloadTooLarge, "body", $"the body is larger than {MaxBodyBytes} bytes.");
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await request.Body.ReadAsync(buffer)) > 0)
            {
                if (limited.Length + read > MaxBodyBytes)
                    throw new ApiInputException(StatusCodes.Status413PayloadTooLarge, "body", $"the body is larger than {MaxBodyBytes} bytes.");
                limited.Write(buffer, 0, read);
            }
            var root = JsonDocument.Parse(limited.ToArray()).RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object ? root : throw ApiInput.Bad("body", "the body must be a JSON object.");
        }
        catch (JsonException)
        {
            throw ApiInput.Bad("body", "the body is not valid JSON.");
        }
    }

    private static string? StringField(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw ApiInput.Bad(name, $"{name} must be a string.");
        try { return value.GetString(); }
        catch (InvalidOperationException) // System.Text.Json refuses an escaped lone surrogate only when the string is read
        {
            throw ApiInput.Bad(name, $"{name} is not valid text (it holds half of a UTF-16 surrogate pair).");
        }
    }
}
