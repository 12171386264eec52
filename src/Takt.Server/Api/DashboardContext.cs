using Takt.Definitions;
using Takt.Running;
using Takt.Server.Scheduling;

namespace Takt.Server.Api;

/// <summary>What the API works with.</summary>
public sealed record DashboardContext(Factory Factory, Workspace Workspace, FactoryView View, Scheduler? Scheduler, TimeProvider Clock);
