namespace Takt.Tests.Invariants;

/// <summary>The steps that run the factory: builds, overrides, environments, gc, publishing, kills and pairs of processes.</summary>
internal sealed partial class HistoryRunner
{
    private string Build(string env)
    {
        var variant = _model.WorkingVariant;
        var adopts = env == "prod" && _model.LastBuild.Any(b => b.Key != "prod" && b.Value == (_model.Changes, variant));
        var before = _checks.Before(_sut.Cli(variant, "plan", "--json", "--env", env));
        var build = _sut.Cli(variant, "build", "--json", "--env", env);
        Record(env, variant, build);
        _checks.AfterBuild(env, variant, build, before, adopts);
        ChecksRun++;
        return Describe(build);
    }

    /// <summary>The model's side of a build that ran to its end (or not).</summary>
    private void Record(string env, string variant, CliRun? build)
    {
        _model.EnvVariant[env] = variant;
        var complete = build is { ExitCode: 0 or 2 };
        if (complete) _model.LastBuild[env] = (_model.Changes, variant);
        else _model.LastBuild.Remove(env);
        if (env == "prod")
        {
            _prodAtLastBuild = complete ? _model.Expect(variant) : null;
            // A rollback holds readers until prod's current versions of the dataset change; then a build publishes them.
            if (_model.RollbackHold is { } hold && !hold.Current.SetEquals(CurrentPublishedVersions())) _model.RollbackHold = null;
        }
    }

    private string Override(int pick)
    {
        if (_prodAtLastBuild is null) return "skipped: prod's state is unknown since its last build did not finish";
        var ledger = _sut.ReadLedger();
        var stopped = ledger.Boxes.Where(b => b.Env == "prod" && b.HeadStatus == "quarantined"
                && _prodAtLastBuild.Boxes.GetValueOrDefault((b.Dataset, b.Box)) == Expected.Stopped)
            .OrderBy(b => b.Dataset, StringComparer.Ordinal).ThenBy(b => b.Box).ToList();
        if (stopped.Count == 0) return "skipped: nothing stopped";
        var box = stopped[pick % stopped.Count];
        var variant = _model.EnvVariant["prod"];
        var target = $"{box.Dataset}@{subject.Factory(variant)[box.Dataset].BoxKey(box.Box)}";
        var run = _sut.Cli(variant, "override", target, "--reason", "harness: released on purpose");
        if (run.ExitCode != 0)
        {
            _checks.Fail("override-releases-a-stopped-box", $"{target} is stopped in prod, but:\n{run}");
            return "override failed";
        }
        _model.Overrides[(box.Dataset, box.Box)] = _prodAtLastBuild.Identities[(box.Dataset, box.Box)];
        foreach (var dev in ledger.Boxes.Where(b => b.Env != "prod" && b.Dataset == box.Dataset && b.Box == box.Box && b.HeadStatus == "quarantined" && b.Head == box.Head))
        {
            var again = _sut.Cli(_model.EnvVariant.GetValueOrDefault(dev.Env, variant), "override", target, "--reason", "harness: the same version, released in this environment too", "--env", dev.Env);
            if (again.ExitCode != 0) _checks.Fail("override-releases-a-stopped-box", $"{target} is stopped in {dev.Env} on the same version, but:\n{again}");
        }
        _model.Changes++;
        return $"overrode {target}";
    }

    private string Drop(string env)
    {
        var ledger = _sut.ReadLedger();
        var exists = ledger.Environments.Contains(env);
        var run = _sut.Cli(_model.EnvVariant["prod"], "env", "drop", env);
        if (run.ExitCode != (exists ? 0 : 64))
            _checks.Fail("env-drop", $"dropping {(exists ? "an existing" : "an unknown")} environment {env}:\n{run}");
        if (!exists) return $"{env} does not exist";
        _model.EnvVariant.Remove(env);
        _model.LastBuild.Remove(env);
        var after = _sut.ReadLedger();
        if (after.Environments.Contains(env) || after.Boxes.Any(b => b.Env == env))
            _checks.Fail("env-drop", $"{env} still has its record or pointers after `env drop`");
        var prodBefore = ledger.Pointers("prod");
        var prodAfter = after.Pointers("prod");
        if (prodBefore.Count != prodAfter.Count || prodBefore.Any(p => !prodAfter.TryGetValue(p.Key, out var v) || v != p.Value))
            _checks.Fail("env-drop", $"dropping {env} changed prod's pointers");
        _checks.Consistency();
        return $"dropped {env}";
    }

    private string Gc(int keepDays)
    {
        var run = _sut.Cli(_model.EnvVariant["prod"], "gc", "--keep-days", keepDays.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        if (run.ExitCode != 0) _checks.Fail("gc-runs", run.ToString());
        _model.Changes++;
        _checks.Consistency();
        _checks.Publication(mustBeCurrent: false);
        return run.ExitCode == 0 ? $"freed {run.Json.GetProperty("versions").GetInt32()} version(s)" : "gc failed";
    }

    private string Publish()
    {
        var run = _sut.Cli(_model.EnvVariant["prod"], "publish", subject.PublishedDataset, "--json");
        if (run.ExitCode is not (0 or 2)) _checks.Fail("publish-exits-0-or-2", run.ToString());
        if (run.ExitCode == 0) _model.RollbackHold = null;
        _checks.Publication(mustBeCurrent: run.ExitCode == 0);
        return run.ExitCode == 0 ? "published" : $"not published (exit {run.ExitCode})";
    }

    private string Rollback()
    {
        var before = _sut.ReadLedger().Live(subject.PublishedDataset)?.Copy;
        var run = _sut.Cli(_model.EnvVariant["prod"], "rollback", subject.PublishedDataset, "--json");
        if (run.ExitCode is not (0 or 2)) _checks.Fail("rollback-exits-0-or-2", run.ToString());
        var after = _sut.ReadLedger().Live(subject.PublishedDataset)?.Copy;
        if (run.ExitCode == 0)
        {
            if (after is not null) _model.RollbackHold = (after, CurrentPublishedVersions());
            if (after == before) _checks.Fail("rollback-switches", $"rollback exited 0 but the live copy is still {after}");
        }
        _checks.Publication(mustBeCurrent: false);
        return run.ExitCode == 0 ? $"rolled back {before} -> {after}" : $"no rollback (exit {run.ExitCode})";
    }

    private HashSet<string> CurrentPublishedVersions() =>
        _sut.ReadLedger().Pointers("prod").Where(p => p.Key.Dataset == subject.PublishedDataset).Select(p => p.Value).ToHashSet(StringComparer.Ordinal);

    private string[] ChildArgs(int process) => OpKinds.Processes[process] switch
    {
        "build" => ["build", "--json"],
        "build-dev" => ["build", "--json", "--env", OpKinds.DevEnvs[0]],
        "gc" => ["gc", "--keep-days", "0", "--json"],
        _ => ["publish", subject.PublishedDataset, "--json"],
    };

    private static string? EnvOf(int process) => OpKinds.Processes[process] switch { "build" => "prod", "build-dev" => OpKinds.DevEnvs[0], _ => null };

    private static bool Allowed(int process, int exit) => OpKinds.Processes[process] == "gc" ? exit == 0 : exit is 0 or 2;

    private string Kill(int process, int delayMs)
    {
        var variant = _model.WorkingVariant;
        if (subject.Child(variant) is null) return "skipped: this code variant runs in process only";
        var env = EnvOf(process);
        var before = _checks.Before(null);
        using var child = _sut.Start(variant, ChildArgs(process));
        var killed = child.KillAfter(TimeSpan.FromMilliseconds(delayMs));
        var run = killed ? null : child.Wait(ChildTimeout);
        _model.Changes++;
        if (env is not null) Record(env, variant, run);
        if (run is not null && !Allowed(process, run.ExitCode))
            _checks.Fail($"{OpKinds.Processes[process]}-exits-as-documented", run.ToString());
        else if (run is not null && env is not null)
        {
            _checks.AfterBuild(env, variant, run, before, adoptsDevWork: false);
            ChecksRun++;
        }
        else _checks.Consistency();
        return killed ? $"killed `{child.Command}` after {delayMs} ms" : $"`{child.Command}` finished before the kill (exit {run!.ExitCode})";
    }

    private string Crash(string point, int hits)
    {
        var variant = _model.WorkingVariant;
        if (subject.Child(variant) is null) return "skipped: this code variant runs in process only";
        var before = _checks.Before(null);
        using var child = _sut.Start(variant, ["build", "--json"], new Dictionary<string, string> { ["TAKT_CRASH_AT"] = point, ["TAKT_CRASH_AFTER"] = hits.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var run = child.Wait(ChildTimeout);
        var crashed = run.Stderr.Contains($"fault injected at {point}") || run.Stdout.Contains($"fault injected at {point}");
        _model.Changes++;
        Record("prod", variant, crashed ? null : run);
        if (!crashed)
        {
            if (run.ExitCode is not (0 or 2)) _checks.Fail("build-exits-as-documented", run.ToString());
            else
            {
                _checks.AfterBuild("prod", variant, run, before, adoptsDevWork: false);
                ChecksRun++;
            }
        }
        else _checks.Consistency();
        return crashed ? $"crashed at the {hits}th {point}" : $"passed {point} fewer than {hits} times: {Describe(run)}";
    }

    private string Pair(int first, int second)
    {
        var variant = _model.WorkingVariant;
        if (subject.Child(variant) is null) return "skipped: this code variant runs in process only";
        var before = _checks.Before(null);
        using var a = _sut.Start(variant, ChildArgs(first));
        using var b = _sut.Start(variant, ChildArgs(second));
        var runs = new[] { (Process: first, Run: a.Wait(ChildTimeout)), (Process: second, Run: b.Wait(ChildTimeout)) };
        _model.Changes++;
        foreach (var (process, run) in runs)
        {
            if (!Allowed(process, run.ExitCode)) _checks.Fail($"{OpKinds.Processes[process]}-exits-as-documented", $"run at once with another process:\n{run}");
            if (EnvOf(process) is { } env) Record(env, variant, run);
        }
        if (_checks.Found.Count > 0) return "a process failed";
        var prodWritten = runs.Any(r => OpKinds.Processes[r.Process] is "build" or "publish");
        foreach (var group in runs.Where(r => EnvOf(r.Process) is not null).GroupBy(r => EnvOf(r.Process)!))
        {
            _checks.AfterBuild(group.Key, variant, group.First().Run, before, adoptsDevWork: false, alone: false, prodWrittenByOther: prodWritten);
            ChecksRun++;
        }
        _checks.Consistency();
        return $"ran `{a.Command}` and `{b.Command}` at once: exit {runs[0].Run.ExitCode} and {runs[1].Run.ExitCode}";
    }

    private static string Describe(CliRun build)
    {
        if (build.ExitCode is not (0 or 2)) return $"exit {build.ExitCode}";
        var s = build.Json.GetProperty("summary");
        return $"exit {build.ExitCode}: {s.GetProperty("built")} built, {s.GetProperty("reused")} reused, {s.GetProperty("quarantined")} quarantined, {s.GetProperty("blocked")} blocked";
    }
}
