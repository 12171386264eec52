namespace Takt.Tests.Support;

/// <summary>
/// The source of a small factory with two C# transforms, for tests that compile it twice with one edit between the
/// builds. core.scored reaches its logic through everything a C# transform can call: a helper method, a lambda over a
/// closure, a local function, an iterator, a static array, a static field set by the type initializer and an
/// interface method dispatched virtually. core.flagged is a lambda in the factory declaration calling LINQ.
/// </summary>
internal static class TinyFactorySource
{
    public const string TypeName = "Tiny.TinyFactory";

    public const string SummarySql = "SELECT band, count(*) AS n FROM core.scored GROUP BY band ORDER BY band";

    public const string Text = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using Takt.Definitions;

        namespace Tiny;

        /*UNRELATED TYPE*/

        public static class TinyFactory
        {
            public static Factory Build(string baseDirectory) => new FactoryBuilder("tiny", baseDirectory)
                .Dataset("raw.events", d => d.Owner("o").Daily()
                    .Schema(s => s.Required("id", ColumnType.Int64).Required("amount", ColumnType.Double))
                    .FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
                .Dataset("core.scored", d => d.Owner("o").Input("raw.events").Rows("1", Scoring.Score)
                    .Schema(s => s.Required("id", ColumnType.Int64).Required("score", ColumnType.Double).Required("band", ColumnType.String)))
                .Dataset("core.flagged", d => d.Owner("o").Input("raw.events").Rows("1", context => Flags.Flag(context))
                    .Schema(s => s.Required("id", ColumnType.Int64).Required("flagged", ColumnType.Boolean)))
                .Dataset("mart.summary", d => d.Owner("o").Input("core.scored").Sql("summary.sql"))
                .Build();
        }

        public interface IRule
        {
            double Apply(double x);
        }

        public sealed class Damp : IRule
        {
            public double Apply(double x) => x * 0.9;
        }

        public static class Scoring
        {
            /*BEFORE SCORE*/
            private static readonly double[] Cuts = [0.25, 0.75];
            private static readonly string High = "high";

            public static IEnumerable<object?[]> Score(RowTransformContext context)
            {
                var offset = 0.05;
                Func<double, double> shift = x => x + offset * 1.0;
                IRule rule = new Damp();
                foreach (var row in context.Rows("raw.events"))
                {
                    var score = Clamp(rule.Apply(shift(Weight(row.Get<double>("amount")))));
                    yield return [row.Get<long>("id"), score, Band(score)];
                }

                static double Clamp(double x) => Math.Min(1.0, Math.Max(0.0, x));
            }

            private static double Weight(double amount) => amount * 0.01;

            private static string Band(double score) => score >= Cuts[1] ? High : score >= Cuts[0] ? "medium" : "low";
        }

        public static class Flags
        {
            public static IEnumerable<object?[]> Flag(RowTransformContext context) =>
                context.Rows("raw.events").Select(r => new object?[] { r.Get<long>("id"), r.Get<double>("amount") > 50.0 });
        }
        """;

    /// <summary>The source with one exact piece replaced; fails if the piece is not there exactly once.</summary>
    public static string With(string piece, string replacement)
    {
        var at = Text.IndexOf(piece, StringComparison.Ordinal);
        if (at < 0 || Text.IndexOf(piece, at + 1, StringComparison.Ordinal) >= 0)
            throw new ArgumentException($"'{piece}' is not in the tiny factory's source exactly once.", nameof(piece));
        return Text[..at] + replacement + Text[(at + piece.Length)..];
    }

    /// <summary>
    /// Code that changes nothing a transform runs, but moves every metadata token after it and renumbers the
    /// compiler-generated names of Scoring (its iterator, closure class and lambdas).
    /// </summary>
    public static string WithUnrelatedCode() =>
        With("/*UNRELATED TYPE*/", """
            public static class Unrelated
            {
                public static int Answer() => 42;
                public static Func<int, int> Next = x => x + 1;
            }
            """)
        .Replace("/*BEFORE SCORE*/", """
            public static IEnumerable<int> Earlier(int n)
            {
                var k = n;
                Func<int, int> f = x => x + k;
                yield return f(1);
            }
            """);
}
