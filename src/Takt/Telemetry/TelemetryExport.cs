using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Takt.Telemetry;

/// <summary>
/// Exports Takt's traces and metrics through OpenTelemetry when the exporter (<c>TAKT_OTEL_EXPORTER</c>, read by the
/// composition root) is <c>otlp</c> (endpoint from the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, which the
/// OpenTelemetry SDK reads) or <c>console</c>; off otherwise.
/// </summary>
public static class TelemetryExport
{
    public static IDisposable? Start(string? exporterName, string serviceName)
    {
        var exporter = exporterName?.Trim().ToLowerInvariant();
        if (exporter is null or "" or "none") return null;
        if (exporter is not ("otlp" or "console"))
            throw new ArgumentException($"TAKT_OTEL_EXPORTER must be otlp, console or none, not '{exporter}'.");

        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        var traces = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(TaktTelemetry.Name);
        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(TaktTelemetry.Name);
        if (exporter == "otlp")
        {
            traces.AddOtlpExporter();
            metrics.AddOtlpExporter();
        }
        else
        {
            traces.AddConsoleExporter();
            metrics.AddConsoleExporter();
        }
        return new Providers(traces.Build()!, metrics.Build()!);
    }

    private sealed class Providers(TracerProvider traces, MeterProvider metrics) : IDisposable
    {
        public void Dispose()
        {
            traces.Dispose();
            metrics.Dispose();
        }
    }
}
