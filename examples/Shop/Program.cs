using Shop;
using Takt.Cli;

return TaktCli.Run(ShopFactory.Build, args, (root, ctx) => { ShopCommands.Add(root, ctx); Takt.Server.ServeCommand.Add(root, ctx, new Takt.Server.Scheduling.Schedules().Cron("nightly", "0 5 * * *", ["serving.*"]).OnLanding("orders-arrive", "raw.orders").OnLanding("users-arrive", "raw.users")); });
