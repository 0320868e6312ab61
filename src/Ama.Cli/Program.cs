using Ama.Cli;

return AmaApp.Run(args);
