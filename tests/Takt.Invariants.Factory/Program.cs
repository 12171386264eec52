using Takt.Cli;
using Takt.Invariants.Factory;

return TaktCli.Run(() => InvariantFactory.Build(AppContext.BaseDirectory, InvariantFactory.VariantFromEnvironment()), args);
