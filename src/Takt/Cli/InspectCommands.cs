using System.CommandLine;
using Spectre.Console;
using Takt.Building;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Planning;
using Takt.Running;

namespace Takt.Cli;

/// <summary><c>status</c>, <c>lineage</c>, <c>impact</c> and <c>versions</c>: questions answered from the ledger.</summary>
internal static class InspectCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Status(context));
        root.Subcommands.Add(Lineage(context));
        root.Subcommands.Add(Impact(context));
        root.Subcommands.Add(Versions(context));
    }

    private static Command Status(CliContext context)
    {
        var targets = Arguments.Targets();
        var command = new Command("status", "Per dataset: boxes fresh, stale, stopped, blocked, waiting") { targets };
        command.SetAction(parse =>
        {
            var names = Arguments.ResolveTargets(context.Factory, parse.GetValue(targets) ?? []);
            using var ws = context.OpenWorkspace(parse);
            var service = new BuildService(ws);
            var plan = service.Plan(names, landing: true);
            var landing = service.LandingProblems(names);
            var rows = plan.Datasets.Select(d =>
            {
                var dataset = context.Factory[d.Dataset];
                return new
                {
                    dataset = d.Dataset,
                    owner = dataset.Owner,
                    first = d.Extent.IsEmpty ? null : dataset.BoxKey(d.Extent.Start),
                    last = d.Extent.IsEmpty ? null : dataset.BoxKey(d.Extent.End),
                    fresh = d.Fresh,
                    stale = d.Planned.Count,
                    quarantined = d.Quarantined.Select(dataset.BoxKey).ToArray(),
                    blocked = d.BlockedBoxes.Count,
                    waiting = d.WaitingBoxes.Count,
                };
            }).ToArray();
            var pending = Publishing.PendingPublishes.Of(ws, plan.Datasets.Select(d => d.Dataset));
            if (parse.GetValue(context.Json)) context.WriteJson(new { env = plan.Env, datasets = rows, pendingPublishes = pending, landingProblems = BuildCommands.LandingProblemsJson(landing) });
            else
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("dataset", "owner", "boxes", "fresh", "stale", "stopped", "blocked", "waiting");
                foreach (var r in rows)
                    table.AddRow(Markup.Escape(r.dataset), Markup.Escape(r.owner), Markup.Escape(r.first is null ? "-" : $"{r.first}..{r.last}"), r.fresh.ToString(),
                        r.stale.ToString(), r.quarantined.Length == 0 ? "0" : $"[red]{Markup.Escape(string.Join(", ", r.quarantined.Take(5)))}[/]",
                        r.blocked.ToString(), r.waiting.ToString());
                context.Console.Write(table);
                BuildCommands.PrintPending(context.Console, pending);
                BuildCommands.PrintLandingProblems(context.Console, landing);
            }
            return plan.LineStopped ? ExitCodes.StoppedByCheck : ExitCodes.Ok;
        });
        return command;
    }

    private static Command Lineage(CliContext context)
    {
        var target = new Argument<string>("dataset") { Description = "DATASET, or DATASET@BOX for the exact versions a box was made from" };
        var command = new Command("lineage", "What a dataset or a box is made from, up to the sources") { target };
        command.SetAction(parse =>
        {
            var (dataset, box) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(target)!);
            using var ws = context.OpenWorkspace(parse);
            object tree = box is null ? DatasetLineage(context.Factory, dataset) : BoxLineage(ws, dataset, box.Value);
            if (parse.GetValue(context.Json)) context.WriteJson(tree);
            else context.Console.Write(ToTree(tree));
            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record Node(string Label, IReadOnlyList<Node> Upstream)
    {
        /// <summary>For a source version: the landing files it was read from.</summary>
        public IReadOnlyList<Ledger.SourceFile>? LandingFiles { get; init; }
    }

    private static Node DatasetLineage(Factory factory, Dataset dataset) => new(
        $"{dataset.Name} ({(dataset.IsSource ? "source" : "transform")}, owner {dataset.Owner})",
        dataset.Inputs.Select(i => Prefixed(i.Mapping.Describe(), DatasetLineage(factory, factory[i.Dataset]))).ToArray());

    private static Node Prefixed(string prefix, Node node) => node with { Label = $"[{prefix}] {node.Label}" };

    private static Node BoxLineage(Workspace ws, Dataset dataset, long box)
    {
        var state = ws.Ledger.Boxes(ws.Env, dataset.Name, BoxRange.Single(box)).FirstOrDefault();
        var versionId = state?.CurrentVersion ?? state?.HeadVersion;
        if (versionId is null) return new Node($"{dataset.Name}@{dataset.BoxKey(box)}: not built", []);
        return VersionNode(ws, versionId, depth: 0);
    }

    private static Node VersionNode(Workspace ws, string versionId, int depth)
    {
        var version = ws.Ledger.FindVersion(versionId)!;
        var label = $"{version.Dataset}@{version.BoxKey} version {version.Id} ({version.Status.ToText()}, {version.Rows} rows)";
        if (depth > 12) return new Node(label + " ...", []);
        if (ws.Factory.Contains(version.Dataset) && ws.Factory[version.Dataset].IsSource) return SourceNode(ws, label, versionId);
        return new Node(label, ws.Ledger.InputsOf(versionId).Select(i => VersionNode(ws, i.VersionId, depth + 1)).ToArray());
    }

    private static Node SourceNode(Workspace ws, string label, string versionId)
    {
        var files = ws.Ledger.SourceFilesOf(versionId);
        if (files.Count == 0) return new Node(label, [new Node("landing files not recorded (ingested by an older Takt)", [])]);
        return new Node(label, files.Select(f => new Node($"landing file {f.Path} sha256 {f.Sha256} ({f.Size} bytes)", [])).ToArray()) { LandingFiles = files };
    }

    private static Command Impact(CliContext context)
    {
        var target = new Argument<string>("dataset") { Description = "DATASET or DATASET@BOX" };
        var (from, to) = (Arguments.From(), Arguments.To());
        var command = new Command("impact", "Everything downstream of a dataset or of some of its boxes") { target, from, to };
        command.SetAction(parse =>
        {
            var (dataset, box) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(target)!);
            var boxes = Arguments.Boxes(parse, dataset, box, from, to);
            using var ws = context.OpenWorkspace(parse);
            var impact = ImpactAnalysis.Of(context.Factory, new BuildService(ws).Plan([]), dataset, boxes);
            var rows = impact.Select(i => new
            {
                dataset = i.Dataset.Name,
                owner = i.Dataset.Owner,
                boxes = i.Boxes.Count,
                first = i.Boxes.IsEmpty ? null : i.Dataset.BoxKey(i.Boxes.Min),
                last = i.Boxes.IsEmpty ? null : i.Dataset.BoxKey(i.Boxes.Max),
            }).ToArray();
            if (parse.GetValue(context.Json)) context.WriteJson(new { dataset = dataset.Name, downstream = rows });
            else
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("downstream dataset", "owner", "boxes", "from", "to");
                foreach (var r in rows) table.AddRow(Markup.Escape(r.dataset), Markup.Escape(r.owner), r.boxes.ToString(), r.first ?? "-", r.last ?? "-");
                context.Console.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Versions(CliContext context)
    {
        var target = new Argument<string>("dataset") { Description = "DATASET or DATASET@BOX" };
        var (from, to) = (Arguments.From(), Arguments.To());
        var command = new Command("versions", "Every version of a box or of a range of boxes, and which one is current") { target, from, to };
        command.SetAction(parse =>
        {
            var (dataset, box) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(target)!);
            var range = Arguments.Boxes(parse, dataset, box, from, to);
            using var ws = context.OpenWorkspace(parse);
            var current = ws.Ledger.Boxes(ws.Env, dataset.Name, range).ToDictionary(s => s.Box);
            var versions = ws.Ledger.Versions(dataset.Name, range);
            var stored = ws.Ledger.StoredFiles(versions.Select(v => v.Id).ToArray());
            var rows = versions.Select(v => new
            {
                box = v.BoxKey,
                version = v.Id,
                status = v.Status.ToText(),
                current = current.TryGetValue(v.Box, out var s) && s.CurrentVersion == v.Id,
                rows = v.Rows,
                bytes = v.Bytes,
                createdAt = DateTimeOffset.FromUnixTimeMilliseconds(v.CreatedAtMs).ToString("u"),
                checks = ws.Ledger.CheckResults(v.Id).Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Message}").ToArray(),
                fileState = v.FileState.ToString().ToLowerInvariant(),
                files = FilePaths(ws, v, stored.GetValueOrDefault(v.Id)),
            }).ToArray();
            if (parse.GetValue(context.Json)) context.WriteJson(new { dataset = dataset.Name, versions = rows });
            else
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("box", "version", "status", "current", "rows", "created", "failed checks");
                foreach (var r in rows)
                    table.AddRow(r.box, r.version, r.fileState == "present" ? r.status : $"{r.status} ({r.fileState})", r.current ? "[green]yes[/]" : "",
                        r.rows.ToString(), r.createdAt, Markup.Escape(string.Join("; ", r.checks)));
                context.Console.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Where a version's recorded files are, for scripts; none once they are lost or freed.</summary>
    private static IReadOnlyList<string> FilePaths(Workspace ws, Ledger.VersionRecord v, Ledger.StoredVersion? stored)
    {
        if (stored is null || !v.HasFiles) return [];
        var location = new Lake.VersionLocation(v.Dataset, v.BoxKey, v.Id);
        var (files, problems) = ws.Files.Recorded(location, stored);
        return problems.Count > 0 ? [] : ws.Lake.LocalPaths(location, files);
    }

    private static Spectre.Console.Rendering.IRenderable ToTree(object node)
    {
        var root = (Node)node;
        var tree = new Tree(Markup.Escape(root.Label));
        void Add(IHasTreeNodes parent, Node n)
        {
            foreach (var child in n.Upstream) Add(parent.AddNode(Markup.Escape(child.Label)), child);
        }
        Add(tree, root);
        return tree;
    }
}
