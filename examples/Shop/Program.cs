using Shop;
using Takt.Cli;

return TaktCli.Run(ShopFactory.Build, args, ShopCommands.Add);
